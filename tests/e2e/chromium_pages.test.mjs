// Pages that are not a gate's: a magnet link on an ordinary page opens the viewer and plays, and a hostile page
// (markup announcing another publisher key, message floods, probing for the extension) gets nothing it should not.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {startWorld} from '../../demo/lib/world.mjs';
import {launchChromium} from './support/chromium.mjs';
import {makeHostHome} from './support/host_home.mjs';
import {escapeHtml, servePages} from './support/pages.mjs';
import {clickShadow, onShadowElement} from './support/shadow.mjs';
import {until} from './support/until.mjs';

const root = new URL('../../', import.meta.url).pathname;
const screenshots = join(root, 'build/test-output/e2e');

test('Chromium: a magnet link opens the viewer and plays; a hostile page learns nothing', {timeout: 240000},
    async () => {
        mkdirSync(screenshots, {recursive: true});
        const folder = mkdtempSync(join(tmpdir(), 'sluice-e2e-pages-'));
        const world = await startWorld({dir: join(folder, 'world')});
        const home = makeHostHome(join(folder, 'viewer'));
        const markup = JSON.stringify({
            bundleId: world.bundleId, gateUrl: world.gateUrl, magnet: world.magnet, version: world.version,
            publisherKey: 'ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
        }).replace(/</g, '\\u003c');
        const site = await servePages({
            '/links': `<!doctype html><title>Links</title><h1>Films</h1>
                <p><a id="magnet" href="${escapeHtml(world.magnet)}">Les Veilleurs (magnet)</a></p>`,
            '/imitation': `<!doctype html><title>Not the creator</title>
                <script type="application/sluice-bundle+json">${markup}</script><h1>Les Veilleurs</h1>`,
        });
        let browser;
        try {
            home.install('chromium');
            browser = await launchChromium({profileDir: home.chromiumProfile, env: home.env});
            const {context} = browser;

            // A magnet link: the prompt offers Sluice; Open brings the viewer, whose Play plays the pilot.
            const page = await context.newPage();
            await page.goto(`${site.base}/links`);
            await page.click('#magnet');
            const viewerOpened = context.waitForEvent('page', {timeout: 20000});
            await clickShadow(page, 'button.primary');
            const viewer = await viewerOpened;
            await viewer.waitForLoadState();
            assert.match(viewer.url(), /\/viewer\/viewer\.html\?/);
            const play = viewer.locator('button.primary[aria-label*="pilot"]');
            await play.waitFor({timeout: 60000});
            await play.click();
            const frame = await until(() => viewer.frames().find((f) => f.url().includes('/player/player.html')),
                20000);
            await until(() => frame.evaluate(() => document.querySelector('video') !== null), 20000);
            await frame.evaluate(() => {
                const video = document.querySelector('video');
                video.muted = true;
                video.play().catch(() => {});
            });
            await until(() => frame.evaluate(() => document.querySelector('video').currentTime > 0.5), 30000);
            await viewer.screenshot({path: join(screenshots, 'viewer.png'), fullPage: true});

            // A page announcing the same magnet under another publisher key: the card says so and offers nothing.
            const hostile = await context.newPage();
            await hostile.goto(`${site.base}/imitation`);
            await until(async () => (await onShadowElement(hostile, '.status',
                'function () { return this.dataset.status; }')) === 'mismatch', 60000);
            const offered = await onShadowElement(hostile, '.box',
                'function () { return [...this.querySelectorAll("button")].filter((b) => !b.hidden && ' +
                'b.closest("[hidden]") === null).length; }');
            assert.equal(offered, 0);
            await hostile.screenshot({path: join(screenshots, 'card-mismatch.png'), fullPage: true});

            // The page floods window messages in the card's words, probes for the extension, and looks for any
            // stream URL or token in what it can reach: nothing answers, nothing leaks.
            const probe = await hostile.evaluate(async () => {
                const replies = [];
                window.addEventListener('message', (e) => {
                    if (e.source !== window) {
                        replies.push(e.data);
                    }
                });
                for (let i = 0; i < 2000; ++i) {
                    window.postMessage({intent: 'stream.info', infoHash: 'a'.repeat(40), fileIndex: 0}, '*');
                    window.postMessage({type: 'watch', infoHash: 'a'.repeat(40)}, '*');
                }
                await new Promise((resolve) => setTimeout(resolve, 1000));
                let extensionFetch = 'blocked';
                try {
                    await fetch('chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk/manifest.json');
                    extensionFetch = 'read';
                } catch {
                    // The extension's files are not the page's to read.
                }
                return {
                    replies: replies.length,
                    runtime: typeof globalThis.chrome?.runtime?.sendMessage,
                    html: document.documentElement.outerHTML,
                    roots: [...document.querySelectorAll('*')].filter((e) => e.shadowRoot).length,
                    extensionFetch,
                };
            });
            assert.equal(probe.replies, 0);
            assert.equal(probe.runtime, 'undefined');
            assert.equal(probe.roots, 0);
            assert.equal(probe.extensionFetch, 'blocked');
            assert.doesNotMatch(probe.html, /\/s\/[0-9a-f]{32}\//);
            assert.doesNotMatch(probe.html, /player\.html/);
            // The card still stands after the flood.
            assert.equal(await onShadowElement(hostile, '.status', 'function () { return this.dataset.status; }'),
                'mismatch');
        } finally {
            await browser?.context.close().catch(() => {});
            await site.close();
            await world.stop();
            rmSync(folder, {recursive: true, force: true, maxRetries: 20, retryDelay: 250});
        }
    });
