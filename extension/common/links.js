// Which links Sluice opens. A page hands these over, so they are checked as hostile input: bounded, no
// whitespace or control characters (the host refuses those in magnets anyway), and only the two shapes the
// viewer understands.
export const MAX_LINK_LENGTH = 8192;

// v1: 40 hex digits or 32 base32 characters; v2: a SHA-256 multihash (1220 + 64 hex digits).
const BTIH = /^urn:btih:([0-9a-f]{40}|[a-z2-7]{32})$/i;
const BTMH = /^urn:btmh:1220[0-9a-f]{64}$/i;

function plainText(text) {
    if (typeof text !== 'string' || text.length === 0 || text.length > MAX_LINK_LENGTH || /\s/.test(text)) {
        return false;
    }
    for (let i = 0; i < text.length; i += 1) {
        const c = text.charCodeAt(i);
        if (c < 0x20 || c === 0x7f) {
            return false;
        }
    }
    return true;
}

// True for a magnet link naming at least one BitTorrent info-hash (xt=urn:btih:… or xt=urn:btmh:…).
export function isMagnet(text) {
    if (!plainText(text) || !/^magnet:\?/i.test(text)) {
        return false;
    }
    return text.slice('magnet:?'.length).split('&').some((pair) => {
        const [name, value = ''] = pair.split('=', 2);
        if (name.toLowerCase() !== 'xt' && !/^xt\.\d+$/i.test(name)) {
            return false;
        }
        let xt;
        try {
            xt = decodeURIComponent(value);
        } catch {
            return false;
        }
        return BTIH.test(xt) || BTMH.test(xt);
    });
}

// True for an http(s) URL, without credentials, whose path ends in .torrent.
export function isTorrentUrl(text) {
    if (!plainText(text)) {
        return false;
    }
    let url;
    try {
        url = new URL(text);
    } catch {
        return false;
    }
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' &&
        url.password === '' && url.pathname.toLowerCase().endsWith('.torrent');
}

// The link itself when Sluice can open it, else null.
export function openableLink(text) {
    return isMagnet(text) || isTorrentUrl(text) ? text : null;
}

// Only web pages may be opened from a gate's answer (a checkout page): never javascript:, data: or file:.
export function isWebUrl(text) {
    if (!plainText(text)) {
        return false;
    }
    try {
        const url = new URL(text);
        return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
        return false;
    }
}
