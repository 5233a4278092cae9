// What the extension's own pages may ask (popup, player, viewer, options). Each intent picks its members and
// builds the host request itself; most map onto the host method of the same name.
import {ErrorCode} from '../common/error_codes.js';
import {isWebUrl, openableLink} from '../common/links.js';
import {itemTitle} from '../common/format.js';
import {PLAYABLE_LIMITS} from '../common/media.js';
import {badParam, boolean, infoHash, integer, number, oneOf, pickSome, string, strings} from './params.js';
import {HostError} from './host_port.js';
import {itemFiles} from './priorities.js';
import {streamInfo} from './stream_info.js';

const MAX_FILE_INDEX = 1000000;

// media.open's params: the questions of media.probe the browser answered yes to, and the audio track to hear
// (left out: the file's default).
export function mediaOpenParams(p) {
    const out = {infoHash: infoHash(p), fileIndex: integer(p, 'fileIndex', {max: MAX_FILE_INDEX}),
        playable: strings(p, 'playable', {maxItems: PLAYABLE_LIMITS.count, max: PLAYABLE_LIMITS.length})};
    const audio = integer(p, 'audio', {max: 99, optional: true});
    if (audio !== undefined) {
        out.audio = audio;
    }
    // Where a converted stream starts (a seek), in seconds.
    const start = number(p, 'start', {max: 1e7, optional: true});
    if (start !== undefined) {
        out.start = start;
    }
    return out;
}

// The members of bundle.unlock's params for the gate chosen.
export function unlockParams(p) {
    const hash = infoHash(p);
    const gate = oneOf(p, 'gate', ['email', 'pay']);
    return gate === 'email'
        ? {infoHash: hash, gate, email: string(p, 'email', {max: 254})}
        : {infoHash: hash, gate, amount: integer(p, 'amount', {min: 1})};
}

export function confirmParams(p) {
    return {infoHash: infoHash(p), requestId: string(p, 'requestId', {max: 128}), code: string(p, 'code', {max: 32})};
}

// translation.submit's params: what the viewer wrote and agreed to, and the submission it takes up, if any.
export function translationParams(p) {
    const out = {infoHash: infoHash(p), item: string(p, 'item', {max: 1024}), lang: string(p, 'lang', {max: 35}),
        label: string(p, 'label', {max: 100}), translator: string(p, 'translator', {max: 100}),
        licence: string(p, 'licence', {max: 200}), track: string(p, 'track', {max: 512 * 1024})};
    const basedOn = string(p, 'basedOn', {max: 64, optional: true});
    if (basedOn !== undefined) {
        out.basedOn = basedOn;
    }
    return out;
}

// A campaign's tier, as the host takes it: an id of lower-case letters, digits and '-'.
const TIER_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function pledgeParams(p) {
    const out = {infoHash: infoHash(p)};
    const amount = integer(p, 'amount', {min: 1, optional: true});
    if (amount !== undefined) {
        out.amount = amount;
    }
    const tier = string(p, 'tier', {max: 64, optional: true});
    if (tier !== undefined) {
        if (!TIER_ID.test(tier)) {
            throw badParam('tier must be an id of lower-case letters, digits and \'-\'');
        }
        out.tier = tier;
    }
    return out;
}

// The item of a verified bundle at a manifest path, asked of the host (the state may lag behind).
export async function bundleItem(ctx, hash, path) {
    const bundle = await ctx.host.request('bundle.get', {infoHash: hash});
    if (bundle.status !== 'verified') {
        throw new HostError(ErrorCode.BUNDLE_NOT_FOUND, 'the bundle is not verified');
    }
    const item = bundle.items.find((i) => i.path === path);
    if (!item) {
        throw new HostError(ErrorCode.ITEM_NOT_FOUND, 'the bundle has no such item');
    }
    return {bundle, item};
}

// The provider's page an answer hands out, opened in a new tab: a payment's checkout, a new page to save a
// pledge's payment method, or a pledge's while no method is saved (pledging again, after the tab was closed,
// opens it again). Only http(s) is ever opened, whatever the host said.
export async function openCheckout(ctx, result) {
    const handedOut = result?.status === 'checkout' || result?.state === 'pending';
    if (handedOut && isWebUrl(result.checkoutUrl)) {
        await ctx.openTab(result.checkoutUrl);
    }
}

// After an unlock, the items it opened come down like any other wanted file.
export async function afterUnlock(ctx, hash, result) {
    await openCheckout(ctx, result);
    if (result?.status === 'unlocked') {
        await ctx.wantItems(hash, result.items);
    }
    return result;
}

async function exportItem(ctx, p) {
    const hash = infoHash(p);
    const path = string(p, 'path', {max: 1024});
    const [{bundle}, settings] = await Promise.all([bundleItem(ctx, hash, path), ctx.host.request('settings.get')]);
    const folder = settings.downloadFolder.replace(/\/+$/, '');
    const destination = `${folder}/Sluice exports/${bundle.bundleId}/${itemTitle(path)}`;
    return ctx.host.request('bundle.export', {infoHash: hash, path, destination});
}

const SETTINGS = {
    downloadFolder: (p, n) => string(p, n, {max: 4096}),
    downloadRateLimit: (p, n) => integer(p, n, {max: 1000000000}),
    uploadRateLimit: (p, n) => integer(p, n, {max: 1000000000}),
    connectionsLimit: (p, n) => integer(p, n, {min: 2, max: 10000}),
    dht: boolean, lsd: boolean, upnp: boolean, natpmp: boolean, utp: boolean,
    listenPort: (p, n) => integer(p, n, {max: 65535}),
    reportPlays: boolean,
};

function forward(method, pick) {
    return (ctx, p) => ctx.host.request(method, pick(p));
}

const byHash = (p) => ({infoHash: infoHash(p)});
const byFile = (p) => ({infoHash: infoHash(p), fileIndex: integer(p, 'fileIndex', {max: MAX_FILE_INDEX})});

export const APP_INTENTS = {
    'state.get': async (ctx) => ctx.state.snapshot(),
    'host.retry': async (ctx) => {
        ctx.host.retry();
        return ctx.state.snapshot();
    },
    'torrent.add': async (ctx, p) => {
        const uri = openableLink(string(p, 'uri', {max: 8192}));
        if (!uri) {
            throw badParam('uri must be a magnet link or an http(s) URL of a .torrent');
        }
        const result = await ctx.host.request('torrent.add', {uri});
        ctx.state.queueList();
        return result;
    },
    'torrent.files': forward('torrent.files', (p) => ({infoHash: infoHash(p), limit: 1000})),
    'torrent.pause': forward('torrent.pause', byHash),
    'torrent.resume': forward('torrent.resume', byHash),
    'torrent.remove': async (ctx, p) => {
        const params = {infoHash: infoHash(p), ...pickSome(p, {deleteFiles: boolean})};
        const result = await ctx.host.request('torrent.remove', params);
        ctx.priorities.forget(params.infoHash);
        ctx.state.forget(params.infoHash);
        return result;
    },
    'torrent.download': async (ctx, p) => {
        const hash = infoHash(p);
        const index = integer(p, 'fileIndex', {max: MAX_FILE_INDEX, optional: true});
        await ctx.priorities.want(hash, index === undefined ? 'all' : [index]);
        return {infoHash: hash};
    },
    'bundle.get': forward('bundle.get', byHash),
    'bundle.campaign': forward('bundle.campaign', byHash),
    'bundle.cancelPledge': async (ctx, p) => {
        const hash = infoHash(p);
        const result = await ctx.host.request('bundle.cancelPledge', {infoHash: hash});
        ctx.state.refreshCampaign(hash);
        return result;
    },
    'bundle.unlock': async (ctx, p) => {
        const params = unlockParams(p);
        return afterUnlock(ctx, params.infoHash, await ctx.host.request('bundle.unlock', params));
    },
    'bundle.confirmEmail': async (ctx, p) => {
        const params = confirmParams(p);
        return afterUnlock(ctx, params.infoHash, await ctx.host.request('bundle.confirmEmail', params));
    },
    'bundle.pledge': async (ctx, p) => {
        const params = pledgeParams(p);
        const result = await ctx.host.request('bundle.pledge', params);
        ctx.state.refreshCampaign(params.infoHash);
        ctx.pledged?.(params.infoHash, result);
        await openCheckout(ctx, result);
        return result;
    },
    'bundle.updatePledgePayment': async (ctx, p) => {
        const hash = infoHash(p);
        const result = await ctx.host.request('bundle.updatePledgePayment', {infoHash: hash});
        ctx.state.refreshCampaign(hash);
        await openCheckout(ctx, result);
        return result;
    },
    'bundle.export': exportItem,
    // The translation editor's: the gate's terms and latest submissions, one submission to take up, and a track
    // sent (checked again by the host, then by the gate).
    'translation.terms': forward('translation.terms', byHash),
    'translation.get': forward('translation.get', (p) => ({infoHash: infoHash(p),
        submissionId: string(p, 'submissionId', {max: 64})})),
    'translation.submit': forward('translation.submit', translationParams),
    'settings.get': async (ctx) => ctx.host.request('settings.get'),
    'settings.set': async (ctx, p) => {
        const settings = pickSome(p, SETTINGS);
        const result = await ctx.host.request('settings.set', settings);
        // Chosen on the options page: the player does not ask again.
        if ('reportPlays' in settings) {
            await ctx.playsAnswered(true);
        }
        return result;
    },
    // A play of a bundle's item, counted for its creator only if the viewer said yes (settings.reportPlays).
    // Until the viewer has answered, nothing goes to the host and the player is told to ask ({ask: true}).
    'plays.report': async (ctx, p) => {
        const params = {infoHash: infoHash(p), path: string(p, 'path', {max: 1024}),
            event: oneOf(p, 'event', ['started', 'finished'])};
        if (!(await ctx.playsAnswered())) {
            return {counted: false, ask: true};
        }
        return ctx.host.request('bundle.played', params);
    },
    // The viewer's answer to the player's question.
    'plays.answer': async (ctx, p) => {
        const settings = await ctx.host.request('settings.set', {reportPlays: boolean(p, 'yes')});
        await ctx.playsAnswered(true);
        return {reportPlays: settings.reportPlays};
    },
    'player.open': async (ctx, p) => {
        const hash = infoHash(p);
        const index = integer(p, 'fileIndex', {max: MAX_FILE_INDEX});
        await ctx.openTab(ctx.extensionUrl(`player/player.html?infoHash=${hash}&file=${index}`));
        return {};
    },
    'stream.info': async (ctx, p) => streamInfo(ctx, infoHash(p), integer(p, 'fileIndex', {max: MAX_FILE_INDEX})),
    'media.probe': forward('media.probe', byFile),
    'media.open': forward('media.open', mediaOpenParams),
};

// The files of these items (by manifest path) come down at normal priority.
export async function wantItemFiles(ctx, hash, paths) {
    const torrent = ctx.state.torrent(hash)?.torrent;
    const items = torrent?.bundle?.items ?? (await ctx.host.request('bundle.get', {infoHash: hash})).items ?? [];
    const files = items.filter((i) => paths.includes(i.path)).flatMap(itemFiles);
    await ctx.priorities.want(hash, files);
}
