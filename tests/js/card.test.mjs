// A page's card is built from picked members only: whatever the state holds (stream URLs, tokens, save
// paths, keys), none of it reaches the card; and the card says when the bundle is not the page's.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {buildCard, cardStatus} from '../../extension/common/card.js';

const infoHash = 'a'.repeat(40);
const publisherKey = 'ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=';
const stream = 'http://127.0.0.1:41234/s/0123456789abcdef0123456789abcdef/' + infoHash + '/1/pilot.webm';
const claim = {bundleId: 'les-veilleurs', publisherKey};

function verifiedTorrent() {
    return {
        infoHash, name: 'les-veilleurs', state: 'downloading', progress: 0.25, savePath: '/home/me/Downloads',
        token: 'secret-token', deviceKey: 'x25519:DEVICE',
        bundle: {
            infoHash, status: 'verified', signature: 'valid', bundleId: 'les-veilleurs', version: 3,
            title: 'Les Veilleurs', creator: 'Atelier Nuit', description: 'Six épisodes.', publisherKey,
            gateUrl: 'https://gate.example.org/', cover: {path: 'cover.jpg', fileIndex: 0, streamUrl: stream},
            items: [
                {path: 'pilot.webm', fileIndex: 1, size: 5242880, mediaType: 'video/webm', sha256: 'a'.repeat(64),
                    access: 'free', streamUrl: stream, token: 'secret-token',
                    subtitles: [{lang: 'fr', label: 'Français', path: 'pilot.fr.vtt', fileIndex: 2, streamUrl: stream}]},
                {path: 'episode-1.webm.locked', fileIndex: 3, size: 7340032, mediaType: 'video/webm',
                    sha256: 'b'.repeat(64), access: 'locked', gate: 'email', unlocked: false},
                {path: 'booklet.pdf.locked', fileIndex: 4, size: 1000, mediaType: 'application/pdf',
                    sha256: 'c'.repeat(64), access: 'locked', gate: 'pay', unlocked: true, streamUrl: stream},
            ],
            gates: {email: {doubleOptIn: true}, pay: {minimum: 300, suggested: 800, currency: 'EUR', secret: 's'},
                pledge: {campaignId: 'saison-2', goalBackers: 250, deadline: '2027-03-01T00:00:00Z', price: 1500,
                    currency: 'EUR', expectedDelivery: '2027-09-01', ifGoalMissed: 'Nothing is charged.'}},
        },
        campaign: {
            campaign: {campaignId: 'saison-2', bundleId: 'les-veilleurs', state: 'open', backers: 12, amount: 18000,
                goalBackers: 250, secondsLeft: 3600, deliveries: []},
            pledge: {campaignId: 'saison-2', bundleId: 'les-veilleurs', pledgeId: 'p-1', state: 'active',
                amount: 1500, receipts: 2},
        },
    };
}

test('a verified bundle becomes a card with items, gates and campaign', () => {
    const card = buildCard({infoHash, torrent: verifiedTorrent(), claim, pending: {requestId: 'r-1'}});
    assert.equal(card.status, 'verified');
    assert.equal(card.title, 'Les Veilleurs');
    assert.equal(card.progress, 0.25);
    assert.deepEqual(card.items.map((i) => [i.title, i.access, i.gate, i.unlocked, i.playable]), [
        ['pilot.webm', 'free', null, false, true],
        ['episode-1.webm', 'locked', 'email', false, false],
        ['booklet.pdf', 'locked', 'pay', true, false],
    ]);
    assert.deepEqual(card.gates.pay, {currency: 'EUR', minimum: 300, suggested: 800});
    assert.deepEqual(card.gates.email, {});
    assert.equal(card.gates.pledge.goalBackers, 250);
    assert.deepEqual(card.campaign, {state: 'open', backers: 12, amount: 18000, goalBackers: 250,
        secondsLeft: 3600, pledged: true, pledgeState: 'active'});
    assert.deepEqual(card.pending, {requestId: 'r-1'});
});

test('no stream URL, token, save path or key ever reaches the card', () => {
    const text = JSON.stringify(buildCard({infoHash, torrent: verifiedTorrent(), claim}));
    for (const secret of ['127.0.0.1', 'streamUrl', 'secret', '/home/me', 'savePath', 'x25519', 'sha256',
        'fileIndex', 'receipts', 'pledgeId', 'gateUrl']) {
        assert.ok(!text.includes(secret), secret);
    }
});

test('a bundle signed by another key, or with another id, than the page claimed is a mismatch', () => {
    const other = {...claim, publisherKey: 'ed25519:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBE='};
    const card = buildCard({infoHash, torrent: verifiedTorrent(), claim: other});
    assert.equal(card.status, 'mismatch');
    assert.equal(card.title, 'Les Veilleurs');
    assert.deepEqual(card.items, []);
    assert.deepEqual(card.gates, {});
    assert.equal(card.campaign, undefined);
    assert.equal(buildCard({infoHash, torrent: verifiedTorrent(), claim: {...claim, bundleId: 'autre'}}).status,
        'mismatch');
});

test('fetching, refused, and a magnet that is no bundle', () => {
    assert.equal(cardStatus({bundle: undefined, notBundle: false, claim}), 'fetching');
    assert.equal(cardStatus({bundle: undefined, notBundle: true, claim}), 'refused');
    assert.equal(cardStatus({bundle: {status: 'fetching'}, claim}), 'fetching');
    const refused = buildCard({infoHash, torrent: {progress: 0.5, bundle: {status: 'refused', error: '/x/y',
        title: 'T'}}, claim});
    assert.deepEqual(refused, {infoHash, status: 'refused', title: '', creator: '', description: '', progress: 0.5,
        items: [], gates: {}});
});

test('long texts are cut and odd numbers dropped', () => {
    const torrent = verifiedTorrent();
    torrent.bundle.title = 'x'.repeat(100000);
    torrent.bundle.items[0].size = -1;
    torrent.progress = Number.NaN;
    const card = buildCard({infoHash, torrent, claim});
    assert.equal(card.title.length, 300);
    assert.equal(card.items[0].size, 0);
    assert.equal(card.progress, 0);
});
