// System notifications for what happens while no page is open: a download finished, a campaign was funded
// or missed its goal, items were unlocked. Words come from the locale; names come from the state.

// The notification for a host event, or null. nameOf(infoHash) and bundleTitle(bundleId) look names up in
// the state; skip(infoHash) is true for torrents that were never meant to finish (a page's bundle, trimmed
// to its manifest).
export function notificationFor(method, params, {message, nameOf, bundleTitle, skip}) {
    switch (method) {
        case 'torrent.finished':
            if (skip(params.infoHash)) {
                return null;
            }
            return {title: message('notifyFinishedTitle'),
                message: message('notifyFinishedMessage', [nameOf(params.infoHash) ?? params.name])};
        case 'campaign.funded':
            return {title: message('notifyFundedTitle'),
                message: message('notifyFundedMessage', [bundleTitle(params.bundleId) ?? params.bundleId])};
        case 'campaign.failed':
            return {title: message('notifyFailedTitle'),
                message: message('notifyFailedMessage', [bundleTitle(params.bundleId) ?? params.bundleId])};
        case 'bundle.unlocked':
            return {title: message('notifyUnlockedTitle'),
                message: message('notifyUnlockedMessage',
                    [bundleTitle(params.bundleId) ?? params.bundleId, String(params.items?.length ?? 0)])};
        default:
            return null;
    }
}

// Shows it through the notifications API. The icon may be missing in a development tree, and Chromium then
// refuses the notification: it is tried again without one rather than lost.
export async function showNotification(webext, note, log = () => {}) {
    const options = {type: 'basic', iconUrl: webext.runtime.getURL('icons/icon128.png'), title: note.title,
        message: note.message};
    try {
        await webext.notifications.create(options);
    } catch (error) {
        log(`notification with icon failed: ${error.message}`);
        try {
            await webext.notifications.create({...options, iconUrl: ''});
        } catch (again) {
            log(`notification failed: ${again.message}`);
        }
    }
}
