// Who sent a message, from what the browser says about the sender (never from the message itself).
// 'extension': one of our own pages (popup, player, viewer, options; the player also inside a web page's
// iframe). 'content': our content script in the top frame of an http(s) page. null: anything else.
export function classifySender(sender, {runtimeId, extensionOrigin}) {
    if (!sender || sender.id !== runtimeId || typeof sender.url !== 'string') {
        return null;
    }
    if (sender.url.startsWith(`${extensionOrigin}/`)) {
        return 'extension';
    }
    if (sender.tab && Number.isInteger(sender.tab.id) && sender.tab.id >= 0 && sender.frameId === 0 &&
        /^https?:\/\//i.test(sender.url)) {
        return 'content';
    }
    return null;
}

// The page's origin: a tab's announcements hold for the page that made them, not for the next one loaded in it.
export function senderOrigin(sender) {
    try {
        return new URL(sender.url).origin;
    } catch {
        return '';
    }
}
