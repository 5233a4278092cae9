// System notifications for what happens while no page is open: a download finished, a pledge was charged,
// declined or released, items were unlocked, a pledge was recorded. Words come from the locale; names come
// from the state.

// The notification for a host event, or null. nameOf(infoHash) and bundleTitle(bundleId) look names up in
// the state; skip(infoHash) is true for torrents that were never meant to finish (a page's bundle, trimmed
// to its manifest); date(text) writes a date in the words' language.
export function notificationFor(method, params, {message, nameOf, bundleTitle, skip, date = (text) => text}) {
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
        case 'campaign.chargeFailed': {
            const bundle = bundleTitle(params.bundleId) ?? params.bundleId;
            return {title: message('notifyChargeFailedTitle'),
                message: typeof params.retryUntil === 'string'
                    ? message('notifyChargeFailedMessage', [bundle, date(params.retryUntil)])
                    : message('notifyChargeFailedMessageNoDate', [bundle])};
        }
        case 'campaign.released': {
            // A missed goal, a campaign funded before a card was saved, or a tier full before it was (the campaign
            // then goes on): nothing was charged either way.
            let key = params.campaignState === 'funded' ? 'notifyReleasedUnsavedMessage' : 'notifyReleasedMessage';
            if (params.reason === 'tier_sold_out') {
                key = 'notifyReleasedSoldOutMessage';
            }
            return {title: message('notifyReleasedTitle'),
                message: message(key, [bundleTitle(params.bundleId) ?? params.bundleId])};
        }
        case 'bundle.unlocked':
            return {title: message('notifyUnlockedTitle'),
                message: message('notifyUnlockedMessage',
                    [bundleTitle(params.bundleId) ?? params.bundleId, String(params.items?.length ?? 0)])};
        default:
            return null;
    }
}

// The notification for a pledge the gate has just recorded (bundle.pledge's answer with status 'pledged'; an
// alreadyPledged answer records nothing new), or null. It says what the campaign's own terms say: nothing is
// charged now, the card is saved on the provider's page that opened, it is charged on the deadline only if the
// goal is met, and what happens if it is missed.
// gate: the manifest's pledge gate (price, currency, goals, deadline, ifGoalMissed), completed by the
// campaign's answer where the gate lacks a member; money(minor, currency) and date(text) write figures in the
// UI's language.
export function pledgeNotification(result, {message, bundleTitle, gate, campaign, money, date}) {
    if (result?.status !== 'pledged') {
        return null;
    }
    const terms = {...campaign, ...gate};
    const bundle = bundleTitle ?? result.bundleId;
    // No amount named: the price of the tier pledged to (the gate's tiers, else the manifest's), else the campaign's.
    const tiers = campaign?.tiers?.length ? campaign.tiers : gate?.tiers ?? [];
    const tierPrice = tiers.find((t) => t?.id === result.tier)?.price;
    const minor = result.amount ?? tierPrice ?? terms.price;
    const amount = terms.currency && Number.isFinite(minor) ? money(minor, terms.currency) : null;
    const lines = [amount ? message('notifyPledgedMessage', [bundle, amount])
        : message('notifyPledgedMessageNoAmount', [bundle])];
    if (result.state === 'pending') {
        lines.push(message('notifyPledgedSaveCard'));
    }
    if (terms.deadline) {
        const deadline = date(terms.deadline);
        if (terms.goalBackers > 0) {
            lines.push(message('notifyPledgedChargeBackers', [String(terms.goalBackers), deadline]));
        } else if (terms.goalAmount > 0 && terms.currency) {
            lines.push(message('notifyPledgedChargeAmount', [money(terms.goalAmount, terms.currency), deadline]));
        } else {
            lines.push(message('notifyPledgedChargeNoGoal', [deadline]));
        }
    }
    if (typeof terms.ifGoalMissed === 'string' && terms.ifGoalMissed) {
        lines.push(message('notifyPledgedIfMissed', [terms.ifGoalMissed]));
    }
    return {title: message('notifyPledgedTitle'), message: lines.join(' ')};
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
