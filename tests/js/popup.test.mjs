// The toolbar popup (popup/popup.js) as it runs, on a small stand-in DOM with the English catalogue: a pledge
// whose charge was declined offers Update your payment, which asks the background for a new page of the provider
// (the background opens it in a tab: app_intents.js's openCheckout).
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {catalogueMessages} from './support/catalogue.mjs';
import {FakeElement} from './support/fake_dom.mjs';
import {fakeExtension} from './support/content_world.mjs';

const getMessage = catalogueMessages('en');

// What the background answers each intent: a new page of the provider for updatePledgePayment.
const answers = [];
const api = fakeExtension({send: async (message) => answers.shift()?.(message) ?? {ok: true, result: {}}});
api.i18n.getMessage = getMessage;
const stateListeners = [];
api.runtime.connect = () => ({
    onMessage: {addListener: (fn) => stateListeners.push(fn)},
    onDisconnect: {addListener: () => {}},
});
api.runtime.openOptionsPage = () => {};
api.tabs = {create: () => assert.fail('the popup opens no provider page itself: the background does')};

// popup.html's elements by id, made as they are asked for.
const byId = new Map();
globalThis.document = {
    documentElement: new FakeElement('html'),
    activeElement: null,
    createElement: (tag) => new FakeElement(tag),
    getElementById(id) {
        if (!byId.has(id)) {
            byId.set(id, new FakeElement('div'));
        }
        return byId.get(id);
    },
    querySelectorAll: () => [],
};
globalThis.window = {close: () => {}};
globalThis.chrome = api;
await import('../../extension/popup/popup.js');

const infoHash = 'a'.repeat(40);
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function torrentWithPledge(pledge) {
    return {infoHash, name: 'les-veilleurs', state: 'seeding', progress: 1, size: 10, downloaded: 10, peers: 0,
        seeds: 0, downloadRate: 0, uploadRate: 0,
        bundle: {status: 'verified', title: 'Les Veilleurs', creator: 'Atelier Nuit', items: [],
            gates: {pledge: {campaignId: 'saison-2', price: 1500, currency: 'EUR'}}},
        campaign: {campaign: {campaignId: 'saison-2', state: 'funded', backers: 300, amount: 450000, goalBackers: 250,
            currency: 'EUR', updates: [], tiers: []}, pledge}};
}

function showState(pledge) {
    for (const listener of stateListeners) {
        listener({type: 'state', state: {host: {status: 'ready'}, torrents: [torrentWithPledge(pledge)]}});
    }
}

function* nodes(node) {
    yield node;
    for (const child of node.children ?? []) {
        yield* nodes(child);
    }
}

const button = (words) => [...nodes(byId.get('torrents'))]
    .find((n) => n.tagName === 'BUTTON' && n.textContent === words);

const pledge = (state, more = {}) => ({campaignId: 'saison-2', bundleId: 'les-veilleurs', pledgeId: 'p-1', state,
    amount: 1500, receipts: 1, ...more});

test('a pledge whose charge was declined offers Update your payment, and only that one', () => {
    showState(pledge('charge_failed', {declineCode: 'insufficient_funds', retryUntil: '2027-03-08T00:00:00Z'}));
    const update = button('Update your payment');
    assert.ok(update, 'the button is drawn');
    assert.equal(update.hidden, false);
    for (const state of ['pending', 'confirmed', 'charging', 'charged', 'released', 'cancelled', 'failed']) {
        showState(pledge(state));
        assert.equal(update.hidden, true, state);
    }
    showState(pledge('charge_failed'));
    assert.equal(update.hidden, false);
});

test('Update your payment asks the background for a new page, and says to save the card there', async () => {
    showState(pledge('charge_failed'));
    const update = button('Update your payment');
    const sentBefore = api.sent.length;
    answers.push(() => ({ok: true, result: {status: 'checkout', campaignId: 'saison-2', bundleId: 'les-veilleurs',
        pledgeId: 'p-1', state: 'charge_failed', amount: 1500, receipts: 1,
        checkoutUrl: 'https://checkout.example.org/c/pay/cs_2'}}));
    update.dispatch('click');
    await settle();
    assert.deepEqual(api.sent.slice(sentBefore).map((m) => ({...m})),
        [{intent: 'bundle.updatePledgePayment', infoHash}]);
    const message = update.parent.parent.children.find((n) => n.getAttribute('role') === 'status');
    assert.equal(message.textContent, 'Save your card in the new tab.');
    assert.equal(message.hidden, false);
});

test('a refused update is said in words', async () => {
    showState(pledge('charge_failed'));
    const update = button('Update your payment');
    answers.push(() => ({ok: false, error: {code: 1114, message: 'pledge_not_updatable',
        data: {gateCode: 'pledge_not_updatable'}}}));
    update.dispatch('click');
    await settle();
    const message = update.parent.parent.children.find((n) => n.getAttribute('role') === 'status');
    assert.equal(message.textContent, 'This pledge’s payment can no longer be changed.');
    assert.ok(message.classList.contains('is-error'));
});
