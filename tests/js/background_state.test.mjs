// The background's state (torrent.list, then deltas; bundles and campaigns), its ports (ui: the whole state;
// card: only announced torrents, nothing secret) and the notifications it raises.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {StateStore} from '../../extension/background/state.js';
import {createPortHub} from '../../extension/background/ports.js';
import {Announcements} from '../../extension/background/announcements.js';
import {notificationFor} from '../../extension/background/notifications.js';
import {HostError} from '../../extension/background/host_port.js';
import {FakeHost} from './support/fake_host.mjs';

const runtimeId = 'ljkaphncpbkfgfeoncgogkmhcmcompjk';
const extensionOrigin = `chrome-extension://${runtimeId}`;
const a = 'a'.repeat(40);
const b = 'b'.repeat(64);
const publisherKey = 'ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=';
const summary = (infoHash, more) => ({infoHash, name: infoHash.slice(0, 4), state: 'downloading', progress: 0,
    size: 100, downloaded: 0, downloadRate: 0, uploadRate: 0, peers: 0, seeds: 0, hasMetadata: true,
    savePath: '/home/me/Downloads', ...more});
const bundle = {infoHash: a, status: 'verified', signature: 'valid', bundleId: 'les-veilleurs', version: 1,
    title: 'Les Veilleurs', creator: 'A', description: '', publisherKey,
    items: [{path: 'pilot.webm', fileIndex: 1, size: 10, mediaType: 'video/webm', sha256: 'a'.repeat(64),
        access: 'free', streamUrl: `http://127.0.0.1:4000/s/${'f'.repeat(32)}/${a}/1/pilot.webm`}],
    gates: {pledge: {campaignId: 'saison-2', price: 100, currency: 'EUR', deadline: '2027-01-01T00:00:00Z'}}};
const progress = (backers) => ({campaign: {campaignId: 'saison-2', bundleId: 'les-veilleurs', state: 'open',
    backers, amount: backers * 100, goalBackers: 10, deliveries: []}, pledge: null});
const settle = () => new Promise((r) => setTimeout(r, 0));

function makeHost() {
    let backers = 1;
    return new FakeHost({
        'torrent.list': {torrents: [summary(a), summary(b, {state: 'paused', hasMetadata: false})]},
        'bundle.get': (p) => (p.infoHash === a ? bundle : new HostError(1101, 'not a bundle')),
        'bundle.campaign': () => progress(backers++),
    });
}

test('the state: list, bundles, campaigns, deltas, and a reset when the host goes', async () => {
    const host = makeHost();
    const state = new StateStore({host});
    host.statusListeners.forEach((fn) => fn(host.status));
    await settle();
    await settle();
    let snap = state.snapshot();
    assert.deepEqual(snap.torrents.map((t) => t.infoHash), [a, b]);
    assert.equal(snap.torrents[0].savePath, undefined);
    assert.equal(snap.torrents[0].bundle.title, 'Les Veilleurs');
    assert.equal(snap.torrents[0].campaign.campaign.backers, 1);
    assert.equal(snap.torrents[1].bundle, undefined);
    assert.equal(snap.activeDownloads, 1);

    host.emit('torrent.updated', {torrents: [{infoHash: b, state: 'downloading', progress: 0.5, hasMetadata: true}]});
    await settle();
    snap = state.snapshot();
    assert.equal(snap.torrents[1].progress, 0.5);
    assert.equal(snap.activeDownloads, 2);
    assert.equal(state.torrent(b).notBundle, true);
    assert.equal(snap.torrents[1].name, 'bbbb');

    host.emit('campaign.updated', progress(7));
    assert.equal(state.snapshot().torrents[0].campaign.campaign.backers, 7);

    host.status = {status: 'crashed', message: 'gone', retryInSeconds: 1};
    host.statusListeners.forEach((fn) => fn(host.status));
    assert.deepEqual(state.snapshot(), {host: host.status, torrents: [], activeDownloads: 0});
});

test('a charged, declined or released pledge has its campaign asked again at once', async () => {
    const host = makeHost();
    const state = new StateStore({host});
    host.statusListeners.forEach((fn) => fn(host.status));
    await settle();
    await settle();
    for (const [method, params] of [
        ['campaign.chargeFailed', {campaignId: 'saison-2', bundleId: 'les-veilleurs', pledgeId: 'p', declineCode: null,
            retryUntil: null, nextAttempt: null}],
        ['campaign.released', {campaignId: 'saison-2', bundleId: 'les-veilleurs', pledgeId: 'p',
            campaignState: 'failed'}],
        ['campaign.funded', {campaignId: 'saison-2', bundleId: 'les-veilleurs', pledgeId: 'p', items: []}],
    ]) {
        const asked = host.called('bundle.campaign').length;
        host.emit(method, params);
        await settle();
        assert.equal(host.called('bundle.campaign').length, asked + 1, method);
        assert.deepEqual(host.called('bundle.campaign').at(-1), {infoHash: a}, method);
    }
    assert.equal(state.snapshot().torrents[0].campaign.campaign.backers, 4);
});

async function until(check) {
    for (let i = 0; i < 50 && !check(); ++i) {
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

function fakePort(name, sender) {
    const sets = {message: new Set(), disconnect: new Set()};
    return {name, sender, posted: [], closed: false,
        postMessage(m) { this.posted.push(JSON.parse(JSON.stringify(m))); },
        disconnect() { this.closed = true; },
        onMessage: {addListener: (fn) => sets.message.add(fn)},
        onDisconnect: {addListener: (fn) => sets.disconnect.add(fn)},
        send: (m) => sets.message.forEach((fn) => fn(m)),
        end: () => sets.disconnect.forEach((fn) => fn())};
}

test('ports: ui gets the state and events, card only announced torrents, without secrets', async () => {
    const host = makeHost();
    const state = new StateStore({host});
    const announcements = new Announcements();
    const hub = createPortHub({state, host, announcements, runtimeId, extensionOrigin});
    host.statusListeners.forEach((fn) => fn(host.status));
    await settle();
    await settle();

    const ui = fakePort('ui', {id: runtimeId, url: `${extensionOrigin}/popup/popup.html`});
    hub.connect(ui);
    assert.equal(ui.posted[0].type, 'state');
    assert.equal(ui.posted[0].state.torrents.length, 2);
    host.emit('torrent.finished', {infoHash: a, name: 'x'});
    assert.deepEqual(ui.posted.at(-1), {type: 'event', method: 'torrent.finished', params: {infoHash: a, name: 'x'}});

    const page = {id: runtimeId, url: 'https://creator.example.org/p', tab: {id: 3}, frameId: 0};
    const stolenUi = fakePort('ui', page);
    hub.connect(stolenUi);
    assert.ok(stolenUi.closed);
    assert.equal(stolenUi.posted.length, 0);

    announcements.add(3, 'https://creator.example.org', a, {bundleId: 'les-veilleurs', publisherKey});
    const card = fakePort('card', page);
    hub.connect(card);
    card.send({type: 'watch', infoHash: b});
    assert.equal(card.posted.length, 0);
    card.send({type: 'watch', infoHash: a});
    assert.equal(card.posted.length, 1);
    assert.equal(card.posted[0].card.status, 'verified');
    assert.equal(card.posted[0].card.items[0].playable, true);
    assert.ok(!JSON.stringify(card.posted).includes('127.0.0.1'));

    // The host goes away: the card hears why (its status only), not a card emptied of everything.
    host.status = {status: 'crashed', message: 'exited with signal 9 in /home/someone', retryInSeconds: 2};
    host.statusListeners.forEach((fn) => fn(host.status));
    await until(() => card.posted.length === 2);
    assert.deepEqual(card.posted[1], {type: 'card', card: null, host: {status: 'crashed'}});
    card.end();
    ui.end();
});

test('notifications: texts from the locale, none for a trimmed page bundle', () => {
    const en = JSON.parse(readFileSync(new URL('../../extension/_locales/en/messages.json', import.meta.url), 'utf8'));
    const fr = JSON.parse(readFileSync(new URL('../../extension/_locales/fr/messages.json', import.meta.url), 'utf8'));
    const used = [];
    const deps = {
        message: (key, subs) => { used.push(key); return `${key}(${(subs ?? []).join(',')})`; },
        nameOf: () => 'Big Buck Bunny', bundleTitle: () => 'Les Veilleurs', skip: (h) => h === b,
    };
    assert.deepEqual(notificationFor('torrent.finished', {infoHash: a, name: 'x'}, deps),
        {title: 'notifyFinishedTitle()', message: 'notifyFinishedMessage(Big Buck Bunny)'});
    assert.equal(notificationFor('torrent.finished', {infoHash: b, name: 'x'}, deps), null);
    assert.match(notificationFor('bundle.unlocked', {infoHash: a, bundleId: 'x', items: ['p', 'q']}, deps).message,
        /Les Veilleurs,2/);
    assert.ok(notificationFor('campaign.funded', {bundleId: 'x', campaignId: 'c', pledgeId: 'p', items: []}, deps));
    assert.ok(notificationFor('campaign.released', {bundleId: 'x', campaignId: 'c', pledgeId: 'p',
        campaignState: 'failed'}, deps));
    assert.ok(notificationFor('campaign.released', {bundleId: 'x', campaignId: 'c', pledgeId: 'p',
        campaignState: 'funded'}, deps));
    assert.ok(notificationFor('campaign.chargeFailed', {bundleId: 'x', campaignId: 'c', pledgeId: 'p',
        declineCode: 'insufficient_funds', retryUntil: '2027-03-08T00:00:00Z', nextAttempt: null}, deps));
    assert.ok(notificationFor('campaign.chargeFailed', {bundleId: 'x', campaignId: 'c', pledgeId: 'p',
        declineCode: null, retryUntil: null, nextAttempt: null}, deps));
    assert.equal(notificationFor('campaign.updated', {campaign: {}, pledge: {}}, deps), null);
    assert.equal(notificationFor('torrent.updated', {torrents: []}, deps), null);
    for (const key of used) {
        assert.ok(en[key]?.message && fr[key]?.message, key);
    }
});
