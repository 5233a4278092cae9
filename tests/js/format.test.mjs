import {test} from 'node:test';
import assert from 'node:assert/strict';

import {
    formatBytes, formatRate, formatPercent, formatMoney, formatDuration, campaignProgress, torrentStateKey,
    itemLockKey, itemIsPlayable, itemTitle, campaignStateKey, pledgeStateKey, pledgeCancellable, hostStatusKey,
    kibToBytes, bytesToKib,
} from '../../extension/common/format.js';

// Intl may put a narrow no-break space between number and unit; compare on plain spaces.
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

test('bytes use decimal units with one decimal while small', () => {
    assert.equal(plain(formatBytes(0, 'en')), '0 kB');
    assert.equal(plain(formatBytes(500, 'en')), '0.5 kB');
    assert.equal(plain(formatBytes(1500, 'en')), '1.5 kB');
    assert.equal(plain(formatBytes(1_530_000, 'en')), '1.5 MB');
    assert.equal(plain(formatBytes(153_400_000, 'en')), '153 MB');
    assert.equal(plain(formatBytes(2_000_000_000_000, 'en')), '2 TB');
});

test('bytes follow the locale', () => {
    assert.equal(plain(formatBytes(1_530_000, 'fr')), '1,5 Mo');
});

test('bad sizes read as zero rather than NaN', () => {
    assert.equal(plain(formatBytes(undefined, 'en')), '0 kB');
    assert.equal(plain(formatBytes(-5, 'en')), '0 kB');
});

test('rates are per second', () => {
    assert.equal(plain(formatRate(0, 'en')), '0 kB/s');
    assert.equal(plain(formatRate(2_400_000, 'en')), '2.4 MB/s');
});

test('percent is floored so 99.9 % is not shown as done', () => {
    assert.equal(plain(formatPercent(0.999, 'en')), '99%');
    assert.equal(plain(formatPercent(1, 'en')), '100%');
    assert.equal(plain(formatPercent(0.42, 'fr')), '42 %');
    assert.equal(plain(formatPercent(7, 'en')), '100%');
});

test('money is given in minor units of its currency', () => {
    assert.equal(formatMoney(1500, 'EUR', 'en'), '€15.00');
    assert.equal(plain(formatMoney(1500, 'EUR', 'fr')), '15,00 €');
    assert.equal(formatMoney(1500, 'JPY', 'en'), '¥1,500');
});

test('durations keep the two largest units', () => {
    assert.equal(formatDuration(3 * 86400 + 4 * 3600 + 59, 'en'), '3 days, 4 hours');
    assert.equal(formatDuration(3 * 86400 + 120, 'en'), '3 days');
    assert.equal(formatDuration(3600 + 60, 'en'), '1 hour, 1 minute');
    assert.equal(formatDuration(45, 'en'), '45 seconds');
    assert.equal(formatDuration(0, 'en'), '0 seconds');
    assert.equal(plain(formatDuration(2 * 86400 + 3600, 'fr')), '2 jours et 1 heure');
});

test('campaign progress prefers backers, caps the bar but not the percent', () => {
    assert.deepEqual(campaignProgress({backers: 30, goalBackers: 100, amount: 9, goalAmount: 10}),
        {kind: 'backers', value: 30, goal: 100, barValue: 30, percent: 30});
    assert.deepEqual(campaignProgress({backers: 3, amount: 13000, goalAmount: 10000}),
        {kind: 'amount', value: 13000, goal: 10000, barValue: 10000, percent: 130});
    assert.equal(campaignProgress({backers: 3, amount: 5}), null);
    assert.equal(campaignProgress(undefined), null);
});

test('each torrent state has its own words, unknown ones a fallback', () => {
    const states = ['checking', 'fetching-metadata', 'downloading', 'finished', 'seeding', 'paused', 'error'];
    const keys = states.map(torrentStateKey);
    assert.equal(new Set(keys).size, states.length);
    assert.ok(!keys.includes('popupStateUnknown'));
    assert.equal(torrentStateKey('exploded'), 'popupStateUnknown');
});

test('an item is free, unlocked, or locked by its gate', () => {
    assert.equal(itemLockKey({access: 'free'}), 'popupLockFree');
    assert.equal(itemLockKey({access: 'locked', gate: 'email', unlocked: true}), 'popupLockUnlocked');
    assert.equal(itemLockKey({access: 'locked', gate: 'email', unlocked: false}), 'popupLockEmail');
    assert.equal(itemLockKey({access: 'locked', gate: 'pay'}), 'popupLockPay');
    assert.equal(itemLockKey({access: 'locked', gate: 'pledge'}), 'popupLockPledge');
});

test('only open audio and video items play', () => {
    assert.ok(itemIsPlayable({access: 'free', mediaType: 'video/webm'}));
    assert.ok(itemIsPlayable({access: 'locked', unlocked: true, mediaType: 'audio/ogg'}));
    assert.ok(!itemIsPlayable({access: 'locked', unlocked: false, mediaType: 'video/webm'}));
    assert.ok(!itemIsPlayable({access: 'free', mediaType: 'application/pdf'}));
});

test('item titles drop folders and the .locked suffix', () => {
    assert.equal(itemTitle('season/episode-2.webm.locked'), 'episode-2.webm');
    assert.equal(itemTitle('pilot.webm'), 'pilot.webm');
});

test('campaign and pledge states map to distinct keys', () => {
    assert.notEqual(campaignStateKey('funded'), campaignStateKey('failed'));
    assert.equal(campaignStateKey('nope'), 'popupCampaignUnknown');
    assert.notEqual(pledgeStateKey('active'), pledgeStateKey('cancelled'));
    assert.equal(pledgeStateKey('nope'), 'popupPledgeUnknown');
});

test('a pledge is cancellable only while active in an open campaign', () => {
    assert.ok(pledgeCancellable({state: 'active'}, {state: 'open'}));
    assert.ok(!pledgeCancellable({state: 'active'}, {state: 'funded'}));
    assert.ok(!pledgeCancellable({state: 'sending'}, {state: 'open'}));
    assert.ok(!pledgeCancellable(null, {state: 'open'}));
});

test('the host banner is chosen by status and absent when ready', () => {
    assert.equal(hostStatusKey('ready'), null);
    assert.equal(hostStatusKey('not-installed'), 'popupHostNotInstalled');
    assert.equal(hostStatusKey('crashed'), 'popupHostCrashed');
    assert.equal(hostStatusKey('incompatible'), 'popupHostIncompatible');
    assert.equal(hostStatusKey('connecting'), 'popupHostConnecting');
});

test('rate limits convert between KiB/s and bytes/s', () => {
    assert.equal(kibToBytes(0), 0);
    assert.equal(kibToBytes(100), 102400);
    assert.equal(bytesToKib(102400), 100);
    assert.equal(bytesToKib(1000), 1);
});
