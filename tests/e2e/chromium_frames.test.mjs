// Magnet links inside iframes, in Chromium: one frame of the page's own origin, one of another origin (another
// site: Chromium puts it in a process of its own) and one srcdoc frame. A click offers the prompt in the frame of
// the link, with the focus on its primary button; Enter (or Space) opens the viewer on that torrent, Escape opens
// nothing.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {startWorld} from '../../demo/lib/world.mjs';
import {launchChromium} from './support/chromium.mjs';
import {makeHostHome} from './support/host_home.mjs';
import {escapeHtml, servePages} from './support/pages.mjs';
import {until} from './support/until.mjs';

// Runs in a frame: the prompt is up there when the frame's focus is in a host element the page did not make
// (its closed shadow root hides the rest, the focused button included).
function promptFocused() {
    const active = document.activeElement;
    return active?.tagName === 'DIV' && active.parentNode === document.body && active.shadowRoot === null &&
        active.id === '';
}

// The torrent a viewer tab shows: its link's info-hash until the host has added it, then the info-hash the
// viewer puts in its address instead (so that a reload does not add the link again).
function viewerTorrent(page) {
    const url = new URL(page.url());
    if (!url.pathname.endsWith('/viewer/viewer.html')) {
        return null;
    }
    const uri = url.searchParams.get('uri');
    return uri === null ? url.searchParams.get('infoHash') : /xt=urn:btih:([0-9a-f]{40})/i.exec(uri)?.[1] ?? uri;
}

test('Chromium: magnet links in same-origin, cross-origin and srcdoc iframes answer the keyboard',
    {timeout: 240000}, async () => {
        const folder = mkdtempSync(join(tmpdir(), 'sluice-e2e-frames-'));
        let world;
        let site;
        let browser;
        try {
            world = await startWorld({dir: join(folder, 'world')});
            const home = makeHostHome(join(folder, 'viewer'));
            const link = `<a id="link" href="${escapeHtml(world.magnet)}">Les Veilleurs (magnet)</a>`;
            const framed = `<!doctype html><body style="margin: 0"><p style="margin: 8px">${link}</p>`;
            const pages = {'/same': framed, '/cross': framed};
            site = await servePages(pages);
            pages['/'] = `<!doctype html><title>Films</title><h1>Films</h1>
                <iframe id="same" src="/same" style="border: 0; width: 400px; height: 150px"></iframe>
                <iframe id="cross" src="${site.crossBase}/cross"
                    style="border: 0; width: 400px; height: 150px"></iframe>
                <iframe id="srcdoc" srcdoc="${escapeHtml(framed)}" style="border: 0; width: 400px; height: 150px">
                </iframe>`;
            home.install('chromium');
            browser = await launchChromium({profileDir: home.chromiumProfile, env: home.env});
            const {context} = browser;
            const page = await context.newPage();
            await page.goto(`${site.base}/`);
            const frameAt = (url) => until(() => page.frames().find((f) => f.url() === url), 10000);
            const same = await frameAt(`${site.base}/same`);
            const cross = await frameAt(`${site.crossBase}/cross`);
            const srcdoc = await frameAt('about:srcdoc');

            // Enter in the same-origin frame, Space in the cross-origin one: each opens the viewer on the link's
            // torrent, which the viewer then lists (the host fetched it from the world's seed).
            for (const [frame, key, name] of [[same, 'Enter', 'same-origin'], [cross, 'Space', 'cross-origin']]) {
                await frame.click('#link');
                await until(() => frame.evaluate(promptFocused), 10000);
                assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'IFRAME',
                    `${name}: the prompt is in the frame, not in the page`);
                const opened = context.waitForEvent('page', {timeout: 15000});
                await page.keyboard.press(key);
                const viewer = await opened;
                await viewer.waitForLoadState();
                assert.equal(viewerTorrent(viewer), world.infoHash, name);
                await viewer.locator('button.primary[aria-label*="pilot"]').waitFor({timeout: 60000});
                assert.equal(await frame.evaluate(promptFocused), false, `${name}: the prompt is gone`);
                await viewer.close();
                // One tab a second per tab: the next link waits its turn.
                await new Promise((resolve) => setTimeout(resolve, 1000));
            }

            // A srcdoc frame (its origin the page's, as the browser reports it): the prompt too; Escape puts it
            // away and opens nothing.
            const pagesBefore = context.pages().length;
            await srcdoc.click('#link');
            await until(() => srcdoc.evaluate(promptFocused), 10000);
            await page.keyboard.press('Escape');
            await until(async () => !(await srcdoc.evaluate(promptFocused)), 5000);
            await new Promise((resolve) => setTimeout(resolve, 1000));
            assert.equal(context.pages().filter((p) => viewerTorrent(p) !== null).length, 0);
            assert.equal(context.pages().length, pagesBefore);
        } finally {
            await browser?.context.close().catch(() => {});
            await site?.close();
            await world?.stop();
            rmSync(folder, {recursive: true, force: true, maxRetries: 20, retryDelay: 250});
        }
    });
