// What a waiting torrent's sources say, and, once it has waited long enough, a plain sentence on what is wrong
// and what to try. Pure: it reads a state entry (torrent.list's members, `sources` and `activeSeconds`
// included) and answers i18n keys with their substitutions, so the page picks the words and node --test
// checks the reasoning.

// Under this many seconds of running, a torrent is still starting: trackers answer within a few seconds and
// DHT lookups take ten or so, so anything said earlier would mostly be wrong.
export const WAIT_SECONDS = 15;

const ACTIVE_STATES = ['downloading', 'fetching-metadata'];

function count(value) {
    return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

// A tracker as a person can tell it from another: its host and port. The rest of an announce URL can be a
// private tracker's passkey, which has no business on screen.
export function trackerName(url) {
    const text = String(url ?? '');
    try {
        const host = new URL(text).host;
        if (host) {
            return host;
        }
    } catch {
        // Not a URL: shown cut short below.
    }
    return text.slice(0, 100);
}

const TRACKER_STATUS_KEYS = {
    'not-contacted': 'viewerTrackerNotContacted',
    'announcing': 'viewerTrackerAnnouncing',
    'working': 'viewerTrackerWorking',
    'error': 'viewerTrackerError',
};

export function trackerStatusKey(status) {
    return TRACKER_STATUS_KEYS[status] ?? 'viewerTrackerNotContacted';
}

// The sources with every member present and sane, whatever an older host (or a delta) left out.
export function normalSources(sources) {
    const s = sources && typeof sources === 'object' ? sources : {};
    const trackers = (Array.isArray(s.trackers) ? s.trackers : []).filter((x) => x && typeof x === 'object')
        .map((x) => ({
            url: String(x.url ?? ''),
            name: trackerName(x.url),
            status: TRACKER_STATUS_KEYS[x.status] ? x.status : 'not-contacted',
            message: typeof x.message === 'string' ? x.message.slice(0, 500) : '',
            seeds: Number.isFinite(x.seeds) ? x.seeds : null,
            leechers: Number.isFinite(x.leechers) ? x.leechers : null,
        }));
    return {
        trackers,
        trackersTotal: Math.max(count(s.trackersTotal), trackers.length),
        webSeeds: count(s.webSeeds),
        dhtNodes: Number.isFinite(s.dhtNodes) ? Math.max(0, s.dhtNodes) : null,
        peersKnown: count(s.peersKnown),
    };
}

// Whether the torrent, as it stands, gets nowhere: no file list yet, or nobody connected and nothing arriving.
export function looksStuck(torrent) {
    if (!torrent || !ACTIVE_STATES.includes(torrent.state)) {
        return false;
    }
    if (torrent.hasMetadata !== true) {
        return true;
    }
    return count(torrent.peers) === 0 && !(torrent.downloadRate > 0) && !(torrent.progress >= 1);
}

const DHT_OFF_HINT = {key: 'viewerDiagnosisDhtOffHint', args: []};

// null while there is nothing to say; otherwise {reason, messages: [{key, args}], options} where `options`
// says the advice is a setting (the page then offers a way to Options). `stalledSeconds`: how long the page
// has seen it stuck (a torrent that had peers and lost them has run long, but has only just stalled); by
// default the torrent's own running time.
export function diagnose(torrent, {stalledSeconds} = {}) {
    if (!looksStuck(torrent)) {
        return null;
    }
    const active = count(torrent.activeSeconds);
    const stalled = stalledSeconds === undefined ? active : count(stalledSeconds);
    if (active < WAIT_SECONDS || stalled < WAIT_SECONDS || !torrent.sources) {
        return null;
    }
    const s = normalSources(torrent.sources);
    const peers = count(torrent.peers);
    const dhtOff = s.dhtNodes === null;
    const answer = (reason, messages, options = false) => ({reason, messages, options});

    if (peers > 0) {
        // Only without metadata: connected peers and metadata would not look stuck.
        return answer('no-metadata-from-peers', [{key: 'viewerDiagnosisNoMetadataFromPeers', args: [String(peers)]}]);
    }
    if (s.peersKnown > 0) {
        return answer('peers-unreachable', [{key: 'viewerDiagnosisPeersUnreachable', args: [String(s.peersKnown)]}]);
    }
    if (s.trackersTotal === 0) {
        if (s.webSeeds > 0 && torrent.hasMetadata === true) {
            return answer('web-seeds-silent', [{key: 'viewerDiagnosisWebSeedsSilent', args: [String(s.webSeeds)]},
                ...(dhtOff ? [DHT_OFF_HINT] : [])], dhtOff);
        }
        if (dhtOff) {
            return answer('no-sources', [{key: 'viewerDiagnosisNoSources', args: []}], true);
        }
        if (s.dhtNodes === 0) {
            return answer('dht-no-nodes', [{key: 'viewerDiagnosisDhtNoNodes', args: []}]);
        }
        return answer('dht-nobody', [{key: 'viewerDiagnosisDhtNobody', args: [String(s.dhtNodes)]}]);
    }
    const failed = s.trackers.filter((x) => x.status === 'error');
    const working = s.trackers.filter((x) => x.status === 'working');
    const hint = dhtOff ? [DHT_OFF_HINT] : [];
    if (s.trackers.length > 0 && failed.length === s.trackers.length) {
        // Name the tracker whose words say most: the first that gave a reason.
        const named = failed.find((x) => x.message) ?? failed[0];
        let first;
        if (!named.message) {
            first = {key: 'viewerDiagnosisTrackersFailedNoDetail', args: [String(s.trackersTotal), named.name]};
        } else if (s.trackersTotal === 1) {
            first = {key: 'viewerDiagnosisTrackerFailed', args: [named.name, named.message]};
        } else {
            first = {key: 'viewerDiagnosisTrackersFailed', args: [String(s.trackersTotal), named.name, named.message]};
        }
        return answer('trackers-failed', [first, ...hint], dhtOff);
    }
    if (working.length > 0) {
        const seeds = working.reduce((sum, x) => sum + count(x.seeds), 0);
        if (seeds > 0) {
            return answer('seeds-unreachable', [{key: 'viewerDiagnosisSeedsUnreachable', args: [String(seeds)]}]);
        }
        return answer('nobody-seeds', [{key: 'viewerDiagnosisNobodySeeds', args: []}]);
    }
    return answer('trackers-silent', [{key: 'viewerDiagnosisTrackersSilent', args: []}, ...hint], dhtOff);
}

// Every key diagnose() and the sources' display can answer, for the locale files and their test.
export function allDiagnosisKeys() {
    return [...Object.values(TRACKER_STATUS_KEYS), DHT_OFF_HINT.key, 'viewerDiagnosisNoMetadataFromPeers',
        'viewerDiagnosisPeersUnreachable', 'viewerDiagnosisNoSources', 'viewerDiagnosisDhtNoNodes',
        'viewerDiagnosisDhtNobody', 'viewerDiagnosisTrackersFailedNoDetail', 'viewerDiagnosisTrackerFailed',
        'viewerDiagnosisTrackersFailed', 'viewerDiagnosisSeedsUnreachable', 'viewerDiagnosisNobodySeeds',
        'viewerDiagnosisTrackersSilent', 'viewerDiagnosisWebSeedsSilent'];
}
