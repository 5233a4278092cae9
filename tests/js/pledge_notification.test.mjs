// A recorded pledge is told like an unlock is: what was pledged, and, from the campaign's own terms, that
// nothing is charged now and when it would count.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {pledgeNotification} from '../../extension/background/notifications.js';
import {formatDate, formatMoney} from '../../extension/common/format.js';

const catalogue = (lang) => JSON.parse(readFileSync(new URL(`../../extension/_locales/${lang}/messages.json`,
    import.meta.url), 'utf8'));

// chrome.i18n.getMessage, enough of it: named placeholders mapped to $1, $2...
function messages(lang) {
    const table = catalogue(lang);
    return (key, substitutions = []) => {
        const entry = table[key];
        assert.ok(entry, `${lang}: no ${key}`);
        return entry.message.replace(/\$([A-Z_]+)\$/g, (_m, name) => {
            const content = entry.placeholders?.[name.toLowerCase()]?.content ?? '';
            return substitutions[Number(content.slice(1)) - 1] ?? '';
        });
    };
}

const gate = {campaignId: 'saison-2', price: 1500, currency: 'EUR', goalBackers: 2500,
    deadline: '2027-01-04T12:00:00Z', expectedDelivery: '2027-09-01', ifGoalMissed: 'Nothing is charged.'};
const result = {status: 'pledged', campaignId: 'saison-2', bundleId: 'les-veilleurs', pledgeId: 'p1',
    state: 'active', amount: 2000, receipts: 1};
const deps = (lang, more = {}) => ({
    message: messages(lang), bundleTitle: 'Les Veilleurs', gate, campaign: undefined,
    money: (minor, currency) => formatMoney(minor, currency, lang), date: (text) => formatDate(text, lang), ...more,
});
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

test('a recorded pledge says its amount, that nothing is charged now, and until when it counts', () => {
    const note = pledgeNotification(result, deps('en'));
    assert.equal(note.title, 'Pledge recorded');
    assert.equal(note.message, 'Les Veilleurs: your pledge of €20.00 is recorded. Nothing is charged now: it ' +
        'counts only if 2500 backers join by January 4, 2027. If the goal is missed: Nothing is charged.');
});

test('in French, with French figures', () => {
    const note = pledgeNotification(result, deps('fr'));
    assert.equal(note.title, 'Contribution enregistrée');
    assert.match(plain(note.message), /votre contribution de 20,00 € est enregistrée/);
    assert.match(note.message, /d'ici le 4 janvier 2027/);
});

test('an amount goal, the price when the answer has no amount, the campaign\'s terms when the gate lacks them', () => {
    const note = pledgeNotification({...result, amount: null}, deps('en', {
        gate: {price: 1500, currency: 'EUR'},
        campaign: {goalAmount: 3000000, deadline: '2027-03-01T12:00:00Z'},
    }));
    assert.match(note.message, /pledge of €15\.00 is recorded/);
    assert.match(note.message, /only if €30,000\.00 is raised by March 1, 2027\.$/);
});

test('no terms known: the pledge alone; an earlier pledge: no notification', () => {
    const note = pledgeNotification(result, deps('en', {gate: undefined, bundleTitle: undefined}));
    assert.equal(note.message, 'les-veilleurs: your pledge is recorded.');
    assert.equal(pledgeNotification({...result, status: 'alreadyPledged'}, deps('en')), null);
    assert.equal(pledgeNotification(undefined, deps('en')), null);
});
