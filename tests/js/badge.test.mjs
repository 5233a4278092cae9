// The toolbar badge, computed from the state: a count of torrents coming down, "!" without a host.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {badgeFor} from '../../extension/background/badge.js';

const ready = (activeDownloads) => ({host: {status: 'ready'}, torrents: [], activeDownloads});

test('the badge counts the torrents downloading', () => {
    assert.equal(badgeFor(ready(2)).text, '2');
    assert.deepEqual(badgeFor(ready(2)).title, {key: 'actionTitleDownloading', substitutions: ['2']});
    assert.equal(badgeFor(ready(12345)).text, '999+');
});

test('nothing downloading, or the host still connecting: no badge', () => {
    assert.equal(badgeFor(ready(0)).text, '');
    assert.equal(badgeFor(ready(0)).title.key, 'actionTitle');
    assert.equal(badgeFor({host: {status: 'connecting'}, torrents: [], activeDownloads: 0}).text, '');
    assert.equal(badgeFor(undefined).text, '');
});

test('a host that is missing, crashed or too old shows "!" and says so in the tooltip', () => {
    for (const status of ['not-installed', 'crashed', 'incompatible']) {
        const badge = badgeFor({host: {status}, torrents: [], activeDownloads: 0});
        assert.equal(badge.text, '!', status);
        assert.equal(badge.title.key, 'actionTitleHostProblem');
        assert.notEqual(badge.color, badgeFor(ready(1)).color);
    }
});

test('every tooltip the badge names has words in both languages', () => {
    const keys = new Set(['ready:0', 'ready:3', 'not-installed:0'].map((s) => {
        const [status, n] = s.split(':');
        return badgeFor({host: {status}, torrents: [], activeDownloads: Number(n)}).title.key;
    }));
    for (const lang of ['en', 'fr']) {
        const messages = JSON.parse(readFileSync(new URL(`../../extension/_locales/${lang}/messages.json`,
            import.meta.url), 'utf8'));
        for (const key of keys) {
            assert.ok(messages[key]?.message, `${lang}: ${key}`);
        }
    }
});
