// A page's card drawn by content/bundle_card.js, as the content scripts load it, on a small stand-in DOM and with
// the English catalogue: what the pledge section says in each state of a pre-order, the intents its buttons
// send, and the creator's updates, drawn as text.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {catalogueMessages} from './support/catalogue.mjs';
import {fakeExtension, loadContentScripts} from './support/content_world.mjs';
import {fakeDom} from './support/fake_dom.mjs';

const getMessage = catalogueMessages('en');

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');
const infoHash = 'a'.repeat(40);
const gate = {campaignId: 'saison-2', price: 1500, currency: 'EUR', goalBackers: 250, goalAmount: 300000,
    deadline: '2027-03-01T12:00:00Z', expectedDelivery: '2027-09-01', ifGoalMissed: 'Nothing is charged.'};

function cardModel(pledgeState, more = {}) {
    const campaign = pledgeState === undefined ? undefined : {state: 'open', backers: 12, amount: 18000,
        goalBackers: 250, goalAmount: 300000, secondsLeft: 3600,
        pledged: ['sending', 'pending', 'confirmed', 'charging', 'charged', 'charge_failed'].includes(pledgeState),
        pledgeState, ...more};
    return {infoHash, status: 'verified', title: 'Les Veilleurs', creator: 'Atelier Nuit', description: '',
        progress: 0, items: [{path: 'bonus.webm.locked', title: 'bonus.webm', size: 10, mediaType: 'video/webm',
            access: 'locked', gate: 'pledge', unlocked: false, playable: false}],
        gates: {pledge: gate}, ...(campaign ? {campaign} : {})};
}

// A card drawn from `model`; `answer(message)` is what the background says to each intent.
function drawn(model, answer = () => ({ok: true, result: {}})) {
    const api = fakeExtension({send: async (message) => answer(message)});
    api.i18n.getMessage = getMessage;
    const {world} = loadContentScripts({api, document: fakeDom({heading: true})});
    const card = new world.sluiceBundleCard.Card();
    card.infoHash = infoHash;
    card.render(model);
    return {card, s: card.pledge, api};
}

const shown = (node) => !node.hidden;
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test('before pledging: the price, both goals, the deadline and when it would be charged', () => {
    const {s} = drawn(cardModel(undefined));
    assert.ok(shown(s.root));
    assert.equal(plain(s.price.textContent), 'Pledge: €15.00 (you may give more)');
    assert.equal(plain(s.goal.textContent), 'Goal: 250 backers and €3,000.00 by March 1, 2027');
    assert.equal(s.guarantee.textContent, 'Charged on March 1, 2027 only if the campaign is funded.');
    assert.ok(shown(s.form));
    assert.ok(shown(s.formNote));
    assert.match(s.formNote.textContent, /Nothing is charged now/);
    assert.ok(!shown(s.mine));
    assert.ok(!shown(s.cancel));
    assert.ok(!shown(s.payment));
});

test('the card follows the pledge, in the plain words of each state', () => {
    const expected = {
        pending: 'Waiting for your card to be saved',
        confirmed: 'Pledged — card saved',
        charged: 'Charged',
        charge_failed: 'Charge failed: update your payment',
        released: 'Released — nothing was charged',
        cancelled: 'Cancelled',
    };
    for (const [state, words] of Object.entries(expected)) {
        const {s} = drawn(cardModel(state));
        assert.ok(shown(s.mine), state);
        assert.equal(s.mine.textContent, words, state);
    }
    const pending = drawn(cardModel('pending')).s;
    assert.ok(!shown(pending.form));
    assert.ok(shown(pending.cancel));
    assert.ok(shown(pending.payment));
    assert.equal(pending.payment.textContent, 'Open the payment page again');
    const confirmed = drawn(cardModel('confirmed')).s;
    assert.ok(shown(confirmed.cancel));
    assert.ok(!shown(confirmed.payment));
    const charged = drawn(cardModel('charged', {state: 'funded'})).s;
    assert.ok(!shown(charged.cancel));
    assert.ok(!shown(charged.payment));
    assert.ok(!shown(charged.form));
});

test('a declined charge says why and until when, and its button asks for a new page', async () => {
    const {s, api} = drawn(cardModel('charge_failed', {state: 'funded', declineCode: 'insufficient_funds',
        retryUntil: '2027-03-08T12:00:00Z'}), () => ({ok: true, result: {status: 'checkout', state: 'charge_failed'}}));
    assert.ok(shown(s.decline));
    assert.equal(s.decline.textContent, 'The bank’s reason: insufficient_funds. Save another card before March 8, ' +
        '2027: until then the charge is tried again.');
    assert.ok(shown(s.payment));
    assert.equal(s.payment.textContent, 'Update your payment');
    assert.ok(!shown(s.cancel));
    s.payment.dispatch('click');
    await settle();
    assert.deepEqual({...api.sent.at(-1)}, {intent: 'page.updatePledgePayment', infoHash});
    assert.equal(s.message.textContent, 'Save your card in the new tab.');
    assert.ok(shown(s.message));
});

test('a refused new page is said in words', async () => {
    const {s} = drawn(cardModel('charge_failed', {state: 'funded'}),
        () => ({ok: false, error: {code: 1114, message: 'pledge_not_updatable', data: {gateCode: 'pledge_not_updatable'}}}));
    s.payment.dispatch('click');
    await settle();
    assert.equal(s.message.textContent, 'This pledge’s payment can no longer be changed.');
    assert.ok(s.message.classList.contains('is-error'));
});

test('Pledge sends the amount, and says to save the card in the new tab', async () => {
    const {s, api} = drawn(cardModel(undefined),
        () => ({ok: true, result: {status: 'pledged', state: 'pending', amount: 2000}}));
    s.amount.value = '20';
    const event = s.form.dispatch('submit');
    assert.ok(event.defaultPrevented);
    await settle();
    assert.deepEqual({...api.sent.at(-1)}, {intent: 'page.pledge', infoHash, amount: 2000});
    assert.equal(s.message.textContent,
        'Pledged. Save your card in the new tab: your pledge counts once it is saved.');
});

const update = (n, more = {}) => ({id: `${'u'.repeat(20)}${String(n).padStart(2, '0')}`, title: `Update ${n}`,
    text: `Text ${n}`, postedAt: `2027-01-${String(10 + n).padStart(2, '0')}T09:00:00Z`, ...more});

// The update views in the order drawn: [title, date, text].
const drawnUpdates = (s) => s.updateList.children.map((li) => {
    const [head, text] = li.children;
    const [title, date] = head.children;
    return [title.textContent, plain(date.textContent), text.textContent];
});

test('no updates from the creator: nothing about them is shown', () => {
    assert.ok(!shown(drawn(cardModel(undefined)).s.updates));
    assert.ok(!shown(drawn(cardModel('confirmed', {updates: []})).s.updates));
});

test('the creator\'s updates are shown under their heading, newest first, with their date', () => {
    const {s} = drawn(cardModel('confirmed', {updates: [update(1), update(2, {text: 'Day one.\n\nDay two.'})]}));
    assert.ok(shown(s.updates));
    assert.equal(s.updates.children[0].textContent, 'Updates from the creator');
    assert.deepEqual(drawnUpdates(s), [
        ['Update 2', 'January 12, 2027', 'Day one.\n\nDay two.'],
        ['Update 1', 'January 11, 2027', 'Text 1'],
    ]);
    assert.equal(s.updateList.children[0].children[0].children[1].getAttribute('datetime'), '2027-01-12T09:00:00Z');
});

test('an update that looks like markup is shown as the text it is', () => {
    const title = '<img src=x onerror="alert(1)">';
    const text = '<script>alert(2)</script>\n<b>not bold</b> &amp;';
    const {s} = drawn(cardModel('confirmed', {updates: [update(1, {title, text})]}));
    const [li] = s.updateList.children;
    const [head, body] = li.children;
    const [titleNode] = head.children;
    // One text node each, holding the characters as written: no element was made from them.
    assert.equal(titleNode.children.length, 1);
    assert.equal(titleNode.children[0].constructor.name, 'FakeText');
    assert.equal(titleNode.textContent, title);
    assert.equal(body.children.length, 1);
    assert.equal(body.children[0].constructor.name, 'FakeText');
    assert.equal(body.textContent, text);
});

test('a new update goes on top, and those already drawn keep their place in the page', () => {
    const {card, s} = drawn(cardModel('confirmed', {updates: [update(1)]}));
    const first = s.updateList.children[0];
    card.render(cardModel('confirmed', {updates: [update(1), update(2)]}));
    assert.deepEqual(drawnUpdates(s).map(([title]) => title), ['Update 2', 'Update 1']);
    assert.equal(s.updateList.children[1], first);
    card.render(cardModel('confirmed', {updates: []}));
    assert.equal(s.updateList.children.length, 0);
    assert.ok(!shown(s.updates));
});

// A campaign with reward tiers, as the card model has it: the gate's tiers, one of them limited, one sold out.
const tiers = [
    {id: 'season', title: 'The season', price: 1500, backers: 700},
    {id: 'collector', title: 'The season and its making-of', description: 'Both films now.\nThe box later.',
        price: 4000, backers: 112, limit: 500, left: 388},
    {id: 'premiere', title: 'Two seats at the première', price: 15000, backers: 20, limit: 20, left: 0},
];

function tieredModel(pledgeState, more = {}) {
    const model = cardModel(pledgeState ?? 'none', {tiers, ...more});
    if (pledgeState === undefined) {
        delete model.campaign.pledgeState;
        model.campaign.pledged = false;
    }
    model.gates = {pledge: {...gate, price: undefined, tiers: tiers.map(({id, title, price}) => ({id, title, price}))}};
    return model;
}

// The tier choices drawn: [title, price, places left, description, checked, disabled].
const drawnTiers = (s) => s.tierList.children.map((row) => {
    const [label, description] = row.children;
    const [radio, title, price, left] = label.children;
    return [title.textContent, plain(price.textContent), left.hidden ? '' : left.textContent,
        description.hidden ? '' : description.textContent, radio.checked, radio.disabled];
});

test('a campaign with tiers offers each as a choice: its price, its places left, sold out', () => {
    const {s} = drawn(tieredModel(undefined));
    assert.ok(shown(s.tiers));
    assert.equal(s.tiers.children[0].textContent, 'Choose your reward');
    assert.deepEqual(drawnTiers(s), [
        ['The season', '€15.00', '', '', true, false],
        ['The season and its making-of', '€40.00', '388 left', 'Both films now.\nThe box later.', false, false],
        ['Two seats at the première', '€150.00', 'Sold out', '', false, true],
    ]);
    // One group: the radios share a name, each labelled by its row.
    const radios = s.tierList.children.map((row) => row.children[0].children[0]);
    assert.equal(new Set(radios.map((r) => r.name)).size, 1);
    assert.equal(radios[0].type, 'radio');
    assert.equal(radios[1].value, 'collector');
    assert.equal(s.amount.value, '15.00');
    assert.equal(plain(s.price.textContent), 'Pledge: €15.00 (you may give more)');
    assert.ok(shown(s.form));
    assert.ok(!shown(s.allSoldOut));
});

test('Pledge sends the tier chosen, at least at its price', async () => {
    const {s, api} = drawn(tieredModel(undefined),
        () => ({ok: true, result: {status: 'pledged', state: 'pending', amount: 4500, tier: 'collector'}}));
    const collector = s.tierList.children[1].children[0].children[0];
    collector.checked = true;
    collector.dispatch('change');
    assert.equal(s.amount.value, '40.00');
    assert.equal(plain(s.price.textContent), 'Pledge: €40.00 (you may give more)');
    assert.deepEqual(drawnTiers(s).map((row) => row[4]), [false, true, false]);
    // Below the tier's price: refused here, nothing sent.
    s.amount.value = '30';
    s.form.dispatch('submit');
    await settle();
    assert.equal(api.sent.length, 0);
    assert.equal(s.message.textContent, 'The amount is below the minimum.');
    s.amount.value = '45';
    s.form.dispatch('submit');
    await settle();
    assert.deepEqual({...api.sent.at(-1)}, {intent: 'page.pledge', infoHash, amount: 4500, tier: 'collector'});
});

test('the tier chosen and the amount typed survive the state\'s updates', () => {
    const {card, s} = drawn(tieredModel(undefined));
    const collector = s.tierList.children[1].children[0].children[0];
    collector.checked = true;
    collector.dispatch('change');
    s.amount.value = '60';
    card.render(tieredModel(undefined, {backers: 900}));
    assert.deepEqual(drawnTiers(s).map((row) => row[4]), [false, true, false]);
    assert.equal(s.amount.value, '60');
    // The tier fills up meanwhile: the first open one is chosen, at its price.
    card.render(tieredModel(undefined, {tiers: [tiers[0], {...tiers[1], left: 0}, tiers[2]]}));
    assert.deepEqual(drawnTiers(s).map((row) => row.slice(4)), [[true, false], [false, true], [false, true]]);
    assert.equal(s.amount.value, '15.00');
});

test('every tier sold out: no Pledge, and the card says so', () => {
    const {s} = drawn(tieredModel(undefined, {tiers: tiers.map((t) => ({...t, limit: t.backers, left: 0}))}));
    assert.ok(shown(s.tiers));
    assert.ok(drawnTiers(s).every((row) => row[2] === 'Sold out' && row[5] === true && row[4] === false));
    assert.ok(!shown(s.form));
    assert.ok(shown(s.allSoldOut));
    assert.equal(s.allSoldOut.textContent, 'Every tier is sold out.');
});

test('a single-price campaign shows no choice and sends no tier', async () => {
    const {s, api} = drawn(cardModel(undefined), () => ({ok: true, result: {status: 'pledged', state: 'pending'}}));
    assert.ok(!shown(s.tiers));
    assert.equal(s.tierList.children.length, 0);
    const single = drawn(cardModel('none', {pledged: false, pledgeState: undefined,
        tiers: [{id: 'pledge', title: 'Pledge', price: 1500, backers: 12}]}));
    assert.ok(!shown(single.s.tiers));
    s.form.dispatch('submit');
    await settle();
    assert.deepEqual({...api.sent.at(-1)}, {intent: 'page.pledge', infoHash, amount: 1500});
});

test('after pledging, the card says the tier pledged to', () => {
    const {s} = drawn(tieredModel('confirmed', {pledgeTier: 'collector'}));
    assert.ok(shown(s.yourTier));
    assert.equal(s.yourTier.textContent, 'Your tier: The season and its making-of');
    assert.ok(!shown(s.tiers));
    assert.ok(!shown(s.form));
    assert.ok(!shown(drawn(cardModel('confirmed')).s.yourTier));
});

test('a pledge released because its tier filled up says so, and another tier can be chosen', () => {
    const {s} = drawn(tieredModel('released', {pledgeTier: 'premiere', releaseReason: 'tier_sold_out'}));
    assert.equal(s.mine.textContent,
        'Released — your tier filled up before your card was saved; nothing was charged');
    assert.ok(shown(s.tiers));
    assert.ok(shown(s.form));
});

test('a full or unknown tier refused by the gate is said in words', async () => {
    for (const [code, gateCode, words] of [
        [1115, 'tier_sold_out', 'Every place in that tier is taken. Choose another tier.'],
        [1116, 'unknown_tier', 'The campaign does not offer that tier. Reload the page and choose again.'],
    ]) {
        const {s} = drawn(tieredModel(undefined), () => ({ok: false, error: {code, message: gateCode,
            data: {gateCode}}}));
        s.form.dispatch('submit');
        await settle();
        assert.equal(s.message.textContent, words);
        assert.ok(s.message.classList.contains('is-error'));
    }
});
