// The host accepts exactly one Chromium extension id and one Firefox add-on id; both must be the ones
// extension/manifest.json really produces, or the browser's host would refuse its own extension.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../../extension/manifest.json', import.meta.url), 'utf8'));
const hostSource = readFileSync(
    new URL('../../protocol/src/sluice/protocol/extension_ids.hpp', import.meta.url), 'utf8');

// Chromium: the first 128 bits of SHA-256 over the DER public key, each hex digit mapped 0-f to a-p.
function chromeExtensionId(base64Key) {
    const digest = createHash('sha256').update(Buffer.from(base64Key, 'base64')).digest('hex');
    return [...digest.slice(0, 32)].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

test('the host knows the Chromium id derived from the manifest key', () => {
    const id = chromeExtensionId(manifest.key);
    assert.match(id, /^[a-p]{32}$/);
    assert.ok(hostSource.includes(`chrome_extension_id = "${id}"`), `extension_ids.hpp does not name ${id}`);
});

test('the host knows the Firefox add-on id from the manifest', () => {
    const id = manifest.browser_specific_settings.gecko.id;
    assert.ok(hostSource.includes(`firefox_addon_id = "${id}"`), `extension_ids.hpp does not name ${id}`);
});
