import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';

import {
    formatBytes, formatRate, formatPercent, formatGoalPercent, formatMoney, formatDuration, campaignProgress,
    torrentStateKey,
    itemLockKey, itemIsPlayable, itemTitle, campaignStateKey, pledgeStateKey, pledgeCancellable, hostStatusKey,
    kibToBytes, bytesToKib, formatEta, etaSeconds, pickLocale, formatDate,
    shownDownloadRate,
} from '../../extension/common/format.js';

// Intl may put a narrow no-break space between number and unit; compare on plain spaces.
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

test('figures are written in the catalogue\'s language, refined by a browser language of the same language', () => {
    // Headless Chromium with --lang=fr: French words, but the browser still reports en-US.
    assert.equal(pickLocale('fr', ['en-US', 'en-US', 'en']), 'fr');
    assert.equal(pickLocale('fr', ['en-US', 'fr-FR', 'fr']), 'fr-FR');
    assert.equal(pickLocale('fr', ['fr_CA']), 'fr-CA');
    assert.equal(pickLocale('en', ['en-GB']), 'en-GB');
    assert.equal(pickLocale('en', ['not a tag', 'en-US']), 'en-US');
    // No catalogue tag (an older catalogue): the browser's first language.
    assert.equal(pickLocale('', ['de-AT']), 'de-AT');
    assert.equal(pickLocale(undefined, []), 'en');
});

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

// Node 20 has no Intl.DurationFormat and Chromium has: check the fallback's exact words everywhere, and that
// the browser's DurationFormat (where this Node has one) says the same numbers.
function withoutDurationFormat(fn) {
    const saved = Object.getOwnPropertyDescriptor(Intl, 'DurationFormat');
    delete Intl.DurationFormat;
    try {
        return fn();
    } finally {
        if (saved) {
            Object.defineProperty(Intl, 'DurationFormat', saved);
        }
    }
}

test('remaining time keeps two units at most, rounded up', () => {
    withoutDurationFormat(() => {
        assert.equal(plain(formatEta(45, 'en')), '45 sec');
        assert.equal(plain(formatEta(0.2, 'en')), '1 sec');
        assert.equal(plain(formatEta(59.5, 'en')), '1 min');
        assert.equal(plain(formatEta(125, 'en')), '3 min');
        assert.equal(plain(formatEta(3599, 'en')), '1 hr');
        assert.equal(plain(formatEta(2 * 3600 + 5 * 60, 'en')), '2 hr, 5 min');
        assert.equal(plain(formatEta(86399, 'en')), '1 day');
        assert.equal(plain(formatEta(3 * 86400 + 4 * 3600 - 30, 'en')), '3 days, 4 hr');
        assert.equal(plain(formatEta(29 * 86400 + 23 * 3600 - 100, 'en')), '29 days, 23 hr');
    });
});

test('remaining time follows the locale', () => {
    withoutDurationFormat(() => {
        assert.equal(plain(formatEta(125, 'fr')), '3 min');
        assert.equal(plain(formatEta(45, 'fr')), '45 s');
        assert.equal(plain(formatEta(2 * 3600 + 5 * 60, 'fr')), '2 h et 5 min');
        assert.equal(plain(formatEta(29 * 86400 + 23 * 3600 - 100, 'fr')), '29 j et 23 h');
    });
});

test('remaining time through Intl.DurationFormat says the same numbers', {skip: !Intl.DurationFormat}, () => {
    for (const seconds of [45, 125, 2 * 3600 + 5 * 60, 3 * 86400 + 4 * 3600]) {
        const digits = (s) => s.match(/\d+/g).join(' ');
        assert.equal(digits(formatEta(seconds, 'fr')), digits(withoutDurationFormat(() => formatEta(seconds, 'fr'))));
    }
});

test('remaining time is empty when unknown', () => {
    for (const v of [null, undefined, NaN, Infinity, -1, 'soon']) {
        assert.equal(formatEta(v, 'en'), '');
    }
});

test('a torrent\'s remaining time comes from what is left and its rate', () => {
    const t = {state: 'downloading', hasMetadata: true, size: 10_000_000, downloaded: 4_000_000, downloadRate: 100_000};
    assert.equal(etaSeconds(t), 60);
    assert.equal(etaSeconds({...t, downloadRate: 70_000}), 86);
});

test('a torrent\'s remaining time is unknown without metadata, rate, or anything left to fetch', () => {
    const t = {state: 'downloading', hasMetadata: true, size: 10_000_000, downloaded: 4_000_000, downloadRate: 100_000};
    assert.equal(etaSeconds({...t, hasMetadata: false}), null);
    assert.equal(etaSeconds({...t, state: 'fetching-metadata'}), null);
    assert.equal(etaSeconds({...t, downloadRate: 0}), null);
    assert.equal(etaSeconds({...t, downloadRate: undefined}), null);
    assert.equal(etaSeconds({...t, size: 0}), null);
    assert.equal(etaSeconds({...t, downloaded: 10_000_000}), null);
    // A finished or seeding torrent can still carry the last rate seen: it has no remaining time.
    assert.equal(etaSeconds({...t, state: 'finished'}), null);
    assert.equal(etaSeconds({...t, state: 'seeding'}), null);
    assert.equal(etaSeconds({...t, state: 'paused'}), null);
    assert.equal(etaSeconds(null), null);
});

test('dates are long dates in the locale; a bare day stays that day', () => {
    assert.equal(formatDate('2027-01-04', 'en'), 'January 4, 2027');
    assert.equal(formatDate('2027-01-04', 'fr'), '4 janvier 2027');
    assert.match(formatDate('2027-01-04T12:00:00Z', 'fr'), /janvier 2027$/);
    assert.equal(formatDate('soon', 'fr'), 'soon');
    assert.equal(formatDate(undefined, 'fr'), '');
});

test('a download rate is shown only while downloading', () => {
    assert.equal(shownDownloadRate({state: 'downloading', downloadRate: 5000}), 5000);
    assert.equal(shownDownloadRate({state: 'fetching-metadata', downloadRate: 12}), 12);
    assert.equal(shownDownloadRate({state: 'downloading'}), 0);
    for (const state of ['finished', 'seeding', 'paused', 'checking', 'error']) {
        assert.equal(shownDownloadRate({state, downloadRate: 5000}), null, state);
    }
    assert.equal(shownDownloadRate(null), null);
});

test('French figures: money, durations and time left in French words', () => {
    assert.equal(plain(formatMoney(250000, 'EUR', 'fr-FR')), '2 500,00 €');
    assert.equal(plain(formatDuration(29 * 86400 + 23 * 3600, 'fr-FR')), '29 jours et 23 heures');
});

test('campaign progress prefers backers, caps the bar but not the percent', () => {
    assert.deepEqual(campaignProgress({backers: 30, goalBackers: 100, amount: 9, goalAmount: 10}),
        {kind: 'backers', value: 30, goal: 100, barValue: 30, percent: 30});
    assert.deepEqual(campaignProgress({backers: 3, amount: 13000, goalAmount: 10000}),
        {kind: 'amount', value: 13000, goal: 10000, barValue: 10000, percent: 130});
    assert.equal(campaignProgress({backers: 3, amount: 5}), null);
    assert.equal(campaignProgress(undefined), null);
});

test("a campaign's percent of its goal is whole and goes past 100 %, unlike a torrent's", () => {
    const overfunded = campaignProgress({backers: 3, amount: 13000, goalAmount: 10000});
    assert.equal(formatGoalPercent(overfunded.percent, 'en'), '130%');
    assert.equal(plain(formatGoalPercent(overfunded.percent, 'fr')), '130 %');
    assert.equal(formatPercent(1.3, 'en'), '100%');
    assert.equal(formatGoalPercent(campaignProgress({backers: 2, goalBackers: 3}).percent, 'en'), '66%');
    assert.equal(formatGoalPercent(undefined, 'en'), '0%');
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
    const states = ['sending', 'pending', 'confirmed', 'charging', 'charged', 'charge_failed', 'failed', 'cancelled',
        'released', 'refused'];
    const keys = states.map(pledgeStateKey);
    assert.equal(new Set(keys).size, states.length);
    assert.ok(!keys.includes('popupPledgeUnknown'));
    assert.equal(pledgeStateKey('charge_failed'), 'popupPledgeChargeFailed');
    for (const lang of ['en', 'fr']) {
        const messages = JSON.parse(readFileSync(new URL(`../../extension/_locales/${lang}/messages.json`,
            import.meta.url), 'utf8'));
        for (const key of keys) {
            assert.ok(messages[key]?.message, `${lang}: ${key}`);
        }
    }
    // The states of hosts from before pledges were pre-orders are no longer spoken.
    assert.equal(pledgeStateKey('active'), 'popupPledgeUnknown');
    assert.equal(pledgeStateKey('nope'), 'popupPledgeUnknown');
});

test('a pledge is cancellable until it is charged, while its campaign is open', () => {
    assert.ok(pledgeCancellable({state: 'pending'}, {state: 'open'}));
    assert.ok(pledgeCancellable({state: 'confirmed'}, {state: 'open'}));
    assert.ok(!pledgeCancellable({state: 'confirmed'}, {state: 'funded'}));
    for (const state of ['sending', 'charging', 'charged', 'charge_failed', 'released', 'cancelled', 'active']) {
        assert.ok(!pledgeCancellable({state}, {state: 'open'}), state);
    }
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
