// What the content scripts share with the pages and the background is written once, in common/classic/: each
// ES module of common/ hands on exactly its classic script's members, and no page or content script writes its
// own copy of one of them.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import {contentScripts, fakeExtension} from './support/content_world.mjs';

const extension = new URL('../../extension/', import.meta.url);

// ui.js asks the browser for its words' locale when it loads.
globalThis.chrome = fakeExtension();

const SHARED = {
    webext: 'sluiceWebext', error_codes: 'sluiceErrorCodes', error_text: 'sluiceErrorText', format: 'sluiceFormat',
    gates: 'sluiceGates', card: 'sluiceCard', ui: 'sluiceUi',
};

test('each classic script of common/classic/ has its module in common/ and is a content script', () => {
    const classic = readdirSync(new URL('common/classic/', extension)).map((f) => f.replace(/\.js$/, ''));
    assert.deepEqual(classic.sort(), Object.keys(SHARED).sort());
    for (const name of classic) {
        assert.ok(contentScripts.includes(`common/classic/${name}.js`), name);
    }
});

test('each module of common/ exports exactly what its classic script defines', async () => {
    for (const [name, global] of Object.entries(SHARED)) {
        const module = await import(`../../extension/common/${name}.js`);
        const defined = globalThis[global];
        assert.ok(Object.isFrozen(defined), global);
        assert.deepEqual(Object.keys(module).sort(), Object.keys(defined).sort(), name);
        for (const [key, value] of Object.entries(module)) {
            assert.notEqual(value, undefined, `${name}.${key}`);
            assert.equal(value, defined[key], `${name}.${key}`);
        }
    }
});

function sources(folder) {
    return readdirSync(new URL(folder, extension), {recursive: true})
        .filter((f) => f.endsWith('.js'))
        .map((f) => [`${folder}${f}`, readFileSync(new URL(`${folder}${f}`, extension), 'utf8')]);
}

test('no page, background script or content script defines its own copy of a shared helper', () => {
    const names = new Set(['run']);
    for (const global of Object.values(SHARED)) {
        Object.keys(globalThis[global]).forEach((name) => names.add(name));
    }
    // The content scripts' ask is the shared one, capped per frame.
    const wrappers = new Set(['content/messaging.js ask']);
    const files = ['background/', 'content/', 'options/', 'player/', 'popup/', 'viewer/'].flatMap(sources);
    assert.ok(files.length > 20);
    for (const [file, text] of files) {
        for (const [, name] of text.matchAll(/^\s*(?:async\s+)?(?:function\s*\*?|const|let|var|class)\s+(\w+)/gm)) {
            assert.ok(!names.has(name) || wrappers.has(`${file} ${name}`), `${file} defines ${name}`);
        }
    }
});
