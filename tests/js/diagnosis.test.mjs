// The viewer's diagnosis of a waiting torrent: what the host says of its sources becomes one plain sentence on
// what is wrong and what to try, and only once the torrent has had time to find its way.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {
    WAIT_SECONDS, allDiagnosisKeys, diagnose, looksStuck, normalSources, trackerName, trackerStatusKey,
} from '../../extension/common/diagnosis.js';

const locale = (lang) => JSON.parse(readFileSync(new URL(`../../extension/_locales/${lang}/messages.json`,
    import.meta.url), 'utf8'));

function tracker(url, status, extra = {}) {
    return {url, status, message: '', ...extra};
}

// A magnet still without its metadata, running for `seconds`, with these sources.
function waiting(sources, {seconds = 20, ...rest} = {}) {
    return {
        infoHash: 'a'.repeat(40), state: 'fetching-metadata', hasMetadata: false, progress: 0, downloadRate: 0,
        peers: 0, seeds: 0, activeSeconds: seconds,
        sources: {trackers: [], trackersTotal: 0, webSeeds: 0, dhtNodes: null, peersKnown: 0, ...sources},
        ...rest,
    };
}

test('a tracker is named by its host, never with the rest of its URL', () => {
    assert.equal(trackerName('http://127.0.0.1:1/announce'), '127.0.0.1:1');
    assert.equal(trackerName('udp://tracker.example.org:6969/announce'), 'tracker.example.org:6969');
    assert.equal(trackerName('https://t.example.org/a/0123456789abcdef/announce'), 't.example.org');
    assert.equal(trackerName('not a url'), 'not a url');
    assert.equal(trackerName(undefined), '');
    assert.equal(trackerStatusKey('error'), 'viewerTrackerError');
    assert.equal(trackerStatusKey('something new'), 'viewerTrackerNotContacted');
});

test('sources from an older host or a delta read as none, never as a crash', () => {
    assert.deepEqual(normalSources(undefined), {trackers: [], trackersTotal: 0, webSeeds: 0, dhtNodes: null,
        peersKnown: 0});
    const s = normalSources({trackers: [null, {url: 'http://a:1/x', status: 'bogus', seeds: 3}], trackersTotal: 0,
        webSeeds: -2, dhtNodes: 40, peersKnown: 1.5});
    assert.equal(s.trackers.length, 1);
    assert.equal(s.trackers[0].status, 'not-contacted');
    assert.equal(s.trackers[0].seeds, 3);
    assert.equal(s.trackers[0].leechers, null);
    assert.equal(s.trackersTotal, 1);
    assert.equal(s.webSeeds, 0);
    assert.equal(s.dhtNodes, 40);
    assert.equal(s.peersKnown, 1);
});

test('nothing is said before the torrent had time, nor about one that moves or is done', () => {
    const failed = {trackers: [tracker('http://127.0.0.1:1/announce', 'error', {message: 'Connection refused'})],
        trackersTotal: 1};
    assert.equal(diagnose(waiting(failed, {seconds: WAIT_SECONDS - 1})), null);
    assert.ok(diagnose(waiting(failed, {seconds: WAIT_SECONDS})));
    assert.equal(diagnose(waiting(failed, {state: 'paused'})), null);
    assert.equal(diagnose(waiting(failed, {state: 'seeding', hasMetadata: true, progress: 1})), null);
    assert.equal(diagnose(waiting(failed, {hasMetadata: true, state: 'downloading', peers: 2, downloadRate: 5000})),
        null);
    // With its metadata and stuck, it is the page's count of stalled seconds that matters.
    const stalled = waiting(failed, {hasMetadata: true, state: 'downloading', seconds: 600});
    assert.equal(diagnose(stalled, {stalledSeconds: 3}), null);
    assert.equal(diagnose(stalled, {stalledSeconds: WAIT_SECONDS}).reason, 'trackers-failed');
    // No sources member at all (an older host): nothing to reason from.
    assert.equal(diagnose({...waiting({}), sources: undefined}), null);
});

test('looksStuck: no metadata, or nobody and nothing arriving', () => {
    assert.equal(looksStuck(waiting({})), true);
    assert.equal(looksStuck(waiting({}, {state: 'downloading', hasMetadata: true, peers: 0, downloadRate: 0})), true);
    assert.equal(looksStuck(waiting({}, {state: 'downloading', hasMetadata: true, peers: 1})), false);
    assert.equal(looksStuck(waiting({}, {state: 'downloading', hasMetadata: true, downloadRate: 10})), false);
    assert.equal(looksStuck(waiting({}, {state: 'checking'})), false);
    assert.equal(looksStuck(null), false);
});

test('the only tracker failed: it is named with its error; DHT off is mentioned with a way to Options', () => {
    const d = diagnose(waiting({trackers: [tracker('http://127.0.0.1:1/announce', 'error',
        {message: 'Connection refused'})], trackersTotal: 1}));
    assert.equal(d.reason, 'trackers-failed');
    assert.deepEqual(d.messages, [
        {key: 'viewerDiagnosisTrackerFailed', args: ['127.0.0.1:1', 'Connection refused']},
        {key: 'viewerDiagnosisDhtOffHint', args: []},
    ]);
    assert.equal(d.options, true);
});

test('several trackers failed: the count, and the first that gave a reason', () => {
    const d = diagnose(waiting({trackers: [tracker('udp://a.example:1/announce', 'error'),
        tracker('http://b.example/announce', 'error', {message: 'timed out'})], trackersTotal: 2, dhtNodes: 120}));
    assert.deepEqual(d.messages, [{key: 'viewerDiagnosisTrackersFailed', args: ['2', 'b.example', 'timed out']}]);
    assert.equal(d.options, false);
    const silent = diagnose(waiting({trackers: [tracker('udp://a.example:1/announce', 'error')], trackersTotal: 3,
        dhtNodes: 5}));
    assert.deepEqual(silent.messages, [{key: 'viewerDiagnosisTrackersFailedNoDetail', args: ['3', 'a.example:1']}]);
});

test('no tracker and DHT off: turn DHT on in Options', () => {
    const d = diagnose(waiting({}));
    assert.equal(d.reason, 'no-sources');
    assert.deepEqual(d.messages, [{key: 'viewerDiagnosisNoSources', args: []}]);
    assert.equal(d.options, true);
    assert.equal(diagnose(waiting({dhtNodes: 0})).reason, 'dht-no-nodes');
    assert.deepEqual(diagnose(waiting({dhtNodes: 180})).messages, [{key: 'viewerDiagnosisDhtNobody', args: ['180']}]);
});

test('trackers answer but nobody shares it, or those who do cannot be reached', () => {
    const nobody = diagnose(waiting({trackers: [tracker('http://t.example/announce', 'working', {seeds: 0,
        leechers: 0})], trackersTotal: 1}));
    assert.equal(nobody.reason, 'nobody-seeds');
    assert.deepEqual(nobody.messages, [{key: 'viewerDiagnosisNobodySeeds', args: []}]);
    // One tracker working is enough to say it is not the connection to trackers.
    const mixed = diagnose(waiting({trackers: [tracker('http://t.example/announce', 'working', {seeds: 4}),
        tracker('udp://u.example:80', 'error', {message: 'host not found'})], trackersTotal: 2}));
    assert.equal(mixed.reason, 'seeds-unreachable');
    assert.deepEqual(mixed.messages[0].args, ['4']);
    const pending = diagnose(waiting({trackers: [tracker('http://t.example/announce', 'announcing')],
        trackersTotal: 1, dhtNodes: 10}));
    assert.equal(pending.reason, 'trackers-silent');
    assert.equal(pending.messages.length, 1);
});

test('peers known or connected: what they fail to give', () => {
    assert.equal(diagnose(waiting({peersKnown: 7})).reason, 'peers-unreachable');
    assert.deepEqual(diagnose(waiting({peersKnown: 7}, {peers: 2})).messages,
        [{key: 'viewerDiagnosisNoMetadataFromPeers', args: ['2']}]);
});

test('every key the diagnosis can answer is in both locales, with its substitutions', () => {
    const en = locale('en');
    const fr = locale('fr');
    for (const key of allDiagnosisKeys()) {
        assert.ok(en[key]?.message, `en ${key}`);
        assert.ok(fr[key]?.message, `fr ${key}`);
        assert.deepEqual(Object.keys(fr[key].placeholders ?? {}), Object.keys(en[key].placeholders ?? {}), key);
    }
});

test('web seeds that send nothing, with no tracker: their server, not the network of peers', () => {
    const d = diagnose(waiting({webSeeds: 2}, {state: 'downloading', hasMetadata: true}));
    assert.equal(d.reason, 'web-seeds-silent');
    assert.deepEqual(d.messages, [{key: 'viewerDiagnosisWebSeedsSilent', args: ['2']},
        {key: 'viewerDiagnosisDhtOffHint', args: []}]);
    // Without metadata a web seed cannot help yet: the question is still who has the file list.
    assert.equal(diagnose(waiting({webSeeds: 2})).reason, 'no-sources');
});
