// Content scripts in subframes: what the browser says about a frame decides what it is, a frame may only
// open links, it shares its tab's limits, and it speaks for its own origin, never for the page around it.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {classifySender, senderOrigin} from '../../extension/background/senders.js';
import {createIntents} from '../../extension/background/intents.js';
import {createPortHub} from '../../extension/background/ports.js';
import {StateStore} from '../../extension/background/state.js';
import {PriorityKeeper} from '../../extension/background/priorities.js';
import {FakeHost} from './support/fake_host.mjs';

const runtimeId = 'ljkaphncpbkfgfeoncgogkmhcmcompjk';
const extensionOrigin = `chrome-extension://${runtimeId}`;
const ids = {runtimeId, extensionOrigin};
const infoHash = '0123456789abcdef0123456789abcdef01234567';
const magnet = `magnet:?xt=urn:btih:${infoHash}&dn=les-veilleurs`;
const publisherKey = 'ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=';
const markup = JSON.stringify({bundleId: 'les-veilleurs', gateUrl: 'https://gate.example.org/', magnet,
    publisherKey, version: 3});
const creator = 'https://creator.example.org';

const top = (tabId, url = `${creator}/les-veilleurs`) => ({id: runtimeId, url, tab: {id: tabId, url}, frameId: 0});
// A frame as the browser describes it: the tab (whose url is the top page's) and the frame's own url and origin.
const frame = (tabId, frameId, url, origin) => ({id: runtimeId, url, ...(origin === undefined ? {} : {origin}),
    tab: {id: tabId, url: `${creator}/les-veilleurs`}, frameId});

function setup() {
    const host = new FakeHost({
        'torrent.add': {infoHash, name: 'les-veilleurs', duplicate: true},
        'torrent.list': {torrents: []},
        'bundle.get': {infoHash, status: 'verified', bundleId: 'les-veilleurs', publisherKey, items: [], gates: {}},
        'bundle.pledge': {status: 'pledged', pledgeId: 'p'},
    });
    let clock = 1000;
    const opened = [];
    const state = new StateStore({host});
    const intents = createIntents({
        host, state, priorities: new PriorityKeeper({host}), runtimeId, extensionOrigin,
        extensionUrl: (path) => `${extensionOrigin}/${path}`,
        openTab: async (url) => opened.push(url),
        linkPolicy: async () => 'ask',
        cardChanged: () => {},
        now: () => clock,
    });
    return {host, state, intents, opened, tick: (ms) => { clock += ms; }};
}

test('a subframe is a frame, told by frameId and its own url and origin', () => {
    assert.equal(classifySender(top(7), ids), 'content');
    assert.equal(classifySender(frame(7, 3, 'https://ads.example.net/slot'), ids), 'frame');
    assert.equal(classifySender(frame(7, 3, 'https://ads.example.net/slot', 'https://ads.example.net'), ids), 'frame');
    // about:blank and srcdoc frames: only an origin the browser reports names them.
    assert.equal(classifySender(frame(7, 4, 'about:srcdoc', creator), ids), 'frame');
    assert.equal(classifySender(frame(7, 4, 'about:blank', 'http://127.0.0.1:8080'), ids), 'frame');
    // The extension's player inside a page's frame is still one of our pages.
    assert.equal(classifySender(frame(7, 5, `${extensionOrigin}/player/player.html?embed=1`), ids), 'extension');
    const refused = [
        frame(7, 4, 'about:blank'),
        frame(7, 4, 'about:blank', 'null'),
        frame(7, 4, 'about:srcdoc', 'chrome-extension://abc'),
        frame(7, 4, 'data:text/html,<a href="magnet:?">x</a>', 'null'),
        frame(7, 4, 'blob:https://creator.example.org/5c2d', creator),
        frame(7, 4, 'file:///home/me/page.html'),
        // A reported web origin that is not the URL's: something is off, nothing is allowed.
        frame(7, 4, 'https://ads.example.net/slot', creator),
        frame(7, -1, 'https://ads.example.net/slot'),
        frame(7, 1.5, 'https://ads.example.net/slot'),
        {...frame(7, 3, 'https://ads.example.net/slot'), tab: undefined},
        {...frame(7, 3, 'https://ads.example.net/slot'), id: 'another-extension'},
        // A top frame is an http(s) page, whatever origin it claims to inherit.
        {...top(7), url: 'about:blank', origin: creator},
    ];
    for (const sender of refused) {
        assert.equal(classifySender(sender, ids), null, JSON.stringify(sender));
    }
});

test('a frame speaks for its own origin, never for its top page', () => {
    assert.equal(senderOrigin(frame(7, 3, 'https://ads.example.net/slot?x=1')), 'https://ads.example.net');
    assert.equal(senderOrigin(frame(7, 3, 'about:srcdoc', creator)), creator);
    // Sandboxed: an opaque origin, but the document came from its URL's site.
    assert.equal(senderOrigin(frame(7, 3, 'https://ads.example.net/slot', 'null')), 'https://ads.example.net');
    assert.equal(senderOrigin(frame(7, 3, 'about:blank')), '');
});

test('a frame may open links and read the link policy, and nothing else', async () => {
    const {intents, host, opened} = setup();
    const ad = frame(7, 3, 'https://ads.example.net/slot');
    assert.deepEqual(await intents.handle({intent: 'page.linkPolicy'}, ad), {ok: true, result: {handleLinks: 'ask'}});
    assert.deepEqual(await intents.handle({intent: 'page.openLink', url: magnet}, ad), {ok: true, result: {}});
    assert.deepEqual(opened, [`${extensionOrigin}/viewer/viewer.html?uri=${encodeURIComponent(magnet)}`]);
    for (const intent of ['page.bundle', 'page.play', 'page.unlock', 'page.confirmEmail', 'page.pledge',
        'page.cancelPledge', 'page.updatePledgePayment', 'state.get', 'torrent.add', 'stream.info',
        'bundle.updatePledgePayment']) {
        const reply = await intents.handle({intent, markup, infoHash, path: 'pilot.webm', uri: magnet}, ad);
        assert.deepEqual(reply, {ok: false, error: {code: 2005, message: 'not_allowed'}}, intent);
    }
    assert.equal((await intents.handle({intent: 'page.fly'}, ad)).error.code, 2006);
    assert.deepEqual(host.calls, []);
});

test('a same-origin frame cannot touch what its top page announced either', async () => {
    const {intents, host} = setup();
    assert.deepEqual((await intents.handle({intent: 'page.bundle', markup}, top(7))).result, {infoHash});
    const sameOrigin = frame(7, 2, `${creator}/embed`, creator);
    for (const intent of ['page.pledge', 'page.play', 'page.cancelPledge', 'page.updatePledgePayment']) {
        const reply = await intents.handle({intent, infoHash, path: 'pilot.webm'}, sameOrigin);
        assert.equal(reply.error.code, 2005, intent);
    }
    assert.equal((await intents.handle({intent: 'page.pledge', infoHash}, top(7))).ok, true);
    assert.equal(host.called('bundle.pledge').length, 1);
});

test('a tab\'s frames share its limits: 20 intents a second and one tab opened a second', async () => {
    const {intents, opened, tick} = setup();
    for (let i = 0; i < 20; i += 1) {
        // The top page and ten different frames, each asking in turn.
        const sender = i % 2 === 0 ? top(7) : frame(7, i, `https://f${i}.example.net/`);
        assert.equal((await intents.handle({intent: 'page.linkPolicy'}, sender)).ok, true, `request ${i}`);
    }
    assert.equal((await intents.handle({intent: 'page.linkPolicy'}, frame(7, 99, 'https://new.example.net/')))
        .error.code, 2007);
    assert.equal((await intents.handle({intent: 'page.linkPolicy'}, top(8))).ok, true);

    tick(1000);
    assert.equal((await intents.handle({intent: 'page.openLink', url: magnet},
        frame(7, 3, 'https://a.example.net/'))).ok, true);
    // Another frame, or the top page, of the same tab gets no second tab within the second.
    assert.equal((await intents.handle({intent: 'page.openLink', url: magnet},
        frame(7, 4, 'https://b.example.net/'))).error.code, 2007);
    assert.equal((await intents.handle({intent: 'page.openLink', url: magnet}, top(7))).error.code, 2007);
    assert.equal(opened.length, 1);
    tick(1000);
    assert.equal((await intents.handle({intent: 'page.openLink', url: magnet}, top(7))).ok, true);
});

test('a frame gets no card port', () => {
    const host = new FakeHost({'torrent.list': {torrents: []}});
    const {intents} = setup();
    const hub = createPortHub({state: new StateStore({host}), host, announcements: intents.announcements,
        runtimeId, extensionOrigin});
    intents.announcements.add(7, creator, infoHash, {bundleId: 'les-veilleurs', publisherKey});
    const port = {name: 'card', sender: frame(7, 2, `${creator}/embed`, creator), closed: false,
        disconnect() { this.closed = true; }, postMessage() { throw new Error('nothing is posted to a frame'); },
        onMessage: {addListener() {}}, onDisconnect: {addListener() {}}};
    hub.connect(port);
    assert.equal(port.closed, true);
});
