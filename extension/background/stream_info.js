// What the player needs to play one file: its stream URL and type, its subtitles' URLs, and the key its
// resume position is kept under. Only extension pages ever see this: the URLs carry the session's token.
import {ErrorCode} from '../common/error_codes.js';
import {itemTitle} from '../common/format.js';
import {HostError} from './host_port.js';
import {findFile} from './files.js';

async function bundleOf(ctx, infoHash) {
    const known = ctx.state.torrent(infoHash);
    if (known?.notBundle) {
        return null;
    }
    if (known?.torrent.bundle?.status === 'verified') {
        return known.torrent.bundle;
    }
    try {
        const bundle = await ctx.host.request('bundle.get', {infoHash});
        return bundle.status === 'verified' ? bundle : null;
    } catch (error) {
        if (error.code === ErrorCode.BUNDLE_NOT_FOUND) {
            return null;
        }
        throw error;
    }
}

async function subtitleUrl(ctx, infoHash, track) {
    if (typeof track.streamUrl === 'string') {
        return track.streamUrl;
    }
    return (await findFile(ctx.host, infoHash, track.fileIndex))?.streamUrl ?? null;
}

// The torrent's download rate while it downloads, for the player's time left; 0 otherwise, since a finished or
// seeding torrent can still carry the last rate it had.
function downloadRate(ctx, infoHash) {
    const torrent = ctx.state.torrent(infoHash)?.torrent;
    return torrent?.state === 'downloading' && Number(torrent.downloadRate) > 0 ? Number(torrent.downloadRate) : 0;
}

export async function streamInfo(ctx, infoHash, fileIndex) {
    const [file, bundle] = await Promise.all([findFile(ctx.host, infoHash, fileIndex), bundleOf(ctx, infoHash)]);
    if (!file) {
        throw new HostError(ErrorCode.FILE_NOT_FOUND, 'no such file in the torrent (or its metadata has not arrived)');
    }
    const item = bundle?.items?.find((i) => i.fileIndex === fileIndex);
    if (!item) {
        return {name: file.path.split('/').pop(), mime: file.mime, size: file.size, progress: file.progress,
            streamUrl: file.streamUrl, subtitles: [], itemKey: `${infoHash}/${fileIndex}`,
            downloadRate: downloadRate(ctx, infoHash)};
    }
    const subtitles = [];
    for (const track of item.subtitles ?? []) {
        const url = await subtitleUrl(ctx, infoHash, track);
        if (url) {
            subtitles.push({lang: track.lang, label: track.label, url,
                ...(typeof track.credit === 'string' ? {credit: track.credit} : {})});
        }
    }
    // A locked item's file holds ciphertext: its size, type and name are the manifest's plaintext ones.
    return {name: itemTitle(item.path), mime: item.mediaType, size: item.size, progress: file.progress,
        streamUrl: item.streamUrl ?? file.streamUrl, subtitles, itemKey: `${bundle.bundleId}/${item.path}`,
        bundleId: bundle.bundleId, bundleItem: item.path, hasGate: typeof bundle.gateUrl === 'string',
        downloadRate: downloadRate(ctx, infoHash)};
}
