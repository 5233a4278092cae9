// What the viewer decides about a file's row and a bundle's items and gates: the same facts the card uses.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {fileFraction, fileState, fileWantable, filesSettled} from '../../extension/common/file_state.js';
import {buildCard, gatesShown, itemUnlockable} from '../../extension/common/card.js';
import {currencyDigits, gateRefusal, gateRefusalKey, majorText, minorAmount} from '../../extension/common/gates.js';
import {ErrorCode} from '../../extension/common/error_codes.js';

test('a skipped file with data is "stopped", not "not downloading" beside a full bar', () => {
    assert.equal(fileState({priority: 0, progress: 0.85}), 'stopped');
    assert.equal(fileState({priority: 0, progress: 0}), 'skipped');
    assert.equal(fileState({priority: 0, progress: 1}), 'done');
    assert.equal(fileState({priority: 4, progress: 0.85}), 'downloading');
    assert.equal(fileState({priority: 4, progress: 1}), 'done');
    assert.equal(fileFraction({progress: 7}), 1);
    assert.equal(fileFraction({progress: 'x'}), 0);
    assert.equal(fileWantable({priority: 0, progress: 0.85}), true);
    assert.equal(fileWantable({priority: 0, progress: 1}), false);
    assert.equal(filesSettled([{priority: 0, progress: 0.3}, {priority: 4, progress: 1}]), true);
    assert.equal(filesSettled([{priority: 0, progress: 0.3}, {priority: 1, progress: 0.2}]), false);
});

const items = [
    {path: 'les-veilleurs/pilot.webm', fileIndex: 1, size: 10, mediaType: 'video/webm', access: 'free'},
    {path: 'les-veilleurs/episode-1.webm.locked', fileIndex: 2, size: 10, mediaType: 'video/webm',
        access: 'locked', gate: 'email', unlocked: false},
    {path: 'les-veilleurs/booklet.pdf.locked', fileIndex: 3, size: 10, mediaType: 'application/pdf',
        access: 'locked', gate: 'pay', unlocked: true},
    {path: 'les-veilleurs/season-2/episode-2.webm.locked', fileIndex: 4, size: 10, mediaType: 'video/webm',
        access: 'locked', gate: 'pledge', unlocked: false},
];
const gates = {email: {}, pay: {currency: 'EUR', minimum: 300}, pledge: {campaignId: 's', price: 1500,
    currency: 'EUR', goalBackers: 1, deadline: '2030-01-01T00:00:00Z'}};

test('items: titles without .locked, Play only when open media, Unlock only by an offered gate', () => {
    const card = buildCard({infoHash: 'a'.repeat(40), torrent: {progress: 0.5,
        bundle: {status: 'verified', title: 'Les Veilleurs', items, gates}}});
    assert.deepEqual(card.items.map((i) => [i.title, i.playable, itemUnlockable(i, card.gates)]), [
        ['pilot.webm', true, false],
        ['episode-1.webm', false, true],
        ['booklet.pdf', false, false],
        ['episode-2.webm', false, true],
    ]);
    // The booklet is unlocked, so nothing is left to pay for; the episode still waits for its email.
    assert.deepEqual(gatesShown(card), {email: true, pay: false, pledge: true});
    assert.equal(itemUnlockable({access: 'locked', gate: 'email', unlocked: false}, {}), false);
    const unlocked = buildCard({infoHash: 'a'.repeat(40), torrent: {bundle: {status: 'verified', gates,
        items: items.map((i) => ({...i, unlocked: true}))}}});
    assert.deepEqual(gatesShown(unlocked), {email: false, pay: false, pledge: true});
    assert.ok(unlocked.items.filter((i) => i.mediaType.startsWith('video/')).every((i) => i.playable));
});

test('amounts typed in major units become minor units, by the currency', () => {
    assert.equal(currencyDigits('EUR'), 2);
    assert.equal(currencyDigits('JPY'), 0);
    assert.equal(currencyDigits('??'), 2);
    assert.equal(minorAmount('8', 'EUR'), 800);
    assert.equal(minorAmount('8,50', 'EUR'), 850);
    assert.equal(minorAmount(' 1000 ', 'JPY'), 1000);
    assert.equal(minorAmount('0', 'EUR'), null);
    assert.equal(minorAmount('eight', 'EUR'), null);
    assert.equal(majorText(1500, 'EUR'), '15.00');
    assert.equal(majorText(1, 'EUR'), '0.01');
});

test('a gate refusal is worded by its gate code; other errors by their code', () => {
    assert.equal(gateRefusalKey(gateRefusal('wrong_code')), 'cardGateWrongCode');
    assert.equal(gateRefusalKey({code: ErrorCode.GATE_REFUSED, data: {gateCode: 'unheard_of'}}), null);
    assert.equal(gateRefusalKey({code: ErrorCode.GATE_UNREACHABLE, data: {gateCode: 'wrong_code'}}), null);
    assert.equal(gateRefusalKey(null), null);
});
