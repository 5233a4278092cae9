// The intent table with fake senders and a fake host: who may ask what, what reaches the host, what comes
// back to a page, and the per-tab limits.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {createIntents} from '../../extension/background/intents.js';
import {StateStore} from '../../extension/background/state.js';
import {PriorityKeeper} from '../../extension/background/priorities.js';
import {HostError} from '../../extension/background/host_port.js';
import {FakeHost} from './support/fake_host.mjs';

const runtimeId = 'ljkaphncpbkfgfeoncgogkmhcmcompjk';
const extensionOrigin = `chrome-extension://${runtimeId}`;
const infoHash = '0123456789abcdef0123456789abcdef01234567';
const magnet = `magnet:?xt=urn:btih:${infoHash}&dn=les-veilleurs`;
const publisherKey = 'ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=';
const markup = JSON.stringify({bundleId: 'les-veilleurs', gateUrl: 'https://gate.example.org/', magnet,
    publisherKey, version: 3});
const stream = (i) => `http://127.0.0.1:4000/s/${'f'.repeat(32)}/${infoHash}/${i}/x`;

const popup = {id: runtimeId, url: `${extensionOrigin}/popup/popup.html`};
const tab = (id, url = 'https://creator.example.org/les-veilleurs') => ({id: runtimeId, url, tab: {id}, frameId: 0});

const bundle = {
    infoHash, status: 'verified', signature: 'valid', bundleId: 'les-veilleurs', version: 3, title: 'Les Veilleurs',
    creator: 'Atelier Nuit', description: '', publisherKey,
    items: [
        {path: 'pilot.webm', fileIndex: 3, size: 10, mediaType: 'video/webm', sha256: 'a'.repeat(64), access: 'free',
            streamUrl: stream(3), subtitles: [{lang: 'fr', label: 'Français', path: 'pilot.fr.vtt', fileIndex: 4}]},
        {path: 'episode-1.webm.locked', fileIndex: 5, size: 10, mediaType: 'video/webm', sha256: 'b'.repeat(64),
            access: 'locked', gate: 'email', unlocked: false},
    ],
    gates: {email: {}},
};
const files = ['bundle.json', 'bundle.sig', 'cover.jpg', 'pilot.webm', 'pilot.fr.vtt', 'episode-1.webm.locked']
    .map((name, index) => ({index, path: `les-veilleurs/${name}`, size: 10, progress: 0, mime: 'video/webm',
        priority: 4, streamUrl: stream(index)}));

function setup(answers = {}) {
    const host = new FakeHost({
        'torrent.add': {infoHash, name: 'les-veilleurs', duplicate: false},
        'torrent.list': {torrents: []},
        'torrent.files': {files, total: files.length, offset: 0},
        'torrent.setFilePriorities': {infoHash},
        'bundle.get': bundle,
        'settings.get': {downloadFolder: '/home/me/Downloads/'},
        ...answers,
    });
    let clock = 1000;
    const opened = [];
    const logged = [];
    const state = new StateStore({host});
    const priorities = new PriorityKeeper({host});
    const playsAnswer = {answered: false};
    const intents = createIntents({
        host, state, priorities, runtimeId, extensionOrigin,
        extensionUrl: (path) => `${extensionOrigin}/${path}`,
        openTab: async (url) => opened.push(url),
        linkPolicy: async () => 'always',
        playsAnswered: async (answered) => {
            playsAnswer.answered ||= answered === true;
            return playsAnswer.answered;
        },
        cardChanged: () => {},
        log: (text) => logged.push(text),
        now: () => clock,
    });
    return {host, intents, opened, logged, priorities, playsAnswer, tick: (ms) => { clock += ms; }};
}

test('senders are told apart by what the browser says, not by the message', async () => {
    const {intents, logged} = setup();
    assert.equal((await intents.handle({intent: 'state.get'}, popup)).ok, true);
    assert.equal((await intents.handle({intent: 'page.linkPolicy'}, tab(7))).result.handleLinks, 'always');
    const refused = [
        {id: 'someone-else', url: `${extensionOrigin}/popup/popup.html`},
        {id: runtimeId, url: `chrome-extension://${runtimeId}.evil.example/popup.html`},
        {id: runtimeId},
        {...tab(7), frameId: -1},
        {...tab(7), frameId: undefined},
        {...tab(7), frameId: 2, url: 'about:blank'},
        {...tab(7), url: 'file:///home/me/page.html'},
        {id: runtimeId, url: 'https://creator.example.org/', frameId: 0},
        undefined,
    ];
    for (const sender of refused) {
        const reply = await intents.handle({intent: 'page.linkPolicy', from: 'extension'}, sender);
        assert.deepEqual(reply, {ok: false, error: {code: 2005, message: 'not allowed'}}, JSON.stringify(sender));
    }
    assert.ok(logged.length >= refused.length);
});

test('a content script cannot use the pages\' intents, nor a page the content script\'s', async () => {
    const {intents, host} = setup();
    for (const intent of ['state.get', 'torrent.add', 'torrent.files', 'settings.get', 'stream.info', 'bundle.get']) {
        const reply = await intents.handle({intent, infoHash, uri: magnet}, tab(7));
        assert.equal(reply.error.code, 2005, intent);
    }
    assert.equal((await intents.handle({intent: 'page.bundle', markup}, popup)).error.code, 2005);
    assert.equal((await intents.handle({intent: 'torrent.fly'}, popup)).error.code, 2006);
    assert.deepEqual(host.calls, []);
});

test('at most 20 content-script intents per tab per second', async () => {
    const {intents, tick} = setup();
    for (let i = 0; i < 20; i += 1) {
        assert.equal((await intents.handle({intent: 'page.linkPolicy'}, tab(7))).ok, true, `request ${i}`);
    }
    assert.equal((await intents.handle({intent: 'page.linkPolicy'}, tab(7))).error.code, 2007);
    assert.equal((await intents.handle({intent: 'page.linkPolicy'}, tab(8))).ok, true);
    tick(1000);
    assert.equal((await intents.handle({intent: 'page.linkPolicy'}, tab(7))).ok, true);
    for (let i = 0; i < 30; i += 1) {
        await intents.handle({intent: 'state.get'}, popup);
    }
    assert.equal((await intents.handle({intent: 'state.get'}, popup)).ok, true);
});

test('page.bundle adds only the magnet, and the page may then touch that torrent alone', async () => {
    const {intents, host} = setup({'bundle.pledge': {status: 'pledged', campaignId: 'c', bundleId: 'les-veilleurs',
        pledgeId: 'p', state: 'confirmed', amount: 100, receipts: 3}});
    const reply = await intents.handle({intent: 'page.bundle', markup, savePath: '/tmp/evil'}, tab(7));
    assert.deepEqual(reply, {ok: true, result: {infoHash}});
    assert.deepEqual(host.called('torrent.add'), [{uri: magnet}]);

    const other = 'b'.repeat(40);
    assert.equal((await intents.handle({intent: 'page.pledge', infoHash: other}, tab(7))).error.code, 2005);
    assert.equal((await intents.handle({intent: 'page.pledge', infoHash}, tab(8))).error.code, 2005);
    assert.equal((await intents.handle({intent: 'page.pledge', infoHash},
        tab(7, 'https://elsewhere.example.net/'))).error.code, 2005);
    assert.deepEqual(host.called('bundle.pledge'), []);

    const pledged = await intents.handle({intent: 'page.pledge', infoHash, amount: 100, extra: 'x'}, tab(7));
    assert.equal(pledged.result.status, 'pledged');
    assert.equal(pledged.result.receipts, undefined);
    assert.deepEqual(host.called('bundle.pledge'), [{infoHash, amount: 100}]);

    intents.forgetTab(7);
    assert.equal((await intents.handle({intent: 'page.pledge', infoHash}, tab(7))).error.code, 2005);
});

test('bad markup and bad parameters never reach the host', async () => {
    const {intents, host} = setup();
    assert.equal((await intents.handle({intent: 'page.bundle', markup: '{"magnet": 1}'}, tab(7))).error.code, 2008);
    assert.equal((await intents.handle({intent: 'page.bundle', markup: 'x'.repeat(9000)}, tab(7))).error.code, 2006);
    assert.equal((await intents.handle({intent: 'page.bundle', markup: {toString: () => markup}}, tab(7)))
        .error.code, 2006);
    for (const bad of ['ABC', 'g'.repeat(40), 'a'.repeat(41), 42, {length: 40}]) {
        const reply = await intents.handle({intent: 'torrent.pause', infoHash: bad}, popup);
        assert.equal(reply.error.code, 2006, String(bad));
    }
    assert.equal((await intents.handle({intent: 'player.open', infoHash, fileIndex: 1.5}, popup)).error.code, 2006);
    assert.equal((await intents.handle({intent: 'torrent.add', uri: 'file:///etc/passwd'}, popup)).error.code, 2006);
    assert.deepEqual(host.calls, []);
});

test('a page sees error codes and names, not the host\'s words or details', async () => {
    const {intents} = setup({'bundle.unlock': new HostError(1108, 'cannot write /home/me/secret',
        {detail: '/home/me/secret', gateCode: 'bad_email', token: 'T'})});
    await intents.handle({intent: 'page.bundle', markup}, tab(7));
    const reply = await intents.handle({intent: 'page.unlock', infoHash, gate: 'email', email: 'a@b.c'}, tab(7));
    assert.deepEqual(reply, {ok: false, error: {code: 1108, message: 'gate_refused', data: {gateCode: 'bad_email'}}});
});

test('page.unlock with pay opens the checkout and keeps its URL from the page', async () => {
    const checkoutUrl = 'https://pay.example.org/checkout/42?secret=1';
    const {intents, opened, host, tick} = setup({'bundle.unlock': {status: 'checkout', bundleId: 'les-veilleurs',
        paymentId: 'pay-1', checkoutUrl, amount: 500, currency: 'EUR'}});
    await intents.handle({intent: 'page.bundle', markup}, tab(7));
    const reply = await intents.handle({intent: 'page.unlock', infoHash, gate: 'pay', amount: 500}, tab(7));
    assert.deepEqual(reply.result, {status: 'checkout', bundleId: 'les-veilleurs', amount: 500, currency: 'EUR'});
    assert.deepEqual(opened, [checkoutUrl]);
    assert.deepEqual(host.called('bundle.unlock'), [{infoHash, gate: 'pay', amount: 500}]);
    assert.equal((await intents.handle({intent: 'page.unlock', infoHash, gate: 'pay', amount: 500}, tab(7)))
        .error.code, 2007);
    tick(1000);
    assert.equal((await intents.handle({intent: 'page.unlock', infoHash, gate: 'wire', amount: 5}, tab(7)))
        .error.code, 2006);
});

const pledgeCheckout = 'https://checkout.example.org/c/pay/cs_42?secret=1';
const pledged = {status: 'pledged', campaignId: 'saison-2', bundleId: 'les-veilleurs', pledgeId: 'p-1',
    state: 'pending', amount: 1500, receipts: 1, checkoutUrl: pledgeCheckout, chargedOn: '2027-03-01T00:00:00Z'};

test('page.pledge opens the provider\'s page and keeps its URL from the page', async () => {
    const {intents, opened, host, tick} = setup({'bundle.pledge': pledged});
    await intents.handle({intent: 'page.bundle', markup}, tab(7));
    const reply = await intents.handle({intent: 'page.pledge', infoHash, amount: 1500}, tab(7));
    assert.equal(reply.ok, true);
    assert.deepEqual(opened, [pledgeCheckout]);
    assert.deepEqual(reply.result, {status: 'pledged', campaignId: 'saison-2', bundleId: 'les-veilleurs',
        pledgeId: 'p-1', state: 'pending', amount: 1500, chargedOn: '2027-03-01T00:00:00Z'});
    // A page cannot make us open tabs faster than one a second, even by pledging.
    assert.equal((await intents.handle({intent: 'page.pledge', infoHash}, tab(7))).error.code, 2007);
    assert.equal(host.called('bundle.pledge').length, 1);
    tick(1000);
    // Pledging again while the card is still to be saved opens the page again; once saved, nothing opens.
    host.answers['bundle.pledge'] = {...pledged, status: 'alreadyPledged'};
    await intents.handle({intent: 'page.pledge', infoHash}, tab(7));
    assert.deepEqual(opened, [pledgeCheckout, pledgeCheckout]);
    tick(1000);
    host.answers['bundle.pledge'] = {...pledged, status: 'alreadyPledged', state: 'confirmed', checkoutUrl: undefined};
    await intents.handle({intent: 'page.pledge', infoHash}, tab(7));
    assert.equal(opened.length, 2);
});

test('a pledge\'s page that is not http(s) is never opened', async () => {
    const {intents, opened} = setup({'bundle.pledge': {...pledged, checkoutUrl: 'javascript:alert(1)'}});
    await intents.handle({intent: 'page.bundle', markup}, tab(7));
    assert.equal((await intents.handle({intent: 'page.pledge', infoHash}, tab(7))).ok, true);
    assert.deepEqual(opened, []);
});

test('page.updatePledgePayment asks the host for a new page and opens it', async () => {
    const answer = {status: 'checkout', campaignId: 'saison-2', bundleId: 'les-veilleurs', pledgeId: 'p-1',
        state: 'charge_failed', amount: null, receipts: 1, declineCode: 'insufficient_funds',
        checkoutUrl: 'https://checkout.example.org/c/pay/cs_43'};
    const {intents, opened, host, tick} = setup({'bundle.updatePledgePayment': answer});
    assert.equal((await intents.handle({intent: 'page.updatePledgePayment', infoHash}, tab(7))).error.code, 2005);
    await intents.handle({intent: 'page.bundle', markup}, tab(7));
    const reply = await intents.handle({intent: 'page.updatePledgePayment', infoHash, checkoutUrl: 'x'}, tab(7));
    assert.equal(reply.ok, true);
    assert.deepEqual(host.called('bundle.updatePledgePayment'), [{infoHash}]);
    assert.deepEqual(opened, ['https://checkout.example.org/c/pay/cs_43']);
    assert.equal(reply.result.checkoutUrl, undefined);
    assert.equal(reply.result.receipts, undefined);
    assert.equal(reply.result.status, 'checkout');
    tick(1000);
    host.answers['bundle.updatePledgePayment'] = new HostError(1114, 'the pledge is charged',
        {gateCode: 'pledge_not_updatable', detail: 'x'});
    const refused = await intents.handle({intent: 'page.updatePledgePayment', infoHash}, tab(7));
    assert.deepEqual(refused, {ok: false, error: {code: 1114, message: 'pledge_not_updatable',
        data: {gateCode: 'pledge_not_updatable'}}});
    assert.equal(opened.length, 1);
});

test('a pledge\'s tier reaches the host as the page names it, and only an id of a tier', async () => {
    const {intents, host, tick} = setup({'bundle.pledge': {...pledged, tier: 'collector'}});
    await intents.handle({intent: 'page.bundle', markup}, tab(7));
    const reply = await intents.handle({intent: 'page.pledge', infoHash, amount: 4000, tier: 'collector'}, tab(7));
    assert.equal(reply.result.tier, 'collector');
    assert.deepEqual(host.called('bundle.pledge'), [{infoHash, amount: 4000, tier: 'collector'}]);
    for (const tier of ['Collector', 'a b', '../x', '', 'x'.repeat(65), 7, null]) {
        tick(1000);
        const refused = await intents.handle({intent: 'page.pledge', infoHash, tier}, tab(7));
        assert.equal(refused.error?.code, 2006, String(tier));
        tick(1000);
        assert.equal((await intents.handle({intent: 'bundle.pledge', infoHash, tier}, popup)).error?.code, 2006);
    }
    assert.equal(host.called('bundle.pledge').length, 1);
    await intents.handle({intent: 'bundle.pledge', infoHash, tier: 'season'}, popup);
    assert.deepEqual(host.called('bundle.pledge').at(-1), {infoHash, tier: 'season'});
});

test('the pages\' bundle.pledge and bundle.updatePledgePayment open the provider\'s page too', async () => {
    const {intents, opened} = setup({'bundle.pledge': pledged, 'bundle.updatePledgePayment': {status: 'checkout',
        campaignId: 'saison-2', bundleId: 'les-veilleurs', pledgeId: 'p-1', state: 'charge_failed', amount: null,
        receipts: 1, checkoutUrl: 'https://checkout.example.org/c/pay/cs_44'}});
    const reply = await intents.handle({intent: 'bundle.pledge', infoHash}, popup);
    assert.equal(reply.result.checkoutUrl, pledgeCheckout);
    assert.equal((await intents.handle({intent: 'bundle.updatePledgePayment', infoHash}, popup)).ok, true);
    assert.deepEqual(opened, [pledgeCheckout, 'https://checkout.example.org/c/pay/cs_44']);
    assert.equal((await intents.handle({intent: 'bundle.updatePledgePayment', infoHash: 'x'}, popup)).error.code, 2006);
});

test('page.openLink opens the viewer on a checked link, one tab a second', async () => {
    const {intents, opened, tick} = setup();
    assert.deepEqual((await intents.handle({intent: 'page.openLink', url: magnet}, tab(7))).result, {});
    assert.deepEqual(opened, [`${extensionOrigin}/viewer/viewer.html?uri=${encodeURIComponent(magnet)}`]);
    assert.equal((await intents.handle({intent: 'page.openLink', url: magnet}, tab(7))).error.code, 2007);
    tick(1000);
    assert.equal((await intents.handle({intent: 'page.openLink', url: 'javascript:alert(1)'}, tab(7))).error.code,
        2006);
    assert.equal(opened.length, 1);
});

test('page.play answers an embedded player and wants the item with its subtitles', async () => {
    const {intents, host} = setup();
    await intents.handle({intent: 'page.bundle', markup}, tab(7));
    const reply = await intents.handle({intent: 'page.play', infoHash, path: 'pilot.webm'}, tab(7));
    assert.deepEqual(reply.result, {frame: `${extensionOrigin}/player/player.html?infoHash=${infoHash}&file=3&embed=1`});
    assert.deepEqual(host.called('torrent.setFilePriorities').at(-1),
        {infoHash, files: [{index: 3, priority: 4}, {index: 4, priority: 4}]});
    assert.ok(!JSON.stringify(reply).includes('127.0.0.1'));
    const locked = await intents.handle({intent: 'page.play', infoHash, path: 'episode-1.webm.locked'}, tab(7));
    assert.equal(locked.error.code, 1104);
});

test('a page visit trims the bundle to its manifest, then brings back cover and subtitles', async () => {
    const {intents, host, priorities} = setup({'bundle.get': {...bundle, cover: {path: 'cover.jpg', fileIndex: 2}}});
    await intents.handle({intent: 'page.bundle', markup}, tab(7));
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(host.called('torrent.setFilePriorities')[0], {infoHash,
        files: [2, 3, 4, 5].map((index) => ({index, priority: 0}))});
    assert.ok(priorities.isTrimmed(infoHash));
    await priorities.onBundle(infoHash, {...bundle, cover: {path: 'cover.jpg', fileIndex: 2}});
    assert.deepEqual(host.called('torrent.setFilePriorities')[1], {infoHash,
        files: [{index: 2, priority: 4}, {index: 4, priority: 4}]});
});

test('a torrent already there is not trimmed by a page that names it', async () => {
    const {intents, host} = setup({'torrent.add': {infoHash, name: 'x', duplicate: true}});
    await intents.handle({intent: 'page.bundle', markup}, tab(7));
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(host.called('torrent.setFilePriorities'), []);
});

test('bundle.export writes under the download folder, named after the item', async () => {
    const {intents, host} = setup({'bundle.export': (p) => ({destination: p.destination, bytes: 10})});
    const reply = await intents.handle({intent: 'bundle.export', infoHash, path: 'episode-1.webm.locked'}, popup);
    assert.equal(reply.ok, true);
    assert.deepEqual(host.called('bundle.export'), [{infoHash, path: 'episode-1.webm.locked',
        destination: '/home/me/Downloads/Sluice exports/les-veilleurs/episode-1.webm'}]);
});

test('settings.set forwards only the settings it knows, each checked', async () => {
    const {intents, host} = setup({'settings.set': (p) => p});
    await intents.handle({intent: 'settings.set', dht: false, listenPort: 6881, peerPort: 1, savePath: '/x'}, popup);
    assert.deepEqual(host.called('settings.set'), [{dht: false, listenPort: 6881}]);
    assert.equal((await intents.handle({intent: 'settings.set', listenPort: 70000}, popup)).error.code, 2006);
});

test('plays reach the host only once the viewer answered, and the answer is the host\'s setting', async () => {
    const {intents, host, playsAnswer} = setup({'settings.set': (p) => p, 'bundle.played': {counted: true}});
    const play = {intent: 'plays.report', infoHash, path: 'pilot.webm', event: 'started'};
    assert.deepEqual((await intents.handle(play, popup)).result, {counted: false, ask: true});
    assert.deepEqual(host.called('bundle.played'), [], 'nothing goes to the host before the viewer answers');

    const answer = await intents.handle({intent: 'plays.answer', yes: true}, popup);
    assert.deepEqual(answer.result, {reportPlays: true});
    assert.deepEqual(host.called('settings.set'), [{reportPlays: true}]);
    assert.equal(playsAnswer.answered, true);
    assert.deepEqual((await intents.handle(play, popup)).result, {counted: true});
    assert.deepEqual(host.called('bundle.played'), [{infoHash, path: 'pilot.webm', event: 'started'}]);

    // Only the members a play has, each checked.
    assert.equal((await intents.handle({...play, event: 'paused'}, popup)).error.code, 2006);
    assert.equal((await intents.handle({...play, device: 'x'}, popup)).ok, true);
    assert.deepEqual(host.called('bundle.played').at(-1), {infoHash, path: 'pilot.webm', event: 'started'});
    assert.equal((await intents.handle({intent: 'plays.answer', yes: 'maybe'}, popup)).error.code, 2006);
});

test('translation intents pass what the editor wrote, each member checked', async () => {
    const {intents, host} = setup({'translation.submit': () => ({submissionId: 's1', state: 'pending'})});
    const sent = {intent: 'translation.submit', infoHash, item: 'pilot.webm', lang: 'es', label: 'Español',
        translator: 'Ana', licence: 'CC-BY-4.0', track: 'WEBVTT\n', basedOn: 'abc'};
    assert.deepEqual((await intents.handle(sent, popup)).result, {submissionId: 's1', state: 'pending'});
    const params = {...sent};
    delete params.intent;
    assert.deepEqual(host.called('translation.submit'), [params]);
    assert.equal((await intents.handle({...sent, track: 'x'.repeat(512 * 1024 + 1)}, popup)).error.code, 2006);
    assert.equal((await intents.handle({...sent, translator: 7}, popup)).error.code, 2006);
    assert.equal((await intents.handle({intent: 'translation.get', infoHash}, popup)).error.code, 2006);
});

test('choosing on the options page counts as the answer', async () => {
    const {intents, host, playsAnswer} = setup({'settings.set': (p) => p});
    await intents.handle({intent: 'settings.set', dht: true}, popup);
    assert.equal(playsAnswer.answered, false);
    await intents.handle({intent: 'settings.set', reportPlays: false}, popup);
    assert.equal(playsAnswer.answered, true);
    assert.deepEqual(host.called('settings.set').at(-1), {reportPlays: false});
});

test('stream.info: a bundle item with its subtitles and its resume key', async () => {
    const {intents} = setup();
    const reply = await intents.handle({intent: 'stream.info', infoHash, fileIndex: 3}, popup);
    assert.deepEqual(reply.result, {name: 'pilot.webm', mime: 'video/webm', size: 10, progress: 0,
        streamUrl: stream(3), subtitles: [{lang: 'fr', label: 'Français', url: stream(4)}],
        itemKey: 'les-veilleurs/pilot.webm', bundleId: 'les-veilleurs', bundleItem: 'pilot.webm', hasGate: false,
        downloadRate: 0});
    const plain = await intents.handle({intent: 'stream.info', infoHash, fileIndex: 2}, popup);
    assert.equal(plain.result.itemKey, `${infoHash}/2`);
    assert.equal((await intents.handle({intent: 'stream.info', infoHash, fileIndex: 99}, popup)).error.code, 1004);
});

test('media.probe and media.open reach the host with only the members they name', async () => {
    const probe = {media: {container: 'matroska', duration: 4, video: null, audio: [], subtitles: []},
        questions: ['audio/mp4; codecs="ac-3"']};
    const {intents, host} = setup({'media.probe': probe, 'media.open': {mode: 'remux', url: 'u', mime: 'audio/mp4'}});
    const probed = await intents.handle({intent: 'media.probe', infoHash, fileIndex: 3, path: '/etc'}, popup);
    assert.deepEqual(probed.result, probe);
    await intents.handle({intent: 'media.open', infoHash, fileIndex: 3, playable: ['audio/mp4; codecs="ac-3"'],
        audio: 2, url: 'http://evil.example/'}, popup);
    await intents.handle({intent: 'media.open', infoHash, fileIndex: 3, playable: []}, popup);
    await intents.handle({intent: 'media.open', infoHash, fileIndex: 3, playable: [], start: 42.5}, popup);
    assert.deepEqual(host.called('media.probe'), [{infoHash, fileIndex: 3}]);
    assert.deepEqual(host.called('media.open'), [
        {infoHash, fileIndex: 3, playable: ['audio/mp4; codecs="ac-3"'], audio: 2},
        {infoHash, fileIndex: 3, playable: []},
        {infoHash, fileIndex: 3, playable: [], start: 42.5},
    ]);
    // A content script may not ask either.
    assert.equal((await intents.handle({intent: 'media.probe', infoHash, fileIndex: 3}, tab(7))).error.code, 2005);
});

test('media.probe and media.open refuse bad parameters before the host sees them', async () => {
    const {intents, host} = setup({'media.probe': {}, 'media.open': {}});
    const open = (params) => intents.handle({intent: 'media.open', infoHash, fileIndex: 3, playable: [], ...params},
        popup);
    const bad = [
        await intents.handle({intent: 'media.probe', infoHash: 'ABC', fileIndex: 3}, popup),
        await intents.handle({intent: 'media.probe', infoHash, fileIndex: -1}, popup),
        await intents.handle({intent: 'media.probe', infoHash}, popup),
        await open({infoHash: 'g'.repeat(40)}),
        await open({playable: undefined}),
        await open({playable: 'video/webm'}),
        await open({playable: Array.from({length: 65}, () => 'video/webm')}),
        await open({playable: ['x'.repeat(257)]}),
        await open({playable: ['']}),
        await open({playable: [42]}),
        await open({audio: 1.5}),
        await open({audio: '1'}),
        await open({audio: 100}),
        await open({audio: -1}),
        await open({start: -1}),
        await open({start: '3'}),
        await open({start: NaN}),
        await open({start: 1e8}),
    ];
    bad.forEach((reply, i) => assert.equal(reply.error?.code, 2006, `case ${i}`));
    assert.deepEqual(host.calls, []);
    // The limits themselves are allowed.
    assert.equal((await open({playable: Array.from({length: 64}, () => 'x'.repeat(256)), audio: 99})).ok, true);
    assert.equal((await open({audio: 0})).ok, true);
});
