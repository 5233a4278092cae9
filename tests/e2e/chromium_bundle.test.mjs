// A viewer's whole path in real Chromium: a sluice-gate landing page → the card → the free pilot plays from
// the localhost stream (and after a seek to 80 %) → email unlock → the episode plays → pledge → the popup
// shows the campaign → the campaign closes funded → the season unlocks. The gate, the seed and the viewer's
// host are the real binaries; the world is the one `make demo` runs. Screenshots go to build/test-output/e2e.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {startWorld} from '../../demo/lib/world.mjs';
import {launchChromium, chromeExtensionId} from './support/chromium.mjs';
import {makeHostHome} from './support/host_home.mjs';
import {clickShadow, shadowText, typeShadow, onShadowElement} from './support/shadow.mjs';
import {until} from './support/until.mjs';

const root = new URL('../../', import.meta.url).pathname;
const screenshots = join(root, 'build/test-output/e2e');

async function playerFrame(page, file) {
    return until(() => page.frames().find((f) => f.url().includes('/player/player.html') &&
        new URL(f.url()).searchParams.get('file') === String(file)), 20000);
}

// Plays the frame's media muted (headless Chromium has no sound anyway) and waits until time moves past `from`.
async function playsPast(frame, from) {
    await until(() => frame.evaluate(() => document.querySelector('video, audio') !== null), 20000);
    await frame.evaluate(() => {
        const media = document.querySelector('video, audio');
        media.muted = true;
        media.play().catch(() => {});
    });
    return until(() => frame.evaluate((t) => {
        const media = document.querySelector('video, audio');
        return media && !media.error && media.currentTime > t ? media.currentTime : null;
    }, from), 30000);
}

async function fileIndexOf(extPage, infoHash, name) {
    const reply = await extPage.evaluate(async ([h]) =>
        chrome.runtime.sendMessage({intent: 'torrent.files', infoHash: h}), [infoHash]);
    return reply.result.files.find((f) => f.path.endsWith(name)).index;
}

test('Chromium: a bundle page plays, unlocks by email and by a funded pledge', {timeout: 300000}, async () => {
    mkdirSync(screenshots, {recursive: true});
    const folder = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
    const world = await startWorld({dir: join(folder, 'world')});
    const home = makeHostHome(join(folder, 'viewer'), {gatePollSeconds: 2});
    let browser;
    try {
        home.install('chromium');
        browser = await launchChromium({profileDir: home.chromiumProfile, env: home.env});
        const {context} = browser;
        // The background answers extension pages: the tests ask it through one, as the popup does.
        const extPage = await context.newPage();
        await extPage.goto(`chrome-extension://${chromeExtensionId}/options/options.html`);
        const page = await context.newPage();
        await page.goto(world.landingUrl);

        // The card appears and the bundle is verified from its signed manifest.
        await until(async () => /Les Veilleurs/.test(await shadowText(page, 'h2').catch(() => '')), 60000);
        await until(async () => (await onShadowElement(page, '.status',
            'function () { return this.dataset.status; }')) === 'verified', 60000);
        await page.screenshot({path: join(screenshots, 'card.png'), fullPage: true});

        // What the page itself can see: a host element without a reachable shadow root, no stream URL.
        const seen = await page.evaluate(() => ({
            html: document.documentElement.outerHTML,
            roots: [...document.querySelectorAll('*')].filter((e) => e.shadowRoot).length,
            frames: document.querySelectorAll('iframe').length,
            runtime: typeof globalThis.chrome?.runtime?.sendMessage,
        }));
        assert.equal(seen.roots, 0);
        assert.equal(seen.frames, 0);
        assert.equal(seen.runtime, 'undefined');
        assert.ok(!seen.html.includes('127.0.0.1:') || !/\/s\/[0-9a-f]{32}\//.test(seen.html));

        // Play the free pilot, then seek to 80 %.
        await clickShadow(page, 'button.primary[aria-label*="pilot"]');
        const infoHash = world.infoHash;
        const pilot = await playerFrame(page, await fileIndexOf(extPage, infoHash, 'pilot.webm'));
        assert.ok(await playsPast(pilot, 0.5));
        const duration = await pilot.evaluate(() => document.querySelector('video').duration);
        assert.ok(duration > 10, `duration ${duration}`);
        await pilot.evaluate((d) => { document.querySelector('video').currentTime = d * 0.8; }, duration);
        assert.ok(await playsPast(pilot, duration * 0.8 + 0.5));
        assert.ok(await pilot.evaluate(() => document.querySelector('video').textTracks.length) >= 2);
        await page.screenshot({path: join(screenshots, 'player-in-card.png'), fullPage: true});

        // Unlock the episode by email: the code comes from the gate's mail.
        await clickShadow(page, 'button[aria-label*="episode-1"]:not(.primary)');
        await typeShadow(page, 'input[type="email"]', 'viewer@example.org');
        await page.keyboard.press('Enter');
        const code = await world.nextMailCode();
        await typeShadow(page, 'input[autocomplete="one-time-code"]', code);
        await page.keyboard.press('Enter');
        await clickShadow(page, 'button.primary[aria-label*="episode-1"]', {timeout: 30000});
        const episode = await playerFrame(page, await fileIndexOf(extPage, infoHash, 'episode-1.webm.locked')
            .catch(() => fileIndexOf(extPage, infoHash, 'episode-1.webm')));
        assert.ok(await playsPast(episode, 0.5));

        // Unlocked content is the viewer's: exported as a plain file, byte for byte the creator's film.
        const exported = await until(async () => {
            const state = await extPage.evaluate(() => chrome.runtime.sendMessage({intent: 'state.get'}));
            const item = state.result.torrents.find((t) => t.infoHash === infoHash)?.bundle?.items
                ?.find((i) => i.path.includes('episode-1'));
            const reply = await extPage.evaluate(([h, path]) =>
                chrome.runtime.sendMessage({intent: 'bundle.export', infoHash: h, path}), [infoHash, item.path]);
            if (!reply.ok) {
                throw new Error(`bundle.export: ${JSON.stringify(reply.error)}; the torrent: ${JSON.stringify(
                    state.result.torrents.find((t) => t.infoHash === infoHash), ['state', 'progress', 'error'])}`);
            }
            return reply.result;
        }, 60000);
        assert.ok(exported.destination.startsWith(join(folder, 'viewer', 'downloads')), exported.destination);
        assert.deepEqual(readFileSync(exported.destination), readFileSync(join(world.paths.media, 'episode-1.webm')));

        // Pledge; the popup shows this campaign's progress.
        await clickShadow(page, 'button[aria-label*="episode-2"]:not(.primary)');
        // The card's sections come in the order email, pay, pledge.
        await clickShadow(page, 'section:nth-of-type(3) form button[type="submit"]');
        const pledged = await until(async () => {
            const state = await extPage.evaluate(() => chrome.runtime.sendMessage({intent: 'state.get'}));
            const torrent = state.result.torrents.find((t) => t.infoHash === infoHash);
            return torrent?.campaign?.pledge ? torrent.campaign : null;
        }, 30000);
        assert.equal(pledged.campaign.state, 'open');
        const popup = await context.newPage();
        await popup.goto(`chrome-extension://${chromeExtensionId}/popup/popup.html`);
        await until(() => popup.evaluate(() => document.querySelector('progress') !== null &&
            /Les Veilleurs/.test(document.body.innerText)), 15000);
        await popup.screenshot({path: join(screenshots, 'popup.png'), fullPage: true});

        // The campaign closes funded: the person is told, the host takes its token and the season unlocks.
        const notifications = () => extPage.evaluate(async () => Object.keys(await chrome.notifications.getAll()));
        const before = await notifications();
        await world.closeCampaign();
        await until(async () => {
            const state = await extPage.evaluate(() => chrome.runtime.sendMessage({intent: 'state.get'}));
            const torrent = state.result.torrents.find((t) => t.infoHash === infoHash);
            const season = torrent?.bundle?.items?.find((i) => i.path.includes('episode-2'));
            return season?.unlocked === true;
        }, 60000);
        await clickShadow(page, 'button.primary[aria-label*="episode-2"]', {timeout: 30000});
        const shown = await until(async () => {
            const now = await notifications();
            return now.filter((id) => !before.includes(id)).length >= 2 ? now : null;
        }, 15000);
        assert.ok(shown.length >= before.length + 2, `funded and unlocked: ${JSON.stringify({before, shown})}`);
        await page.screenshot({path: join(screenshots, 'season-unlocked.png'), fullPage: true});
    } finally {
        await browser?.context.close().catch(() => {});
        await world.stop();
        rmSync(folder, {recursive: true, force: true, maxRetries: 20, retryDelay: 250});
    }
});
