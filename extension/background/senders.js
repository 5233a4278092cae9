// Who sent a message, from what the browser says about the sender (never from the message itself).
// 'extension': one of our own pages (popup, player, viewer, options; the player also inside a web page's
// iframe). 'content': our content script in the top frame of an http(s) page. 'frame': our content script in
// a subframe of a tab (an http(s) document, or an about:blank / srcdoc one whose origin, as the browser
// reports it, is http(s)); frames get the link intents only (page_intents.js). null: anything else.
export function classifySender(sender, {runtimeId, extensionOrigin}) {
    if (!sender || sender.id !== runtimeId || typeof sender.url !== 'string') {
        return null;
    }
    if (sender.url.startsWith(`${extensionOrigin}/`)) {
        return 'extension';
    }
    if (!sender.tab || !Number.isInteger(sender.tab.id) || sender.tab.id < 0 || !Number.isInteger(sender.frameId) ||
        sender.frameId < 0 || senderOrigin(sender) === '') {
        return null;
    }
    if (sender.frameId === 0) {
        return /^https?:\/\//i.test(sender.url) ? 'content' : null;
    }
    return 'frame';
}

const WEB_ORIGIN = /^https?:\/\/[^/?#\s]+$/i;
// Documents that take their creator's origin: their URL says nothing of who made them.
const INHERITING = new Set(['about:blank', 'about:srcdoc']);

// The sending document's own origin (a frame's, never its top page's): a tab's announcements hold for the
// page that made them, not for the next one loaded in it nor for what the page embeds. '' when there is no
// web origin to name.
export function senderOrigin(sender) {
    let url;
    try {
        url = new URL(sender.url);
    } catch {
        return '';
    }
    // Chromium (and Firefox where it reports it) tells the origin apart from the URL: about:blank's is its
    // creator's, and a sandboxed document's is opaque ('null').
    const reported = typeof sender.origin === 'string' ? sender.origin : undefined;
    if (url.protocol === 'http:' || url.protocol === 'https:') {
        // A sandboxed document still came from its URL's server: that site is who it speaks for. A reported
        // web origin that names another site is something we do not understand, so nothing is allowed.
        return reported === undefined || reported === 'null' || reported === url.origin ? url.origin : '';
    }
    if (INHERITING.has(`${url.protocol}${url.pathname}`) && reported !== undefined && WEB_ORIGIN.test(reported)) {
        return reported;
    }
    return '';
}
