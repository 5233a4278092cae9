// Where a torrent looks for data, as the host knows it (each tracker's state and last error, the DHT, web
// seeds, peers known), and, once it has waited long enough, a sentence on what is wrong and what to try.
import {webext} from '../common/webext.js';
import {t, el, setText, show} from '../common/ui.js';
import {diagnose, looksStuck, normalSources, trackerStatusKey} from '../common/diagnosis.js';
import {$} from './parts.js';

const RECHECK_MS = 2000;

const seen = {
    torrent: null,
    receivedAt: 0,
    // When this page first saw the torrent stuck (with its metadata: a torrent that had peers and lost them).
    stalledSince: null,
    // The list is opened for the person once, when it starts to matter; after that it is theirs to close.
    opened: false,
    timer: null,
    rows: new Map(),
};

// The host counts activeSeconds, but a torrent that changes nothing else may send no update for a while: the
// seconds since the last state are counted here.
function withRunningTime(torrent) {
    if (!looksStuck(torrent) || !Number.isFinite(torrent.activeSeconds)) {
        return torrent;
    }
    return {...torrent, activeSeconds: torrent.activeSeconds + Math.floor((Date.now() - seen.receivedAt) / 1000)};
}

function trackerRow() {
    const row = {
        name: el('span', {class: 'tracker-name'}),
        status: el('span', {class: 'tracker-status'}),
        message: el('span', {class: 'tracker-message'}),
        counts: el('span', {class: 'tracker-counts'}),
    };
    row.li = el('li', {}, [row.name, ' ', row.status, ' ', row.message, ' ', row.counts]);
    return row;
}

function renderTrackers(sources) {
    const list = $('trackers');
    const keep = new Set();
    if (sources.trackersTotal === 0) {
        keep.add('');
        if (!seen.rows.has('')) {
            const li = el('li', {class: 'note', text: t('viewerNoTrackers')});
            seen.rows.set('', {li});
            list.append(li);
        }
    }
    for (const tracker of sources.trackers) {
        keep.add(tracker.url);
        let row = seen.rows.get(tracker.url);
        if (!row) {
            row = trackerRow();
            seen.rows.set(tracker.url, row);
            list.append(row.li);
        }
        setText(row.name, tracker.name);
        setText(row.status, t(trackerStatusKey(tracker.status)));
        row.status.dataset.status = tracker.status;
        setText(row.message, tracker.message);
        show(row.message, Boolean(tracker.message));
        const counted = tracker.seeds !== null || tracker.leechers !== null;
        setText(row.counts, counted
            ? t('viewerTrackerCounts', [String(tracker.seeds ?? 0), String(tracker.leechers ?? 0)]) : '');
        show(row.counts, counted);
    }
    for (const [key, row] of seen.rows) {
        if (!keep.has(key)) {
            row.li.remove();
            seen.rows.delete(key);
        }
    }
    const more = sources.trackersTotal - sources.trackers.length;
    show($('trackers-more'), more > 0);
    setText($('trackers-more'), more > 0 ? t('viewerTrackersMore', [String(more)]) : '');
}

function renderDiagnosis(torrent) {
    const stuck = looksStuck(torrent);
    if (!stuck) {
        seen.stalledSince = null;
    } else if (seen.stalledSince === null) {
        seen.stalledSince = Date.now();
    }
    const stalledSeconds = stuck && torrent.hasMetadata === true
        ? Math.floor((Date.now() - seen.stalledSince) / 1000) : undefined;
    const found = diagnose(withRunningTime(torrent), {stalledSeconds});
    show($('diagnosis'), Boolean(found));
    if (found) {
        $('diagnosis').dataset.reason = found.reason;
        setText($('diagnosis-text'), found.messages.map((m) => t(m.key, m.args)).join(' '));
        show($('open-options'), found.options);
    }
    return Boolean(found);
}

function render() {
    clearTimeout(seen.timer);
    const torrent = seen.torrent;
    const waiting = Boolean(torrent?.sources) && ['downloading', 'fetching-metadata'].includes(torrent.state);
    show($('sources'), waiting);
    if (!waiting) {
        show($('diagnosis'), false);
        return;
    }
    const sources = normalSources(torrent.sources);
    const working = sources.trackers.filter((x) => x.status === 'working').length;
    setText($('sources-summary'), t('viewerSourcesSummary', [String(working), String(sources.trackersTotal),
        sources.dhtNodes === null ? t('viewerDhtOff') : t('viewerDhtNodes', [String(sources.dhtNodes)]),
        String(sources.webSeeds), String(sources.peersKnown)]));
    renderTrackers(sources);
    const diagnosed = renderDiagnosis(torrent);
    if (!seen.opened && (diagnosed || torrent.hasMetadata !== true)) {
        seen.opened = true;
        $('sources').open = true;
    }
    // A stuck torrent may send nothing new: its diagnosis still comes when its time has come.
    if (looksStuck(torrent)) {
        seen.timer = setTimeout(render, RECHECK_MS);
    }
}

export function renderSources(torrent) {
    seen.torrent = torrent ?? null;
    seen.receivedAt = Date.now();
    render();
}

export function setupSources() {
    $('open-options').addEventListener('click', () => webext.runtime.openOptionsPage());
}
