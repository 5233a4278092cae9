// The viewer page in real Chromium: the world's bundle opened from its magnet shows its items (not the files
// that carry them) with Play and Unlock as on its card; a magnet whose only tracker cannot be reached shows the
// tracker's error while it waits and, after a while, a plain sentence on what is wrong and what to try.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {startWorld} from '../../demo/lib/world.mjs';
import {launchChromium, chromeExtensionId} from './support/chromium.mjs';
import {makeHostHome} from './support/host_home.mjs';
import {until} from './support/until.mjs';

const root = new URL('../../', import.meta.url).pathname;
const screenshots = join(root, 'build/test-output/e2e');

function viewerUrl(uri) {
    return `chrome-extension://${chromeExtensionId}/viewer/viewer.html?uri=${encodeURIComponent(uri)}`;
}

// The player frame the viewer shows now, once it is not `previous` (the viewer has one at a time).
async function playerFrame(page, previous = null) {
    return until(() => page.frames().find((f) => f.url().includes('/player/player.html') && f !== previous), 20000);
}

// Plays the frame's media muted and waits until its time moves past half a second.
async function plays(frame) {
    await until(() => frame.evaluate(() => document.querySelector('video, audio') !== null), 20000);
    await frame.evaluate(() => {
        const media = document.querySelector('video, audio');
        media.muted = true;
        media.play().catch(() => {});
    });
    return until(() => frame.evaluate(() => {
        const media = document.querySelector('video, audio');
        return media && !media.error && media.currentTime > 0.5 ? media.currentTime : null;
    }), 30000);
}

test('Chromium viewer: a bundle shows its items, plays the pilot and unlocks an episode by email',
    {timeout: 240000}, async () => {
        mkdirSync(screenshots, {recursive: true});
        const folder = mkdtempSync(join(tmpdir(), 'sluice-e2e-viewer-'));
        const world = await startWorld({dir: join(folder, 'world')});
        const home = makeHostHome(join(folder, 'viewer'));
        let browser;
        try {
            home.install('chromium');
            browser = await launchChromium({profileDir: home.chromiumProfile, env: home.env});
            const viewer = await browser.context.newPage();
            await viewer.goto(viewerUrl(world.magnet));

            // The items, by their titles, in the manifest's order; none of the files that carry them.
            const titles = () => viewer.evaluate(() => [...document.querySelectorAll('#items .item-title')]
                .map((n) => n.textContent));
            await until(async () => (await titles()).length === 5, 60000);
            assert.deepEqual(await titles(), ['pilot.webm', 'episode-1.webm', 'episode-2.webm', 'making-of.webm', 'booklet.pdf']);
            await until(() => viewer.evaluate(() => /Les Veilleurs/.test(document.querySelector('#name').textContent)),
                10000);
            const shown = await viewer.evaluate(() => document.body.innerText);
            assert.doesNotMatch(shown, /bundle\.json|bundle\.sig|\.locked/);
            assert.equal(await viewer.evaluate(() => document.querySelector('#files').hidden), true);
            // Locked items offer Unlock, not Play; the free pilot offers Play.
            assert.equal(await viewer.locator('button.primary[aria-label*="episode-1"]').isVisible(), false);
            assert.equal(await viewer.locator('button[aria-label*="Unlock episode-1"]').isVisible(), true);

            await viewer.click('button.primary[aria-label*="pilot"]');
            const pilot = await playerFrame(viewer);
            assert.ok(await plays(pilot));
            // The item's bar follows the torrent: once the live line says it is shared whole, so does the bar.
            await until(() => viewer.evaluate(() => /^Sharing/.test(document.querySelector('#live').textContent) &&
                document.querySelector('#items .item progress').value === 1 &&
                document.querySelector('#items .item .percent').textContent === '100%'), 20000);
            await viewer.screenshot({path: join(screenshots, 'viewer-bundle.png'), fullPage: true});

            // Unlock episode 1 by email: its Unlock leads to the email form; the code comes from the gate's mail.
            await viewer.click('button[aria-label*="Unlock episode-1"]');
            assert.equal(await viewer.evaluate(() => document.activeElement?.id), 'email-address');
            await viewer.fill('#email-address', 'viewer@example.org');
            await viewer.click('#email-send');
            const code = await world.nextMailCode();
            await viewer.locator('#email-code').waitFor({state: 'visible', timeout: 20000});
            await viewer.fill('#email-code', code);
            await viewer.click('#code-confirm');
            const playEpisode = viewer.locator('button.primary[aria-label*="episode-1"]');
            await playEpisode.waitFor({state: 'visible', timeout: 30000});
            assert.equal(await viewer.locator('button[aria-label*="Unlock episode-1"]').isVisible(), false);
            await playEpisode.click();
            const episode = await playerFrame(viewer, pilot);
            assert.ok(await plays(episode));
        } finally {
            await browser?.context.close().catch(() => {});
            await world.stop();
            rmSync(folder, {recursive: true, force: true, maxRetries: 20, retryDelay: 250});
        }
    });

test('Chromium viewer: an unreachable tracker is shown with its error, then a diagnosis', {timeout: 120000},
    async () => {
        mkdirSync(screenshots, {recursive: true});
        const folder = mkdtempSync(join(tmpdir(), 'sluice-e2e-diagnosis-'));
        // The test's host runs with DHT off (the loopback-only config): the tracker is its only way out.
        const home = makeHostHome(folder);
        let browser;
        try {
            home.install('chromium');
            browser = await launchChromium({profileDir: home.chromiumProfile, env: home.env});
            const viewer = await browser.context.newPage();
            // Port 1 on loopback: nothing listens there, so every announce is refused at once.
            const magnet = `magnet:?xt=urn:btih:${'5e'.repeat(20)}&dn=nobody-here&tr=${
                encodeURIComponent('http://127.0.0.1:1/announce')}`;
            await viewer.goto(viewerUrl(magnet));

            const tracker = () => viewer.evaluate(() => {
                const li = [...document.querySelectorAll('#trackers li')]
                    .find((n) => n.querySelector('.tracker-name')?.textContent === '127.0.0.1:1');
                return li && {
                    status: li.querySelector('.tracker-status').dataset.status,
                    message: li.querySelector('.tracker-message').textContent,
                    open: document.querySelector('#sources').open,
                    diagnosis: !document.querySelector('#diagnosis').hidden,
                };
            });
            const failed = await until(async () => {
                const seen = await tracker();
                return seen?.status === 'error' && seen.message ? seen : null;
            }, 30000);
            assert.equal(failed.open, true);
            // Too early to conclude anything: the host has only just started.
            assert.equal(failed.diagnosis, false);

            const diagnosis = await until(() => viewer.evaluate(() => {
                const node = document.querySelector('#diagnosis');
                return node.hidden ? null : {reason: node.dataset.reason, text: node.innerText,
                    options: !document.querySelector('#open-options').hidden};
            }), 45000, 500);
            assert.equal(diagnosis.reason, 'trackers-failed');
            assert.match(diagnosis.text, /127\.0\.0\.1:1/);
            assert.ok(diagnosis.text.includes(failed.message), diagnosis.text);
            assert.match(diagnosis.text, /DHT/);
            assert.equal(diagnosis.options, true);
            assert.match(await viewer.evaluate(() => document.querySelector('#sources-summary').textContent),
                /DHT: off/);
            await viewer.screenshot({path: join(screenshots, 'viewer-diagnosis.png'), fullPage: true});
        } finally {
            await browser?.context.close().catch(() => {});
            rmSync(folder, {recursive: true, force: true, maxRetries: 20, retryDelay: 250});
        }
    });
