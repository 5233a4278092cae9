// What a content script may ask on behalf of a web page. The page is hostile: parameters are bounded
// strings and numbers, only torrents this tab's page announced can be touched, and no answer carries a
// stream URL, token, save path or device key.
import {ErrorCode, ExtensionError} from '../common/error_codes.js';
import {parseBundleMarkup, MAX_MARKUP_BYTES} from '../common/bundle_markup.js';
import {openableLink, MAX_LINK_LENGTH} from '../common/links.js';
import {IntentError, badParam, infoHash, string} from './params.js';
import {HostError} from './host_port.js';
import {afterUnlock, bundleItem, confirmParams, openCheckout, pledgeParams, unlockParams} from './app_intents.js';
import {itemFiles} from './priorities.js';

export const LINK_POLICIES = ['ask', 'always', 'never'];

// The announced torrent a request names; anything else is not this page's to touch.
function announced(ctx, p) {
    const hash = infoHash(p);
    const entry = ctx.announcements.get(ctx.page.tabId, ctx.page.origin, hash);
    if (!entry) {
        throw new IntentError(ExtensionError.NOT_ALLOWED, 'this page did not announce that torrent');
    }
    return {hash, entry};
}

// A pledge as a page may see it: no receipts, and no provider's page, which the background opens itself.
function pledgeAnswer(result) {
    const rest = {...result};
    delete rest.receipts;
    delete rest.checkoutUrl;
    return rest;
}

// Tabs a page makes us open (a payment's or a pledge's checkout) are as bounded as any other.
function allowTab(ctx) {
    if (!ctx.tabLimiter.allow(`${ctx.page.tabId}`)) {
        throw new IntentError(ExtensionError.RATE_LIMITED, 'too many tabs opened from this page');
    }
}

async function pageBundle(ctx, p) {
    const markup = string(p, 'markup', {max: MAX_MARKUP_BYTES});
    const parsed = parseBundleMarkup(markup);
    if (!parsed.ok) {
        ctx.log(`page ${ctx.page.origin}: bundle markup refused: ${parsed.reason}`);
        throw new IntentError(ExtensionError.MARKUP_INVALID, 'the bundle markup is not valid');
    }
    const {magnet, bundleId, publisherKey} = parsed.markup;
    if (ctx.announcements.full(ctx.page.tabId, ctx.page.origin)) {
        throw new IntentError(ExtensionError.RATE_LIMITED, 'this page announced too many bundles');
    }
    const added = await ctx.host.request('torrent.add', {uri: magnet});
    if (!ctx.announcements.add(ctx.page.tabId, ctx.page.origin, added.infoHash, {bundleId, publisherKey})) {
        throw new IntentError(ExtensionError.RATE_LIMITED, 'this page announced too many bundles');
    }
    if (!added.duplicate) {
        // A visit fetches what the card shows, not the whole bundle; a torrent already there is left alone.
        const hasMetadata = await ctx.host.request('torrent.files', {infoHash: added.infoHash, limit: 1})
            .then((r) => !r.metadataPending, () => false);
        ctx.priorities.pageAdded(added.infoHash, hasMetadata).catch((e) => ctx.log(`trim failed: ${e.message}`));
    }
    ctx.state.queueList();
    return {infoHash: added.infoHash};
}

async function pagePlay(ctx, p) {
    const {hash} = announced(ctx, p);
    const path = string(p, 'path', {max: 1024});
    const {item} = await bundleItem(ctx, hash, path);
    if (item.access === 'locked' && item.unlocked !== true) {
        throw new HostError(ErrorCode.ITEM_LOCKED, 'the item is locked');
    }
    await ctx.priorities.want(hash, itemFiles(item));
    return {frame: ctx.extensionUrl(`player/player.html?infoHash=${hash}&file=${item.fileIndex}&embed=1`)};
}

async function pageUnlock(ctx, p) {
    const {hash} = announced(ctx, p);
    const params = unlockParams(p);
    // Paying opens the checkout page in a tab.
    if (params.gate === 'pay') {
        allowTab(ctx);
    }
    const result = await afterUnlock(ctx, hash, await ctx.host.request('bundle.unlock', params));
    if (result.status === 'confirmationSent') {
        ctx.announcements.setPending(ctx.page.tabId, ctx.page.origin, hash, {requestId: result.requestId});
        ctx.cardChanged(hash);
        return {status: result.status, requestId: result.requestId};
    }
    if (result.status === 'checkout') {
        return {status: result.status, bundleId: result.bundleId, amount: result.amount, currency: result.currency};
    }
    return {status: result.status, bundleId: result.bundleId, items: result.items};
}

async function pageConfirm(ctx, p) {
    const {hash} = announced(ctx, p);
    const result = await afterUnlock(ctx, hash, await ctx.host.request('bundle.confirmEmail', confirmParams(p)));
    ctx.announcements.setPending(ctx.page.tabId, ctx.page.origin, hash, undefined);
    ctx.cardChanged(hash);
    return {status: result.status, bundleId: result.bundleId, items: result.items};
}

async function pagePledge(ctx, p) {
    const {hash} = announced(ctx, p);
    const params = pledgeParams(p);
    // A pledge opens the provider's page, where the backer saves a payment method.
    allowTab(ctx);
    const result = await ctx.host.request('bundle.pledge', params);
    ctx.state.refreshCampaign(hash);
    ctx.pledged?.(hash, result);
    await openCheckout(ctx, result);
    return pledgeAnswer(result);
}

async function pageUpdatePledgePayment(ctx, p) {
    const {hash} = announced(ctx, p);
    allowTab(ctx);
    const result = await ctx.host.request('bundle.updatePledgePayment', {infoHash: hash});
    ctx.state.refreshCampaign(hash);
    await openCheckout(ctx, result);
    return pledgeAnswer(result);
}

async function pageCancelPledge(ctx, p) {
    const {hash} = announced(ctx, p);
    const result = await ctx.host.request('bundle.cancelPledge', {infoHash: hash});
    ctx.state.refreshCampaign(hash);
    return pledgeAnswer(result);
}

async function pageOpenLink(ctx, p) {
    const url = openableLink(string(p, 'url', {max: MAX_LINK_LENGTH}));
    if (!url) {
        throw badParam('url must be a magnet link or an http(s) URL ending in .torrent');
    }
    allowTab(ctx);
    await ctx.openTab(ctx.extensionUrl(`viewer/viewer.html?uri=${encodeURIComponent(url)}`));
    return {};
}

async function pageLinkPolicy(ctx) {
    const policy = await ctx.linkPolicy();
    return {handleLinks: LINK_POLICIES.includes(policy) ? policy : 'ask'};
}

// A subframe's content script (an ad, a widget, a creator's own embed alike) gets the links alone. Bundle cards
// stay in the top frame, on purpose: a card asks for an email address and opens checkouts, and in a frame it
// would show under the address bar of a site that did not choose it; any embedded third party could also spend
// the tab's bundle budget. Even so, a frame's intents carry its own origin (senders.js), so were a frame to
// reach the announcements it would find only what its own origin's top page announced in that tab.
const LINK_INTENTS = ['page.openLink', 'page.linkPolicy'];

export const PAGE_INTENTS = {
    'page.bundle': pageBundle,
    'page.play': pagePlay,
    'page.unlock': pageUnlock,
    'page.confirmEmail': pageConfirm,
    'page.pledge': pagePledge,
    'page.cancelPledge': pageCancelPledge,
    'page.updatePledgePayment': pageUpdatePledgePayment,
    'page.openLink': pageOpenLink,
    'page.linkPolicy': pageLinkPolicy,
};

export const FRAME_INTENTS = Object.fromEntries(LINK_INTENTS.map((intent) => [intent, PAGE_INTENTS[intent]]));
