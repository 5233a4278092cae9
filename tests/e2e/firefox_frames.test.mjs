// Firefox ESR: the link prompt answers the keyboard as it does in Chromium (its primary button has the focus,
// Enter opens the viewer, Escape puts the question away and opens nothing), in a page and inside iframes of
// the page's origin and of another. The window of a headless Firefox never holds the focus, where Firefox's
// buttons ignore Enter and Space by themselves: exactly the case the prompt must handle.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {launchFirefox, firefoxExtensionUuid} from './support/firefox.mjs';
import {makeHostHome} from './support/host_home.mjs';
import {servePages} from './support/pages.mjs';
import {until} from './support/until.mjs';

const viewerPrefix = `moz-extension://${firefoxExtensionUuid}/viewer/viewer.html?uri=`;
const magnet = (name) => `magnet:?xt=urn:btih:${'c'.repeat(40)}&dn=${name}`;
const KEYS = {Enter: '\uE007', Return: '\uE006', Escape: '\uE00C'};

function linkPage(id, name) {
    return `<!doctype html><body style="margin: 0"><p style="margin: 8px">
        <a id="${id}" href="${magnet(name)}">${name}</a></p>`;
}

// Every browsing context, frames included, flattened.
async function allContexts(session) {
    const flat = [];
    const walk = (list, parent) => {
        for (const c of list ?? []) {
            flat.push({context: c.context, url: c.url, parent});
            walk(c.children, c.context);
        }
    };
    walk((await session.send('browsingContext.getTree', {})).contexts, null);
    return flat;
}

async function viewers(session) {
    return (await session.contexts()).filter((c) => c.url.startsWith(viewerPrefix))
        .map((c) => decodeURIComponent(c.url.slice(viewerPrefix.length))).sort();
}

// A person's click on the link `id` of `where` (the tab or one of its frames, each with its own viewport: Firefox
// does not carry the tab's synthesized pointer into a frame of another process).
async function clickLink(session, where, id) {
    const link = await session.evaluate(where, `(() => { const r = document.getElementById(${JSON.stringify(id)})
        .getBoundingClientRect(); return {x: Math.round(r.x + r.width / 2), y: Math.round(r.y + r.height / 2)}; })()`);
    await session.send('input.performActions', {context: where, actions: [{type: 'pointer', id: 'mouse', actions: [
        {type: 'pointerMove', x: link.x, y: link.y}, {type: 'pointerDown', button: 0}, {type: 'pointerUp', button: 0}]}]});
}

// The prompt is up in `where` when the document's focus is in a host element it did not make (the closed shadow
// root hides the rest, the button itself included).
const promptFocused = 'document.activeElement?.tagName === "DIV" && document.activeElement.parentNode === ' +
    'document.body && document.activeElement.shadowRoot === null && document.activeElement.id === ""';

async function press(session, context, key) {
    await session.send('input.performActions', {context, actions: [{type: 'key', id: 'keyboard', actions: [
        {type: 'keyDown', value: key}, {type: 'keyUp', value: key}]}]});
}

test('Firefox ESR: the link prompt answers Enter and Escape, in a page and in its iframes', {timeout: 120000},
    async () => {
        const folder = mkdtempSync(join(tmpdir(), 'sluice-firefox-frames-'));
        const home = makeHostHome(folder);
        let site;
        let firefox;
        try {
            // The cross origin's address is known once the server listens: the pages are filled in then.
            const pages = {};
            site = await servePages(pages);
            Object.assign(pages, {
                '/': `<!doctype html><title>Links</title><h1>Films</h1>
                    <p><a id="top" href="${magnet('top-link')}">top-link</a></p>
                    <p><a id="declined" href="${magnet('declined-link')}">declined-link</a></p>
                    <iframe id="same" src="/same" style="border: 0; width: 400px; height: 200px"></iframe>
                    <iframe id="cross" src="${site.crossBase}/cross" style="border: 0; width: 400px; height: 200px"></iframe>`,
                '/same': linkPage('link', 'same-origin-frame'),
                '/cross': linkPage('link', 'cross-origin-frame'),
            });
            firefox = await launchFirefox({folder, env: home.env});
            const {session} = firefox;
            const [{context: tab}] = await session.contexts();
            await session.send('browsingContext.navigate', {context: tab, url: `${site.base}/`,
                wait: 'complete'});
            const frames = await until(async () => {
                const found = (await allContexts(session)).filter((c) => c.parent === tab);
                return found.length === 2 && found.every((c) => !c.url.startsWith('about:')) ? found : null;
            }, 15000);
            const frameOf = (path) => frames.find((c) => new URL(c.url).pathname === path).context;
            assert.equal(await session.evaluate(tab, 'document.hasFocus()'), false, 'the case this test is about');

            // In the page: the prompt's primary button gets the focus, and Enter opens the viewer.
            await clickLink(session, tab, 'top');
            await until(() => session.evaluate(tab, promptFocused), 10000);
            assert.deepEqual(await viewers(session), []);
            await press(session, tab, KEYS.Enter);
            assert.deepEqual(await until(async () => {
                const opened = await viewers(session);
                return opened.length > 0 ? opened : null;
            }, 10000), [magnet('top-link')]);
            // The prompt is gone, and focus is back on the link.
            assert.equal(await session.evaluate(tab, 'document.activeElement?.id'), 'top');

            // A second prompt, put away with Escape: gone, and nothing opened.
            await session.send('browsingContext.activate', {context: tab});
            await clickLink(session, tab, 'declined');
            await until(() => session.evaluate(tab, promptFocused), 10000);
            await press(session, tab, KEYS.Escape);
            await until(async () => !(await session.evaluate(tab, promptFocused)), 5000);
            await new Promise((resolve) => setTimeout(resolve, 1000));
            assert.deepEqual(await viewers(session), [magnet('top-link')]);

            // Links in a same-origin and a cross-origin iframe: the prompt shows in the link's frame, and Return
            // (the main keyboard's Enter) opens the viewer on that frame's link.
            let expected = [magnet('top-link')];
            for (const [path, name] of [['/same', 'same-origin-frame'], ['/cross', 'cross-origin-frame']]) {
                const frame = frameOf(path);
                // One tab a second per tab: the previous viewer's second is over.
                await new Promise((resolve) => setTimeout(resolve, 1000));
                await session.send('browsingContext.activate', {context: tab});
                await clickLink(session, frame, 'link');
                await until(() => session.evaluate(frame, promptFocused), 10000);
                assert.equal(await session.evaluate(tab, promptFocused), false, `${name}: not in the top page`);
                await press(session, frame, KEYS.Return);
                expected = [...expected, magnet(name)].sort();
                assert.deepEqual(await until(async () => {
                    const opened = await viewers(session);
                    return opened.length === expected.length ? opened : null;
                }, 10000), expected, name);
            }
        } finally {
            await firefox?.stop();
            await site?.close();
            rmSync(folder, {recursive: true, force: true, maxRetries: 20, retryDelay: 250});
        }
    });
