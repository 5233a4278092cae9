// A recorded pledge is told like an unlock is: what was pledged, and, from the campaign's own terms, that
// nothing is charged now, that the card is saved on the page that opened, and when it would be charged.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {catalogueMessages} from './support/catalogue.mjs';
import {notificationFor, pledgeNotification} from '../../extension/background/notifications.js';
import {formatDate, formatMoney} from '../../extension/common/format.js';

const messages = (lang) => catalogueMessages(lang, {strict: true});

const gate = {campaignId: 'saison-2', price: 1500, currency: 'EUR', goalBackers: 2500,
    deadline: '2027-01-04T12:00:00Z', expectedDelivery: '2027-09-01', ifGoalMissed: 'Nothing is charged.'};
const result = {status: 'pledged', campaignId: 'saison-2', bundleId: 'les-veilleurs', pledgeId: 'p1',
    state: 'pending', amount: 2000, receipts: 1, checkoutUrl: 'https://checkout.example/cs_1',
    chargedOn: '2027-01-04T12:00:00Z'};
const deps = (lang, more = {}) => ({
    message: messages(lang), bundleTitle: 'Les Veilleurs', gate, campaign: undefined,
    money: (minor, currency) => formatMoney(minor, currency, lang), date: (text) => formatDate(text, lang), ...more,
});
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

test('a recorded pledge says its amount, where the card is saved, and when it would be charged', () => {
    const note = pledgeNotification(result, deps('en'));
    assert.equal(note.title, 'Pledge recorded');
    assert.equal(note.message, 'Les Veilleurs: your pledge of €20.00 is recorded. Save your card on the payment ' +
        'page that opened: the pledge counts once it is saved. Nothing is charged now: you are charged on ' +
        'January 4, 2027 only if 2500 backers join by then. If the goal is missed: Nothing is charged.');
});

test('in French, with French figures', () => {
    const note = pledgeNotification(result, deps('fr'));
    assert.equal(note.title, 'Contribution enregistrée');
    assert.match(plain(note.message), /votre contribution de 20,00 € est enregistrée/);
    assert.match(note.message, /Enregistrez votre carte sur la page de paiement/);
    assert.match(note.message, /sera prélevé le 4 janvier 2027 uniquement si 2500 contributeurs/);
});

test('an amount goal, the price when the answer has no amount, the campaign\'s terms when the gate lacks them', () => {
    const note = pledgeNotification({...result, amount: null}, deps('en', {
        gate: {price: 1500, currency: 'EUR'},
        campaign: {goalAmount: 3000000, deadline: '2027-03-01T12:00:00Z'},
    }));
    assert.match(note.message, /pledge of €15\.00 is recorded/);
    assert.match(note.message, /charged on March 1, 2027 only if €30,000\.00 is raised by then\.$/);
});

test('no terms known: the pledge alone; an earlier pledge: no notification', () => {
    const note = pledgeNotification(result, deps('en', {gate: undefined, bundleTitle: undefined}));
    assert.equal(note.message, 'les-veilleurs: your pledge is recorded. Save your card on the payment page that ' +
        'opened: the pledge counts once it is saved.');
    // A pledge the gate answers as already confirmed (a replayed answer) asks for no card.
    assert.equal(pledgeNotification({...result, state: 'confirmed'}, deps('en', {gate: undefined})).message,
        'Les Veilleurs: your pledge is recorded.');
    assert.equal(pledgeNotification({...result, status: 'alreadyPledged'}, deps('en')), null);
    assert.equal(pledgeNotification(undefined, deps('en')), null);
});

// The host's events about a pledge, as a person reads them.
const events = (lang) => ({message: messages(lang), nameOf: () => null, bundleTitle: () => 'Les Veilleurs',
    skip: () => false, date: (text) => formatDate(text, lang)});

test('a charged pledge, a declined charge and a release are each told', () => {
    const funded = notificationFor('campaign.funded', {campaignId: 'saison-2', bundleId: 'les-veilleurs',
        pledgeId: 'p1', items: ['a']}, events('en'));
    assert.equal(funded.title, 'Pledge charged');
    assert.match(funded.message, /^Les Veilleurs reached its goal and your pledge was charged/);

    const declined = notificationFor('campaign.chargeFailed', {campaignId: 'saison-2', bundleId: 'les-veilleurs',
        pledgeId: 'p1', declineCode: 'insufficient_funds', retryUntil: '2027-03-08T00:00:00Z',
        nextAttempt: '2027-03-02T00:00:00Z'}, events('en'));
    assert.equal(declined.title, 'Charge failed: update your payment');
    assert.match(declined.message, /declined the charge of your pledge\. Save another card before March 8, 2027/);
    const undated = notificationFor('campaign.chargeFailed', {campaignId: 'saison-2', bundleId: 'les-veilleurs',
        pledgeId: 'p1', declineCode: null, retryUntil: null, nextAttempt: null}, events('fr'));
    assert.equal(undated.title, 'Échec du prélèvement : mettez à jour votre paiement');
    assert.match(undated.message, /Enregistrez vite une autre carte/);

    const missed = notificationFor('campaign.released', {campaignId: 'saison-2', bundleId: 'les-veilleurs',
        pledgeId: 'p1', campaignState: 'failed'}, events('en'));
    assert.equal(missed.title, 'Pledge released');
    assert.equal(missed.message, 'Les Veilleurs did not reach its goal: your pledge is released. Nothing was charged.');
    const unsaved = notificationFor('campaign.released', {campaignId: 'saison-2', bundleId: 'les-veilleurs',
        pledgeId: 'p1', campaignState: 'funded'}, events('fr'));
    assert.match(unsaved.message, /aucune carte n'a été enregistrée/);
    // Gone with pre-orders: the host tells a missed goal as a release.
    assert.equal(notificationFor('campaign.failed', {bundleId: 'les-veilleurs'}, events('en')), null);
});

test('a pledge to a tier, with no amount named, says the tier\'s price', () => {
    const tiers = [{id: 'season', title: 'The season', price: 1500}, {id: 'collector', title: 'Collector', price: 4000}];
    const tiered = {...result, amount: null, tier: 'collector'};
    // The gate's tiers first; the manifest's when the gate's are not known yet; the campaign's price without either.
    assert.match(pledgeNotification(tiered, deps('en', {gate: {...gate, price: undefined},
        campaign: {price: 1500, tiers}})).message, /pledge of €40\.00 is recorded/);
    assert.match(pledgeNotification(tiered, deps('en', {gate: {...gate, price: undefined, tiers}})).message,
        /pledge of €40\.00 is recorded/);
    assert.match(pledgeNotification({...tiered, tier: 'gone'}, deps('en')).message, /pledge of €15\.00 is recorded/);
    assert.match(pledgeNotification({...tiered, amount: 5000}, deps('en', {gate: {...gate, tiers}})).message,
        /pledge of €50\.00 is recorded/);
});

test('a pledge released because its tier filled up says so, whatever the campaign\'s state', () => {
    for (const campaignState of ['open', 'funded']) {
        const note = notificationFor('campaign.released', {campaignId: 'saison-2', bundleId: 'les-veilleurs',
            pledgeId: 'p1', campaignState, reason: 'tier_sold_out'}, events('en'));
        assert.equal(note.title, 'Pledge released');
        assert.equal(note.message, 'Les Veilleurs: the tier you chose filled up before your card was saved, so your ' +
            'pledge is released. Nothing was charged; you can pledge to another tier.');
    }
    const fr = notificationFor('campaign.released', {campaignId: 'saison-2', bundleId: 'les-veilleurs',
        pledgeId: 'p1', campaignState: 'open', reason: 'tier_sold_out'}, events('fr'));
    assert.match(fr.message, /le palier choisi a été complet/);
});
