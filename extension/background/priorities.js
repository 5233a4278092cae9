// A bundle added because a page was visited should not download the whole bundle: once its metadata is
// here, every file is skipped but bundle.json and bundle.sig (which the host fetches first anyway); once the
// bundle is verified, its subtitles and cover come too. Playing, unlocking or downloading an item brings
// its files back to normal priority.
import {allFiles} from './files.js';

export const NORMAL = 4;
const KEEP = ['bundle.json', 'bundle.sig'];

// The files to skip: all but the manifest and its signature at the torrent's root folder.
export function trimPlan(files) {
    return files.filter((file) => {
        const slash = file.path.indexOf('/');
        const below = slash < 0 ? file.path : file.path.slice(slash + 1);
        return !(slash >= 0 && KEEP.includes(below)) && file.priority !== 0;
    }).map((file) => ({index: file.index, priority: 0}));
}

// The files a verified bundle shows before anything is played: subtitles and the cover.
export function companionFiles(bundle) {
    const indexes = new Set();
    if (Number.isInteger(bundle?.cover?.fileIndex)) {
        indexes.add(bundle.cover.fileIndex);
    }
    for (const item of bundle?.items ?? []) {
        for (const track of item.subtitles ?? []) {
            if (Number.isInteger(track.fileIndex)) {
                indexes.add(track.fileIndex);
            }
        }
    }
    return [...indexes];
}

// An item's own file and its subtitles' files.
export function itemFiles(item) {
    return [item.fileIndex, ...(item.subtitles ?? []).map((t) => t.fileIndex)].filter(Number.isInteger);
}

export class PriorityKeeper {
    constructor({host, log = () => {}}) {
        this.host = host;
        this.log = log;
        this.awaitingMetadata = new Set();
        this.trimmed = new Set();
        this.companionsDone = new Set();
    }

    // A page added this torrent (and it was not already there): trim it now, or when its metadata arrives.
    pageAdded(infoHash, hasMetadata) {
        if (hasMetadata) {
            return this.trim(infoHash);
        }
        this.awaitingMetadata.add(infoHash);
        return Promise.resolve();
    }

    onMetadata(infoHash) {
        if (this.awaitingMetadata.delete(infoHash)) {
            return this.trim(infoHash);
        }
        return Promise.resolve();
    }

    async trim(infoHash) {
        this.trimmed.add(infoHash);
        const files = await allFiles(this.host, infoHash);
        const plan = trimPlan(files);
        if (plan.length > 0) {
            await this.host.request('torrent.setFilePriorities', {infoHash, files: plan});
        }
    }

    // Called with each bundle.get answer: a trimmed bundle, once verified, gets its subtitles and cover.
    async onBundle(infoHash, bundle) {
        if (!this.trimmed.has(infoHash) || bundle?.status !== 'verified' || this.companionsDone.has(infoHash)) {
            return;
        }
        this.companionsDone.add(infoHash);
        await this.want(infoHash, companionFiles(bundle));
    }

    isTrimmed(infoHash) {
        return this.trimmed.has(infoHash) || this.awaitingMetadata.has(infoHash);
    }

    // Normal priority for these file indexes, or for every file when indexes is 'all'.
    async want(infoHash, indexes) {
        let files = indexes;
        if (indexes === 'all') {
            this.trimmed.delete(infoHash);
            this.awaitingMetadata.delete(infoHash);
            files = (await allFiles(this.host, infoHash)).map((f) => f.index);
        }
        if (files.length > 0) {
            await this.host.request('torrent.setFilePriorities', {infoHash,
                files: files.map((index) => ({index, priority: NORMAL}))});
        }
    }

    forget(infoHash) {
        this.awaitingMetadata.delete(infoHash);
        this.trimmed.delete(infoHash);
        this.companionsDone.delete(infoHash);
    }
}
