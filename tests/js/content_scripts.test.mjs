// The content scripts are classic scripts listed in the manifest, each one job, each reading what the ones before
// it set on the isolated world's global: loaded here in that order, as a browser loads them.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readdirSync} from 'node:fs';
import {contentScripts, fakeDocument, fakeExtension, loadContentScripts} from './support/content_world.mjs';

const BUNDLE_SELECTOR = 'script[type="application/sluice-bundle+json"]';

test('every content script is in the manifest, the shared ones first, and they load in its order', () => {
    const own = readdirSync(new URL('../../extension/content/', import.meta.url)).map((f) => `content/${f}`);
    assert.deepEqual([...own].sort(), contentScripts.filter((f) => f.startsWith('content/')).sort());
    const firstOwn = contentScripts.findIndex((f) => f.startsWith('content/'));
    assert.ok(contentScripts.slice(0, firstOwn).every((f) => f.startsWith('common/classic/')), contentScripts);
    assert.equal(contentScripts.at(-1), 'content/main.js');

    const {world, listeners, document} = loadContentScripts();
    for (const name of ['sluiceWebext', 'sluiceErrorCodes', 'sluiceErrorText', 'sluiceFormat', 'sluiceGates',
        'sluiceCard', 'sluiceUi', 'sluiceMessaging', 'sluiceShadow', 'sluiceBundleCard', 'sluiceBundlePage',
        'sluiceLinkPrompt', 'sluiceLinks']) {
        assert.equal(typeof world[name], 'object', name);
        assert.ok(Object.isFrozen(world[name]), name);
    }
    // main.js started both jobs: the links' listeners, capturing, and a look for bundle markup.
    assert.deepEqual(listeners.map(({type, capture}) => [type, capture]), [['click', true], ['pointerdown', true]]);
    assert.deepEqual(document.asked, [BUNDLE_SELECTOR]);
});

test('a script listed before what it reads fails to load', () => {
    const misordered = contentScripts.filter((f) => f !== 'common/classic/format.js');
    assert.throws(() => loadContentScripts({files: misordered}), {name: 'TypeError'});
});

test('a frame watches its links but looks for no bundle; nothing starts without the extension API', () => {
    const frame = loadContentScripts({top: false});
    assert.deepEqual(frame.listeners.map(({type}) => type), ['click', 'pointerdown']);
    assert.deepEqual(frame.document.asked, []);

    const orphan = fakeExtension();
    orphan.runtime.id = undefined;
    const gone = loadContentScripts({api: orphan});
    assert.deepEqual(gone.listeners, []);
    assert.deepEqual(gone.document.asked, []);
});

test('links Sluice answers: magnets and http(s) .torrent paths, bounded', () => {
    const {linkKind} = loadContentScripts().world.sluiceLinks;
    const kind = (href) => linkKind({href});
    assert.equal(kind('magnet:?xt=urn:btih:' + 'a'.repeat(40)), 'magnet');
    assert.equal(kind('MAGNET:?dn=x'), 'magnet');
    assert.equal(kind('https://example.org/files/film.torrent'), 'torrent');
    assert.equal(kind('http://example.org/FILM.TORRENT?x=1#y'), 'torrent');
    assert.equal(kind('https://example.org/film.torrent.html'), null);
    assert.equal(kind('https://example.org/get?file=film.torrent'), null);
    assert.equal(kind('ftp://example.org/film.torrent'), null);
    assert.equal(kind('magnet:xt=urn:btih:abc'), null);
    assert.equal(kind(''), null);
    assert.equal(kind(undefined), null);
    assert.equal(kind('magnet:?xt=' + 'a'.repeat(8192)), null);
});

test("a page's bundle markup: exactly one script, not empty, at most 8192 characters", () => {
    const {bundleMarkup} = loadContentScripts().world.sluiceBundlePage;
    const markup = (...scripts) => {
        const document = fakeDocument(scripts);
        const text = bundleMarkup(document);
        assert.deepEqual(document.asked, [BUNDLE_SELECTOR]);
        return text;
    };
    assert.equal(markup('{"bundleId": "x"}'), '{"bundleId": "x"}');
    assert.equal(markup('x'.repeat(8192)), 'x'.repeat(8192));
    assert.equal(markup('x'.repeat(8193)), null);
    assert.equal(markup(''), null);
    assert.equal(markup(), null);
    assert.equal(markup('{"a": 1}', '{"b": 2}'), null);
});

test('intents go to the background, at most 8 a second from a frame', async () => {
    const api = fakeExtension({send: async (message) => ({ok: true, result: {echo: message.intent}})});
    const {ask} = loadContentScripts({api}).world.sluiceMessaging;
    const answers = await Promise.all(Array.from({length: 8}, (_, i) => ask('page.linkPolicy', {n: i})));
    assert.deepEqual(answers.map((a) => a.echo), Array(8).fill('page.linkPolicy'));
    assert.deepEqual({...api.sent[3]}, {intent: 'page.linkPolicy', n: 3});
    const refused = await ask('page.openLink', {url: 'magnet:?x'}).then(() => null, (e) => e);
    assert.equal(refused?.code, 2007);
    assert.equal(api.sent.length, 8);
});

test("the background's refusal reaches the caller with its code and data; no answer has code null", async () => {
    const refusing = fakeExtension({send: async () => ({ok: false,
        error: {code: 1108, message: 'refused', data: {gateCode: 'wrong_code'}}})});
    const refusal = await loadContentScripts({api: refusing}).world.sluiceMessaging.ask('page.confirmEmail')
        .then(() => null, (e) => e);
    assert.equal(refusal.code, 1108);
    assert.equal(refusal.data.gateCode, 'wrong_code');

    const away = fakeExtension({send: async () => {
        throw new Error('Could not establish connection. Receiving end does not exist.');
    }});
    const lost = await loadContentScripts({api: away}).world.sluiceMessaging.ask('page.bundle')
        .then(() => null, (e) => e);
    assert.equal(lost.code, null);
});
