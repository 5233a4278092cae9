// The background's entry: builds the pieces and registers every listener synchronously at the top level
// (a service worker woken by an event only sees listeners registered in its first turn).
import {webext} from '../common/webext.js';
import {HostPort} from './host_port.js';
import {StateStore} from './state.js';
import {PriorityKeeper} from './priorities.js';
import {createIntents} from './intents.js';
import {createPortHub} from './ports.js';
import {notificationFor, pledgeNotification, showNotification} from './notifications.js';
import {formatDate, formatMoney} from '../common/format.js';
import {uiLocale} from '../common/ui.js';
import {throttle} from './throttle.js';
import {badgeFor} from './badge.js';

const log = (text) => console.warn(`sluice: ${text}`);
// runtime.getURL('') ends in a slash; an origin (as the stream server compares it) does not.
const extensionOrigin = webext.runtime.getURL('').replace(/\/+$/, '');
const runtimeId = webext.runtime.id;

const host = new HostPort({
    connectNative: (name) => webext.runtime.connectNative(name),
    lastError: () => webext.runtime.lastError,
    origin: extensionOrigin,
    clientVersion: webext.runtime.getManifest().version,
    log,
});
const priorities = new PriorityKeeper({host, log});
const state = new StateStore({
    host, log,
    onMetadata: (infoHash) => priorities.onMetadata(infoHash).catch((e) => log(`trim failed: ${e.message}`)),
    onBundle: (infoHash, bundle) => priorities.onBundle(infoHash, bundle)
        .catch((e) => log(`subtitles and cover: ${e.message}`)),
});

let hub = null;
const intents = createIntents({
    host, state, priorities, runtimeId, extensionOrigin, log,
    extensionUrl: (path) => webext.runtime.getURL(path),
    openTab: (url) => webext.tabs.create({url}),
    linkPolicy: async () => (await webext.storage.local.get('handleLinks')).handleLinks,
    // Whether the viewer has answered whether plays are reported (the answer itself is the host's setting).
    playsAnswered: async (answered) => {
        if (answered) {
            await webext.storage.local.set({playsAnswered: true});
            return true;
        }
        return (await webext.storage.local.get('playsAnswered')).playsAnswered === true;
    },
    cardChanged: (infoHash) => hub?.cardChanged(infoHash),
    pledged: (infoHash, result) => {
        const torrent = state.torrent(infoHash)?.torrent;
        const note = pledgeNotification(result, {
            message: (key, substitutions) => webext.i18n.getMessage(key, substitutions),
            bundleTitle: torrent?.bundle?.title,
            gate: torrent?.bundle?.gates?.pledge,
            campaign: torrent?.campaign?.campaign,
            // Figures in the language of the words, as the pages write them.
            money: (minor, currency) => formatMoney(minor, currency, uiLocale),
            date: (text) => formatDate(text, uiLocale),
        });
        if (note) {
            showNotification(webext, note, log);
        }
    },
});
hub = createPortHub({state, host, announcements: intents.announcements, runtimeId, extensionOrigin, log});

let badge = null;
const updateBadge = throttle(() => {
    const next = badgeFor(state.snapshot());
    const key = JSON.stringify(next);
    if (key === badge) {
        return;
    }
    badge = key;
    const action = webext.action;
    const title = webext.i18n.getMessage(next.title.key, next.title.substitutions);
    Promise.all([action.setBadgeText({text: next.text}), action.setBadgeBackgroundColor({color: next.color}),
        action.setTitle({title})]).catch((e) => log(`badge: ${e.message}`));
}, 1000);
state.onChange(() => updateBadge());

function bundleTitle(bundleId) {
    return state.snapshot().torrents.find((t) => t.bundle?.bundleId === bundleId)?.bundle.title;
}

host.onEvent((method, params) => {
    if (method === 'bundle.unlocked' && typeof params.infoHash === 'string' && Array.isArray(params.items)) {
        intents.wantItems(params.infoHash, params.items).catch((e) => log(`unlocked items: ${e.message}`));
    }
    const note = notificationFor(method, params, {
        message: (key, substitutions) => webext.i18n.getMessage(key, substitutions),
        nameOf: (infoHash) => state.torrent(infoHash)?.torrent.name,
        bundleTitle,
        skip: (infoHash) => priorities.isTrimmed(infoHash),
        date: (text) => formatDate(text, uiLocale),
    });
    if (note) {
        showNotification(webext, note, log);
    }
});

webext.runtime.onMessage.addListener((message, sender, sendResponse) => {
    intents.handle(message, sender).then(sendResponse);
    return true;
});
webext.runtime.onConnect.addListener((port) => hub.connect(port));
webext.tabs.onRemoved.addListener((tabId) => intents.forgetTab(tabId));

host.start();
