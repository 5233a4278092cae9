// Which links a page can have opened in the viewer, and which URLs a checkout may open.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {isMagnet, isTorrentUrl, isWebUrl, openableLink} from '../../extension/common/links.js';

const v1 = 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567';

test('magnets with a v1 (hex or base32) or v2 info-hash', () => {
    assert.ok(isMagnet(v1));
    assert.ok(isMagnet('magnet:?dn=x&xt=urn:btih:ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'));
    assert.ok(isMagnet(`magnet:?xt=urn:btmh:1220${'a'.repeat(64)}&dn=x`));
    assert.ok(isMagnet(`magnet:?xt=urn%3Abtih%3A${'b'.repeat(40)}`));
});

test('magnets without a usable info-hash, or with whitespace or control characters', () => {
    for (const bad of ['magnet:?dn=x', 'magnet:?xt=urn:btih:abc', `magnet:?xt=urn:btmh:1220${'a'.repeat(63)}`,
        'magnet:xt=urn:btih:' + 'a'.repeat(40), `${v1}&dn=a b`, `${v1}\t`, `${v1}\u0000`, 'javascript:alert(1)',
        `${v1}&x=${'a'.repeat(8200)}`, 42, null]) {
        assert.equal(isMagnet(bad), false, String(bad).slice(0, 60));
    }
});

test('.torrent URLs: http(s) only, path ending in .torrent, no credentials', () => {
    assert.ok(isTorrentUrl('https://example.org/files/a.torrent'));
    assert.ok(isTorrentUrl('http://example.org/A.TORRENT?x=1'));
    for (const bad of ['https://example.org/a.torrent.html', 'ftp://example.org/a.torrent',
        'file:///tmp/a.torrent', 'https://user:pw@example.org/a.torrent', 'https://example.org/?f=a.torrent',
        'not a url.torrent']) {
        assert.equal(isTorrentUrl(bad), false, bad);
    }
});

test('openableLink answers the link itself or null', () => {
    assert.equal(openableLink(v1), v1);
    assert.equal(openableLink('https://example.org/page.html'), null);
});

test('only http(s) URLs can be opened as web pages', () => {
    assert.ok(isWebUrl('https://pay.example.org/checkout/1'));
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'chrome://settings']) {
        assert.equal(isWebUrl(bad), false, bad);
    }
});
