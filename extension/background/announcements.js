// The torrents each tab's page announced (through page.bundle), with what the page claimed about them: a
// content script may touch only these, and its card compares the claim with the signed bundle. Keyed by
// tab and page origin, so the next site loaded in the tab inherits nothing.
export const MAX_PER_PAGE = 4;

export class Announcements {
    constructor() {
        this.byTab = new Map();
    }

    // False when the page already announced as many bundles as it may.
    add(tabId, origin, infoHash, claim) {
        const key = `${tabId} ${origin}`;
        let page = this.byTab.get(key);
        if (!page) {
            page = new Map();
            this.byTab.set(key, page);
        }
        if (!page.has(infoHash) && page.size >= MAX_PER_PAGE) {
            return false;
        }
        page.set(infoHash, {claim, pending: page.get(infoHash)?.pending});
        return true;
    }

    full(tabId, origin) {
        return (this.byTab.get(`${tabId} ${origin}`)?.size ?? 0) >= MAX_PER_PAGE;
    }

    // {claim, pending?} when this tab's page announced the torrent, else undefined.
    get(tabId, origin, infoHash) {
        return this.byTab.get(`${tabId} ${origin}`)?.get(infoHash);
    }

    setPending(tabId, origin, infoHash, pending) {
        const entry = this.get(tabId, origin, infoHash);
        if (entry) {
            entry.pending = pending;
        }
    }

    forgetTab(tabId) {
        for (const key of [...this.byTab.keys()]) {
            if (key.startsWith(`${tabId} `)) {
                this.byTab.delete(key);
            }
        }
    }
}
