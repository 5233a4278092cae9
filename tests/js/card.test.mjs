// A page's card is built from picked members only: whatever the state holds (stream URLs, tokens, save
// paths, keys), none of it reaches the card; and the card says when the bundle is not the page's.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {buildCard, cardStatus, pledgeView} from '../../extension/common/card.js';

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
            pledge: {campaignId: 'saison-2', bundleId: 'les-veilleurs', pledgeId: 'p-1', state: 'confirmed',
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
        secondsLeft: 3600, pledged: true, pledgeState: 'confirmed', updates: [], tiers: []});
    assert.deepEqual(card.pending, {requestId: 'r-1'});
});

test('no stream URL, token, save path, key or checkout page ever reaches the card', () => {
    const torrent = verifiedTorrent();
    torrent.campaign.pledge = {...torrent.campaign.pledge, state: 'pending',
        checkoutUrl: 'https://checkout.example/c/pay/cs_secret'};
    const text = JSON.stringify(buildCard({infoHash, torrent, claim}));
    for (const secret of ['127.0.0.1', 'streamUrl', 'secret', '/home/me', 'savePath', 'x25519', 'sha256',
        'fileIndex', 'receipts', 'pledgeId', 'gateUrl', 'checkout']) {
        assert.ok(!text.includes(secret), secret);
    }
});

const update = (n, more = {}) => ({id: `${'u'.repeat(20)}${String(n).padStart(2, '0')}`, title: `Update ${n}`,
    text: 'Line one.\nLine two.', postedAt: '2027-01-10T09:00:00Z', ...more});

test('the creator\'s updates reach the card in the order posted, their four members only', () => {
    const torrent = verifiedTorrent();
    torrent.campaign.campaign.updates = [update(1), update(2, {html: '<b>bold</b>', author: 'x'})];
    assert.deepEqual(buildCard({infoHash, torrent, claim}).campaign.updates, [update(1), update(2)]);
});

test('updates are bounded: the last twenty, each member cut, malformed ones left out', () => {
    const torrent = verifiedTorrent();
    const many = Array.from({length: 30}, (_, i) => update(i + 1));
    torrent.campaign.campaign.updates = many;
    const kept = buildCard({infoHash, torrent, claim}).campaign.updates;
    assert.equal(kept.length, 20);
    assert.equal(kept[0].title, 'Update 11');
    assert.equal(kept.at(-1).title, 'Update 30');

    torrent.campaign.campaign.updates = [update(1, {title: 't'.repeat(5000), text: 'x'.repeat(50000)}),
        null, 'text', update(2, {title: 7}), update(3, {text: ''}), update(4, {postedAt: undefined}), update(5)];
    const cut = buildCard({infoHash, torrent, claim}).campaign.updates;
    assert.deepEqual(cut.map((u) => u.id), [update(1).id, update(5).id]);
    assert.equal(cut[0].title.length, 200);
    assert.equal(cut[0].text.length, 10000);

    for (const odd of [undefined, null, 'updates', {0: update(1)}]) {
        torrent.campaign.campaign.updates = odd;
        assert.deepEqual(buildCard({infoHash, torrent, claim}).campaign.updates, [], String(odd));
    }
});

test('a declined charge reaches the card with its reason and date, bounded; other states carry neither', () => {
    const torrent = verifiedTorrent();
    torrent.campaign.campaign.state = 'funded';
    torrent.campaign.pledge = {...torrent.campaign.pledge, state: 'charge_failed', declineCode: 'insufficient_funds',
        retryUntil: '2027-03-08T00:00:00Z', nextAttempt: '2027-03-02T00:00:00Z'};
    let card = buildCard({infoHash, torrent, claim});
    assert.equal(card.campaign.pledgeState, 'charge_failed');
    assert.equal(card.campaign.pledged, true);
    assert.equal(card.campaign.declineCode, 'insufficient_funds');
    assert.equal(card.campaign.retryUntil, '2027-03-08T00:00:00Z');
    torrent.campaign.pledge.declineCode = 'x'.repeat(500);
    assert.equal(buildCard({infoHash, torrent, claim}).campaign.declineCode.length, 64);
    torrent.campaign.pledge = {...torrent.campaign.pledge, state: 'charged'};
    card = buildCard({infoHash, torrent, claim});
    assert.equal(card.campaign.declineCode, undefined);
    assert.equal(card.campaign.retryUntil, undefined);
});

test('a pledge stands for its campaign until it is over: no second Pledge beside it', () => {
    const torrent = verifiedTorrent();
    const pledged = (state) => {
        torrent.campaign.pledge.state = state;
        return buildCard({infoHash, torrent, claim}).campaign.pledged;
    };
    for (const state of ['sending', 'pending', 'confirmed', 'charging', 'charged', 'charge_failed']) {
        assert.equal(pledged(state), true, state);
    }
    for (const state of ['failed', 'cancelled', 'released', 'refused', 'active']) {
        assert.equal(pledged(state), false, state);
    }
});

// pledgeView's lines, written as a test reads them: key(substitutions).
const said = (line) => (line ? `${line[0]}(${line[1].join('|')})` : null);
const figures = {money: (minor, currency) => `${minor} ${currency}`, date: (text) => `[${text}]`};
const gate = {campaignId: 'saison-2', price: 1500, currency: 'EUR', goalBackers: 250, goalAmount: 300000,
    deadline: '2027-03-01T00:00:00Z', expectedDelivery: '2027-09-01', ifGoalMissed: 'Nothing is charged.'};

test('the pledge section says the price, both goals, the deadline and when it is charged', () => {
    const view = pledgeView(gate, null, figures);
    assert.equal(said(view.price), 'cardPledgePrice(1500 EUR)');
    assert.equal(said(view.goal), 'cardPledgeGoalBackersAmount(250|300000 EUR|[2027-03-01T00:00:00Z])');
    assert.equal(said(view.charge), 'cardPledgeChargedOn([2027-03-01T00:00:00Z])');
    assert.equal(said(view.delivery), 'cardPledgeDelivery([2027-09-01])');
    assert.equal(said(view.missed), 'cardPledgeIfMissed(Nothing is charged.)');
    assert.deepEqual([view.form, view.cancel, view.payment, view.state, view.decline], [true, false, null, null, null]);
    assert.equal(said(pledgeView({...gate, goalAmount: undefined}, null, figures).goal),
        'cardPledgeGoalBackers(250|[2027-03-01T00:00:00Z])');
    assert.equal(said(pledgeView({...gate, goalBackers: undefined}, null, figures).goal),
        'cardPledgeGoalAmount(300000 EUR|[2027-03-01T00:00:00Z])');
    assert.equal(said(pledgeView({...gate, goalBackers: undefined, goalAmount: undefined}, null, figures).goal),
        'cardPledgeGoalNone([2027-03-01T00:00:00Z])');
});

test('the pledge section follows the pledge through each state', () => {
    const campaign = (pledgeState, more = {}) => ({state: 'open', backers: 3, amount: 4500, secondsLeft: 60,
        pledged: ['pending', 'confirmed', 'charging', 'charged', 'charge_failed'].includes(pledgeState),
        pledgeState, ...more});
    const expected = {
        pending: {state: 'cardPledgePending', form: false, cancel: true, payment: 'cardPledgeSaveCard'},
        confirmed: {state: 'cardPledgeConfirmed', form: false, cancel: true, payment: null},
        charging: {state: 'cardPledgeCharging', form: false, cancel: false, payment: null},
        charged: {state: 'cardPledgeCharged', form: false, cancel: false, payment: null},
        charge_failed: {state: 'cardPledgeChargeFailed', form: false, cancel: false, payment: 'cardPledgeUpdatePayment'},
        failed: {state: 'cardPledgeFailed', form: true, cancel: false, payment: null},
        released: {state: 'cardPledgeReleased', form: true, cancel: false, payment: null},
        cancelled: {state: 'cardPledgeCancelled', form: true, cancel: false, payment: null},
        active: {state: 'cardPledgeUnknown', form: true, cancel: false, payment: null},
    };
    for (const [state, want] of Object.entries(expected)) {
        const view = pledgeView(gate, campaign(state), figures);
        assert.deepEqual({state: view.state[0], form: view.form, cancel: view.cancel, payment: view.payment}, want,
            state);
    }
    // Once the campaign is closed, nothing is pledged or cancelled; a declined charge can still be fixed.
    const closed = (pledgeState) => pledgeView(gate, campaign(pledgeState, {state: 'funded'}), figures);
    assert.deepEqual([closed('pending').form, closed('pending').cancel, closed('pending').payment], [false, false, null]);
    assert.equal(closed('charge_failed').payment, 'cardPledgeUpdatePayment');
});

test('a declined charge says why, and until when another card can be saved', () => {
    const failed = {state: 'funded', backers: 3, amount: 4500, pledged: true, pledgeState: 'charge_failed'};
    let view = pledgeView(gate, {...failed, declineCode: 'insufficient_funds', retryUntil: '2027-03-08T00:00:00Z'},
        figures);
    assert.deepEqual(view.decline.map(said),
        ['cardPledgeDeclineReason(insufficient_funds)', 'cardPledgeRetryUntil([2027-03-08T00:00:00Z])']);
    view = pledgeView(gate, failed, figures);
    assert.deepEqual(view.decline.map(said), ['cardPledgeRetrySoon()']);
    assert.equal(pledgeView(gate, {...failed, pledgeState: 'charged'}, figures).decline, null);
});

// A tiered campaign as the card has it: the gate's tiers, the manifest's pledge gate without a price of its own.
const tiers = [
    {id: 'season', title: 'The season', price: 1500, backers: 700},
    {id: 'collector', title: 'The season and its making-of', description: 'Both films.\nSigned.', price: 4000,
        backers: 112, limit: 500, left: 388},
    {id: 'premiere', title: 'Two seats at the première', price: 15000, backers: 20, limit: 20, left: 0},
];
const tieredGate = {...gate, price: undefined, tiers: tiers.map(({id, title, price}) => ({id, title, price}))};
const openCampaign = (more = {}) => ({state: 'open', backers: 832, amount: 1998000, pledged: false, tiers, ...more});

test('a campaign\'s tiers reach the card member by member, the malformed left out', () => {
    const torrent = verifiedTorrent();
    torrent.campaign.campaign.tiers = [
        {...tiers[1], stripePrice: 'price_1', items: ['a.webm.locked'], deliveries: ['saison-2-complete']},
        {id: 'Bad Id', title: 'x', price: 1},
        {id: 'no-title', price: 1},
        {id: 'no-price', title: 'x'},
        {id: 'collector', title: 'Twice', price: 1},
        {...tiers[0], title: 't'.repeat(500), description: 'd'.repeat(5000), left: -3},
        'season', null,
    ];
    torrent.campaign.pledge.tier = 'collector';
    let card = buildCard({infoHash, torrent, claim});
    assert.deepEqual(card.campaign.tiers, [tiers[1], {...tiers[0], title: 't'.repeat(100), description: 'd'.repeat(1000)}]);
    assert.equal(card.campaign.pledgeTier, 'collector');
    assert.equal(card.campaign.releaseReason, undefined);
    torrent.campaign.campaign.tiers = Array.from({length: 30}, (_, i) => ({id: `t${i}`, title: `T${i}`, price: i}));
    torrent.campaign.pledge = {...torrent.campaign.pledge, tier: '../x', state: 'released', reason: 'tier_sold_out'};
    card = buildCard({infoHash, torrent, claim});
    assert.equal(card.campaign.tiers.length, 20);
    assert.equal(card.campaign.pledgeTier, undefined);
    assert.equal(card.campaign.releaseReason, 'tier_sold_out');
    // The manifest's tiers too, when it lists them.
    torrent.bundle.gates.pledge = {...torrent.bundle.gates.pledge, price: undefined, tiers: [{...tiers[0], secret: 1}]};
    assert.deepEqual(buildCard({infoHash, torrent, claim}).gates.pledge.tiers, [tiers[0]]);
    assert.equal(buildCard({infoHash, torrent: verifiedTorrent(), claim}).gates.pledge.tiers, undefined);
});

test('a single-price campaign offers no choice of tier', () => {
    const single = [{id: 'pledge', title: 'Pledge', price: 1500, backers: 3}];
    for (const campaign of [null, openCampaign({tiers: []}), openCampaign({tiers: single})]) {
        const view = pledgeView(gate, campaign, figures);
        assert.equal(view.tiers, null);
        assert.equal(view.choose, false);
        assert.equal(view.tier, null);
        assert.equal(view.minimum, 1500);
        assert.equal(view.form, true);
        assert.equal(said(view.price), 'cardPledgePrice(1500 EUR)');
    }
});

test('the tiers are offered with their price and places left; the first open one is chosen', () => {
    const view = pledgeView(tieredGate, openCampaign(), figures);
    assert.equal(view.choose, true);
    assert.deepEqual(view.tiers.map((c) => [c.id, c.title, c.price, said(c.left), c.soldOut, c.chosen]), [
        ['season', 'The season', '1500 EUR', null, false, true],
        ['collector', 'The season and its making-of', '4000 EUR', 'cardPledgeTierLeft(388)', false, false],
        ['premiere', 'Two seats at the première', '15000 EUR', null, true, false],
    ]);
    assert.equal(view.tiers[1].description, 'Both films.\nSigned.');
    assert.equal(view.tier, 'season');
    assert.equal(view.minimum, 1500);
    assert.equal(view.form, true);
    assert.equal(view.allSoldOut, null);
    // A sold-out first tier is passed over.
    const firstFull = openCampaign({tiers: [{...tiers[0], limit: 700, left: 0}, tiers[1]]});
    assert.equal(pledgeView(tieredGate, firstFull, figures).tier, 'collector');
});

test('the tier picked sets the least amount and the price said; a sold-out one cannot be picked', () => {
    const collector = pledgeView(tieredGate, openCampaign(), {...figures, chosen: 'collector'});
    assert.equal(collector.tier, 'collector');
    assert.equal(collector.minimum, 4000);
    assert.equal(said(collector.price), 'cardPledgePrice(4000 EUR)');
    assert.deepEqual(collector.tiers.map((c) => c.chosen), [false, true, false]);
    const full = pledgeView(tieredGate, openCampaign(), {...figures, chosen: 'premiere'});
    assert.equal(full.tier, 'season');
    assert.equal(pledgeView(tieredGate, openCampaign(), {...figures, chosen: 'gone'}).tier, 'season');
});

test('every tier sold out: no Pledge, and the card says so', () => {
    const view = pledgeView(tieredGate, openCampaign({tiers: tiers.map((t) => ({...t, left: 0}))}), figures);
    assert.equal(view.tier, null);
    assert.equal(view.form, false);
    assert.equal(view.choose, true);
    assert.ok(view.tiers.every((c) => c.soldOut));
    assert.equal(said(view.allSoldOut), 'cardPledgeAllSoldOut()');
    assert.equal(said(view.price), 'cardPledgePrice(1500 EUR)');
});

test('before the gate answers, the manifest\'s tiers are offered', () => {
    const view = pledgeView(tieredGate, null, {...figures, chosen: 'collector'});
    assert.deepEqual(view.tiers.map((c) => [c.id, c.soldOut, c.chosen]),
        [['season', false, false], ['collector', false, true], ['premiere', false, false]]);
    assert.equal(view.minimum, 4000);
});

test('after pledging, the tier pledged to is said and no choice is offered', () => {
    const view = pledgeView(tieredGate, openCampaign({pledged: true, pledgeState: 'confirmed', pledgeTier: 'collector'}),
        figures);
    assert.equal(said(view.yourTier), 'cardPledgeTierYours(The season and its making-of)');
    assert.equal(view.choose, false);
    assert.equal(view.form, false);
    assert.equal(pledgeView(gate, openCampaign({tiers: [], pledged: true, pledgeState: 'confirmed',
        pledgeTier: 'pledge'}), figures).yourTier, null);
});

test('a pledge released because its tier filled up says so, and another tier can be picked', () => {
    const view = pledgeView(tieredGate, openCampaign({pledgeState: 'released', pledgeTier: 'premiere',
        releaseReason: 'tier_sold_out'}), figures);
    assert.equal(said(view.state), 'cardPledgeReleasedSoldOut()');
    assert.equal(view.form, true);
    assert.equal(view.choose, true);
    assert.equal(said(pledgeView(tieredGate, openCampaign({pledgeState: 'released'}), figures).state),
        'cardPledgeReleased()');
});

test('every word the pledge section can say is in both locales, with its substitutions', () => {
    const locale = (lang) => JSON.parse(readFileSync(new URL(`../../extension/_locales/${lang}/messages.json`,
        import.meta.url), 'utf8'));
    const lines = [];
    for (const pledgeState of ['sending', 'pending', 'confirmed', 'charging', 'charged', 'charge_failed', 'failed',
        'cancelled', 'released', 'refused', 'unknown-state']) {
        for (const g of [gate, {...gate, goalAmount: undefined}, {...gate, goalBackers: undefined},
            {...gate, goalBackers: undefined, goalAmount: undefined}]) {
            for (const more of [{}, {declineCode: 'card_declined', retryUntil: '2027-03-08T00:00:00Z'}]) {
                const view = pledgeView(g, {state: 'open', pledgeState, ...more}, figures);
                lines.push(view.price, view.goal, view.charge, view.delivery, view.missed, view.state,
                    ...(view.decline ?? []), view.payment && [view.payment, []]);
            }
        }
        // With tiers: the choices' lines, the one pledged to, none left, a release because the tier filled up.
        for (const more of [{pledged: true, pledgeTier: 'collector'}, {tiers: tiers.map((t) => ({...t, left: 0}))},
            {releaseReason: 'tier_sold_out'}]) {
            const view = pledgeView(tieredGate, {state: 'open', pledgeState, tiers, ...more}, figures);
            lines.push(view.state, view.yourTier, view.allSoldOut, ...(view.tiers ?? []).map((c) => c.left),
                ['cardPledgeTiers', []], ['cardPledgeTierSoldOut', []]);
        }
    }
    for (const lang of ['en', 'fr']) {
        const messages = locale(lang);
        for (const [key, substitutions] of lines.filter(Boolean)) {
            const entry = messages[key];
            assert.ok(entry?.message, `${lang}: ${key}`);
            assert.equal(Object.keys(entry.placeholders ?? {}).length, substitutions.length, `${lang}: ${key}`);
        }
    }
    // The plain words a backer reads before pledging.
    assert.equal(locale('en').cardPledgeChargedOn.message, 'Charged on $DATE$ only if the campaign is funded.');
    assert.equal(locale('en').cardPledgePending.message, 'Waiting for your card to be saved');
    assert.equal(locale('en').cardPledgeConfirmed.message, 'Pledged — card saved');
    assert.equal(locale('en').cardPledgeChargeFailed.message, 'Charge failed: update your payment');
    assert.equal(locale('en').cardPledgeReleased.message, 'Released — nothing was charged');
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
