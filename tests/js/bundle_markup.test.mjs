// The bundle markup of a landing page: exactly five members of the right types, bounded, with a magnet that
// names a BitTorrent info-hash. Anything else is refused with a reason.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {parseBundleMarkup} from '../../extension/common/bundle_markup.js';

const magnet = 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=les-veilleurs';
const good = {
    bundleId: 'les-veilleurs', gateUrl: 'https://gate.example.org/', magnet,
    publisherKey: 'ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=', version: 3,
};
const text = (object) => JSON.stringify(object);

test('valid markup gives back its five members', () => {
    assert.deepEqual(parseBundleMarkup(text(good)), {ok: true, markup: good});
});

test('markup as a gate writes it, with < > & escaped, reads unchanged', () => {
    const written = '{"bundleId":"les-veilleurs","gateUrl":"https://gate.example.org/?a=1\\u0026b=\\u003cx\\u003e",' +
        '"magnet":"magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567\\u0026' +
        'xt=urn:btmh:1220' + 'ab'.repeat(32) + '\\u0026dn=les-veilleurs",' +
        '"publisherKey":"ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=","version":3}';
    assert.ok(!written.includes('<') && !written.includes('&'));
    const parsed = parseBundleMarkup(written);
    assert.equal(parsed.ok, true, parsed.reason);
    assert.equal(parsed.markup.gateUrl, 'https://gate.example.org/?a=1&b=<x>');
    assert.ok(parsed.markup.magnet.includes('&xt=urn:btmh:1220'));
});

test('an extra or a missing member is refused', () => {
    assert.equal(parseBundleMarkup(text({...good, extra: 1})).ok, false);
    const missing = {...good};
    delete missing.gateUrl;
    assert.equal(parseBundleMarkup(text(missing)).ok, false);
});

test('members of the wrong type are refused', () => {
    for (const [name, value] of [['bundleId', 7], ['bundleId', 'Les Veilleurs'], ['version', '3'],
        ['version', 0], ['version', 1.5], ['publisherKey', 'x25519:AAAA'], ['publisherKey', null],
        ['gateUrl', 'javascript:alert(1)'], ['gateUrl', 3], ['magnet', ['magnet:?']]]) {
        const parsed = parseBundleMarkup(text({...good, [name]: value}));
        assert.equal(parsed.ok, false, `${name}: ${JSON.stringify(value)}`);
        assert.ok(parsed.reason.length > 0);
    }
});

test('not an object, not JSON, not text', () => {
    for (const input of ['[]', 'null', '"x"', '{', '', 42, null]) {
        assert.equal(parseBundleMarkup(input).ok, false, String(input));
    }
});

test('markup over 8 KiB is refused before it is parsed, counted in UTF-8 bytes', () => {
    const padded = text({...good, gateUrl: `https://gate.example.org/${'a'.repeat(2000)}`});
    assert.equal(parseBundleMarkup(padded).ok, true);
    // Under 8192 characters but over 8192 bytes: three bytes each.
    const wide = `${text(good)}${' '.repeat(10)}`.replace('}', `,"x":"${'€'.repeat(2800)}"}`);
    assert.ok(wide.length < 8192);
    assert.match(parseBundleMarkup(wide).reason, /larger than 8192 bytes/);
});

test('a magnet must name a btih or btmh info-hash', () => {
    for (const bad of ['', 'https://example.org/a.torrent', 'magnet:?dn=x', 'magnet:?xt=urn:sha1:abc',
        'magnet:?xt=urn:btih:123', `${magnet} `, `${magnet}\n`]) {
        assert.equal(parseBundleMarkup(text({...good, magnet: bad})).ok, false, bad);
    }
});
