// The state every extension page shows: the host's status, the torrents (torrent.list once, then
// torrent.updated's deltas), each bundle's bundle.get answer and each pledge campaign's progress. Listeners
// hear of every change; the ports that carry it throttle on their side.
import {ErrorCode} from '../common/error_codes.js';

// activeSeconds and sources let a page say why a torrent waits (common/diagnosis.js).
const SUMMARY = ['name', 'state', 'progress', 'size', 'downloaded', 'downloadRate', 'uploadRate', 'peers', 'seeds',
    'hasMetadata', 'error', 'activeSeconds', 'sources'];
const ACTIVE = ['downloading', 'fetching-metadata'];
const CAMPAIGN_REFRESH_MS = 30000;
// A bundle still fetching its manifest is asked again on progress, but not more often than this.
const FETCHING_RECHECK_MS = 2000;

function pickSummary(source, into = {}) {
    for (const key of SUMMARY) {
        if (Object.hasOwn(source, key)) {
            into[key] = source[key];
        }
    }
    return into;
}

export class StateStore {
    constructor({host, log = () => {}, onMetadata = () => {}, onBundle = () => {}}) {
        this.host = host;
        this.log = log;
        this.onMetadata = onMetadata;
        this.onBundle = onBundle;
        // infoHash → {torrent: summary, bundle?, campaign?, notBundle, bundleAskedAt}
        this.records = new Map();
        this.listeners = new Set();
        this.watchers = 0;
        this.campaignTimer = null;
        this.listQueued = false;
        host.onStatus((status) => this.onHostStatus(status));
        host.onEvent((method, params) => this.onHostEvent(method, params));
    }

    onChange(listener) {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    changed(infoHash) {
        for (const listener of this.listeners) {
            try {
                listener(infoHash);
            } catch (error) {
                this.log(`state listener failed: ${error.message}`);
            }
        }
    }

    snapshot() {
        const torrents = [...this.records.entries()].map(([infoHash, r]) => this.entry(infoHash, r));
        return {
            host: this.host.status,
            torrents,
            activeDownloads: torrents.filter((t) => ACTIVE.includes(t.state)).length,
        };
    }

    entry(infoHash, record) {
        const out = {infoHash, ...record.torrent};
        if (record.bundle) {
            out.bundle = record.bundle;
        }
        if (record.campaign) {
            out.campaign = record.campaign;
        }
        return out;
    }

    // The state's entry for one torrent (as in snapshot().torrents) and whether the host said it is no
    // bundle; undefined for a torrent the state does not hold.
    torrent(infoHash) {
        const record = this.records.get(infoHash);
        return record && {torrent: this.entry(infoHash, record), notBundle: record.notBundle};
    }

    onHostStatus(status) {
        if (status.status === 'ready') {
            this.refreshList();
        } else if (this.records.size > 0) {
            // A new connection may be a new session: nothing of the old one is kept.
            this.records.clear();
        }
        this.changed(null);
    }

    async refreshList() {
        let list;
        try {
            list = await this.host.request('torrent.list');
        } catch (error) {
            this.log(`torrent.list failed: ${error.message}`);
            return;
        }
        const seen = new Set();
        for (const summary of list.torrents) {
            seen.add(summary.infoHash);
            const old = this.records.get(summary.infoHash);
            const record = old ?? {notBundle: false, bundleAskedAt: 0};
            const hadMetadata = old?.torrent.hasMetadata === true;
            record.torrent = pickSummary(summary);
            this.records.set(summary.infoHash, record);
            if (summary.hasMetadata && !hadMetadata) {
                this.metadataArrived(summary.infoHash);
            }
        }
        for (const infoHash of [...this.records.keys()]) {
            if (!seen.has(infoHash)) {
                this.records.delete(infoHash);
            }
        }
        this.changed(null);
    }

    // Many unknown torrents in one burst of events cost one torrent.list.
    queueList() {
        if (!this.listQueued) {
            this.listQueued = true;
            setTimeout(() => {
                this.listQueued = false;
                this.refreshList();
            }, 200);
        }
    }

    forget(infoHash) {
        if (this.records.delete(infoHash)) {
            this.changed(infoHash);
        }
    }

    metadataArrived(infoHash) {
        this.onMetadata(infoHash);
        this.refreshBundle(infoHash);
    }

    async refreshBundle(infoHash) {
        const record = this.records.get(infoHash);
        if (!record) {
            return;
        }
        record.bundleAskedAt = Date.now();
        let bundle;
        try {
            bundle = await this.host.request('bundle.get', {infoHash});
        } catch (error) {
            if (error.code === ErrorCode.BUNDLE_NOT_FOUND && record.torrent.hasMetadata) {
                record.notBundle = true;
                delete record.bundle;
                this.changed(infoHash);
            } else if (error.code !== ErrorCode.BUNDLE_NOT_FOUND) {
                this.log(`bundle.get ${infoHash} failed: ${error.message}`);
            }
            return;
        }
        if (this.records.get(infoHash) !== record) {
            return;
        }
        record.bundle = bundle;
        record.notBundle = false;
        this.changed(infoHash);
        this.onBundle(infoHash, bundle);
        if (bundle.status === 'verified' && bundle.gates?.pledge) {
            this.refreshCampaign(infoHash);
        }
    }

    async refreshCampaign(infoHash) {
        let campaign;
        try {
            campaign = await this.host.request('bundle.campaign', {infoHash});
        } catch (error) {
            this.log(`bundle.campaign ${infoHash} failed: ${error.message}`);
            return;
        }
        const record = this.records.get(infoHash);
        if (record) {
            record.campaign = campaign;
            this.changed(infoHash);
        }
    }

    // The torrents holding the bundle, or the campaign, an event names.
    matching({bundleId, campaignId}) {
        return [...this.records.entries()].filter(([, r]) => r.bundle?.status === 'verified' &&
            ((bundleId && r.bundle.bundleId === bundleId) ||
             (campaignId && r.bundle.gates?.pledge?.campaignId === campaignId))).map(([infoHash]) => infoHash);
    }

    onHostEvent(method, params) {
        switch (method) {
            case 'torrent.updated':
                for (const delta of params.torrents ?? []) {
                    this.applyDelta(delta);
                }
                this.changed(null);
                break;
            case 'torrent.error':
                if (params.kind === 'bundle' && this.records.has(params.infoHash)) {
                    this.refreshBundle(params.infoHash);
                }
                break;
            case 'bundle.verified':
            case 'bundle.unlocked':
                if (this.records.has(params.infoHash)) {
                    this.refreshBundle(params.infoHash);
                } else {
                    this.queueList();
                }
                break;
            case 'bundle.translations':
                for (const infoHash of this.matching(params)) {
                    this.refreshBundle(infoHash);
                }
                break;
            case 'campaign.updated':
                for (const infoHash of this.matching(params.campaign ?? {})) {
                    this.records.get(infoHash).campaign = {campaign: params.campaign, pledge: params.pledge ?? null};
                    this.changed(infoHash);
                }
                break;
            case 'campaign.funded':
            case 'campaign.chargeFailed':
            case 'campaign.released':
                for (const infoHash of this.matching(params)) {
                    this.refreshCampaign(infoHash);
                }
                break;
            case 'campaign.delivered':
                this.queueList();
                break;
            default:
                break;
        }
    }

    applyDelta(delta) {
        const record = this.records.get(delta.infoHash);
        if (!record) {
            this.queueList();
            return;
        }
        const hadMetadata = record.torrent.hasMetadata === true;
        pickSummary(delta, record.torrent);
        if (delta.error === undefined && Object.hasOwn(delta, 'state') && delta.state !== 'error') {
            delete record.torrent.error;
        }
        if (record.torrent.hasMetadata && !hadMetadata) {
            this.metadataArrived(delta.infoHash);
        } else if (record.bundle?.status === 'fetching' && Date.now() - record.bundleAskedAt > FETCHING_RECHECK_MS) {
            this.refreshBundle(delta.infoHash);
        }
    }

    // Pages (popup, cards) that show campaigns: while any is open, campaigns are asked every 30 s.
    watch() {
        this.watchers += 1;
        if (this.watchers === 1) {
            this.scheduleCampaigns();
        }
        return () => {
            this.watchers -= 1;
            if (this.watchers === 0) {
                clearTimeout(this.campaignTimer);
                this.campaignTimer = null;
            }
        };
    }

    scheduleCampaigns() {
        this.campaignTimer = setTimeout(() => {
            for (const [infoHash, r] of this.records) {
                if (r.bundle?.status === 'verified' && r.bundle.gates?.pledge) {
                    this.refreshCampaign(infoHash);
                }
            }
            if (this.watchers > 0) {
                this.scheduleCampaigns();
            }
        }, CAMPAIGN_REFRESH_MS);
    }
}
