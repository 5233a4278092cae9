// The live-update ports: 'ui' for our own pages (the whole state, and every host event) and 'card' for
// content scripts in a tab's top frame (one card per announced torrent, nothing else; cards are never drawn in
// subframes, see page_intents.js). Any other port is closed at once.
import {buildCard} from '../common/card.js';
import {classifySender, senderOrigin} from './senders.js';
import {throttle} from './throttle.js';

const UI_INTERVAL_MS = 250;
const CARD_INTERVAL_MS = 250;
const MAX_WATCHED = 4;

function post(port, message) {
    try {
        port.postMessage(message);
        return true;
    } catch {
        return false;
    }
}

export function createPortHub({state, host, announcements, runtimeId, extensionOrigin, log = () => {}}) {
    const uiPorts = new Set();
    const cardPorts = new Set();

    function connectUi(port) {
        const send = throttle(() => post(port, {type: 'state', state: state.snapshot()}), UI_INTERVAL_MS);
        const entry = {port, send};
        uiPorts.add(entry);
        const unwatch = state.watch();
        post(port, {type: 'state', state: state.snapshot()});
        port.onDisconnect.addListener(() => {
            uiPorts.delete(entry);
            send.cancel();
            unwatch();
        });
    }

    function cardFor(entry, infoHash) {
        const page = announcements.get(entry.tabId, entry.origin, infoHash);
        const known = state.torrent(infoHash);
        return buildCard({infoHash, torrent: known?.torrent, notBundle: known?.notBundle, claim: page?.claim,
            pending: page?.pending});
    }

    // While the host is away the state holds no torrents: the card says why instead of falling back to
    // "checking the signature", and only the status crosses (never the host's own message).
    function sendCards(entry) {
        const status = state.snapshot().host?.status;
        for (const [infoHash, last] of entry.watched) {
            const message = status === 'ready' ? {type: 'card', card: cardFor(entry, infoHash)}
                : {type: 'card', card: null, host: {status}};
            const text = JSON.stringify(message);
            if (text !== last) {
                entry.watched.set(infoHash, text);
                post(entry.port, message);
            }
        }
    }

    function connectCard(port) {
        const entry = {port, tabId: port.sender.tab.id, origin: senderOrigin(port.sender), watched: new Map()};
        entry.send = throttle(() => sendCards(entry), CARD_INTERVAL_MS);
        cardPorts.add(entry);
        let unwatch = null;
        port.onMessage.addListener((message) => {
            const infoHash = message?.type === 'watch' ? message.infoHash : undefined;
            if (typeof infoHash !== 'string' || !announcements.get(entry.tabId, entry.origin, infoHash)) {
                log(`card port: refused to watch ${String(infoHash).slice(0, 80)}`);
                return;
            }
            if (entry.watched.has(infoHash) || entry.watched.size >= MAX_WATCHED) {
                return;
            }
            entry.watched.set(infoHash, '');
            unwatch ??= state.watch();
            sendCards(entry);
        });
        port.onDisconnect.addListener(() => {
            cardPorts.delete(entry);
            entry.send.cancel();
            unwatch?.();
        });
    }

    state.onChange((infoHash) => {
        for (const {send} of uiPorts) {
            send();
        }
        for (const entry of cardPorts) {
            if (infoHash === null || entry.watched.has(infoHash)) {
                entry.send();
            }
        }
    });
    host.onEvent((method, params) => {
        for (const {port} of uiPorts) {
            post(port, {type: 'event', method, params});
        }
    });

    return {
        connect(port) {
            const kind = classifySender(port.sender, {runtimeId, extensionOrigin});
            if (port.name === 'ui' && kind === 'extension') {
                connectUi(port);
            } else if (port.name === 'card' && kind === 'content') {
                connectCard(port);
            } else {
                log(`closed a '${String(port.name).slice(0, 40)}' port from ${String(port.sender?.url).slice(0, 200)}`);
                port.disconnect();
            }
        },
        // Something only the intents know changed (an email code now awaited): the cards showing it redraw.
        cardChanged(infoHash) {
            for (const entry of cardPorts) {
                if (entry.watched.has(infoHash)) {
                    entry.send();
                }
            }
        },
    };
}
