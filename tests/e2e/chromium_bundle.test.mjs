// A viewer's whole path in real Chromium: a sluice-gate landing page → the card, with the creator's update to
// the backers → the free pilot plays from the localhost stream (and after a seek to 80 %) → email unlock → the
// episode plays → the booklet paid on the payment provider's page → pledge in the collector's tier, picked on
// the card: the provider's page opens in a new tab, a card is saved there, the card says so → the popup shows
// the campaign → the campaign closes funded, the pledge is charged at that tier's price → the season and the
// making-of the tier adds unlock. The gate, the seed and the viewer's host are the real binaries; the
// provider is the FAKE Stripe of publisher/fake-stripe; the world is the one `make demo` runs. Screenshots go
// to build/test-output/e2e.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pledgeTiers, startWorld} from '../../demo/lib/world.mjs';
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

// The User-Agent of Chromium 130 on Linux, with nothing that says headless.
const VIEWER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

// Test card numbers of the fake provider: this one is saved and charged without a word.
const GOOD_CARD = '4242424242424242';

// The extension's view of the world's bundle.
async function torrentState(extPage, infoHash) {
    const state = await extPage.evaluate(() => chrome.runtime.sendMessage({intent: 'state.get'}));
    return state.result.torrents.find((t) => t.infoHash === infoHash);
}

// The provider's page that `act` makes the background open in a new tab: once it is loaded, it is
// photographed as `shot`, then paid or its card saved with GOOD_CARD, and followed to the gate's page.
async function checkoutInNewTab(context, world, act, shot) {
    const opened = context.waitForEvent('page', {timeout: 30000});
    await act();
    const tab = await opened;
    await tab.waitForLoadState('load');
    assert.ok(tab.url().startsWith(`${world.checkoutBase}pay/`), tab.url());
    assert.match(await tab.textContent('body'), /FAKE payment provider/);
    await tab.screenshot({path: join(screenshots, shot), fullPage: true});
    await Promise.all([
        tab.waitForURL((url) => url.href.startsWith(`${world.gateUrl}checkout/done`), {timeout: 30000}),
        tab.click(`button[data-card="${GOOD_CARD}"]`),
    ]);
    return tab;
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
    // The creator tells the backers something before anyone looks: the card must show it as plain text.
    const news = {title: 'Shooting starts <b>Monday</b> & ends Friday',
        text: 'Day one: the river.\nDay two: <script>alert(1)</script> the roofs.'};
    await world.postUpdate(news.title, news.text);
    const home = makeHostHome(join(folder, 'viewer'), {gatePollSeconds: 2});
    let browser;
    try {
        home.install('chromium');
        // A viewer's browser, not a robot's: headless Chromium's own User-Agent would not be counted as a view.
        browser = await launchChromium({profileDir: home.chromiumProfile, env: home.env, userAgent: VIEWER_UA});
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
        // The campaign comes with the bundle, or at the next 30 s refresh if the gate was slow to answer.
        assert.equal(await until(() => shadowText(page, '.updates .update-title').catch(() => null), 45000),
            news.title);
        assert.equal(await shadowText(page, '.updates .update-text'), news.text);
        assert.equal(await shadowText(page, '.updates h4'), 'Updates from the creator');
        assert.equal(await onShadowElement(page, '.updates li',
            'function () { return this.querySelectorAll("b, script").length; }'), 0);
        await page.screenshot({path: join(screenshots, 'card.png'), fullPage: true});

        // The page counted itself under its own Content-Security-Policy: one view, one visitor, nothing else.
        const views = await until(async () => {
            const v = await world.views();
            return v.totals.views === 1 ? v : null;
        }, 20000);
        assert.deepEqual(views.totals, {views: 1, visitorDays: 1, returning: 0, plays: {started: 0, finished: 0}});
        assert.equal(views.days.length, 1);
        assert.deepEqual(views.referrers, []);
        // The seed, as the world's tracker (opentracker) lists it, in the figures the gate read from its scrape.
        const swarm = await until(async () => {
            const rows = (await world.views()).swarm;
            return rows.some((r) => r.seeds >= 1) ? rows : null;
        }, 30000);
        assert.ok(swarm.every((r) => r.version === world.version && /^[0-9a-f]{40}$/.test(r.infoHash)));

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
        // The first play of a bundle asks, once and in plain words, whether plays are counted for its creator.
        await until(() => pilot.evaluate(() => !document.getElementById('plays-ask').hidden), 20000);
        assert.match(await pilot.textContent('#plays-ask-text'), /only a count of plays/);
        await pilot.click('#plays-yes');
        assert.equal(await until(async () => (await extPage.evaluate(() =>
            chrome.runtime.sendMessage({intent: 'settings.get'}))).result.reportPlays, 10000), true);
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
        assert.equal(await episode.evaluate(() => document.getElementById('plays-ask').hidden), true,
            'asked once only');

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

        // Pay what you want for the booklet: the provider's page opens in a tab, the payment is made there, and
        // the gate's word reaches the host. The card's sections come in the order email, pay, pledge.
        await clickShadow(page, 'button[aria-label*="booklet"]:not(.primary)');
        await checkoutInNewTab(context, world,
            () => clickShadow(page, 'section:nth-of-type(2) form button[type="submit"]'), 'provider-pay.png');
        await until(async () => (await torrentState(extPage, infoHash))?.bundle?.items
            ?.find((i) => i.path.includes('booklet'))?.unlocked === true, 60000);

        // Pledge: a pre-order, in a tier the backer picks. The card offers the world's two, the first chosen; the
        // backer takes the collector's edition, and the amount follows its price. The provider's page opens in a
        // new tab, where the card is saved; the pledge counts once the provider has told the gate, and the card
        // says so.
        await clickShadow(page, 'button[aria-label*="episode-2"]:not(.primary)');
        const pledgeSection = 'section:nth-of-type(3)';
        const tierChoices = () => onShadowElement(page, `${pledgeSection} fieldset`,
            `function () {
                return [...this.querySelectorAll('input[type="radio"]')].map((r) => [r.value, r.checked, r.disabled]);
            }`);
        assert.deepEqual(await until(async () => {
            const choices = await tierChoices().catch(() => []);
            return choices.length === 2 ? choices : null;
        }, 45000), [['season', true, false], ['collector', false, false]]);
        const collector = pledgeTiers.find((tier) => tier.id === 'collector');
        assert.match(await shadowText(page, `${pledgeSection} fieldset`), /Collector’s edition.*€40\.00.*100 left/s);
        await clickShadow(page, `${pledgeSection} input[type="radio"][value="collector"]`);
        assert.deepEqual(await tierChoices(), [['season', false, false], ['collector', true, false]]);
        assert.equal(await onShadowElement(page, `${pledgeSection} form input[type="number"]`,
            'function () { return this.value; }'), '40.00');
        await page.screenshot({path: join(screenshots, 'pledge-tier-chosen.png'), fullPage: true});
        const checkout = await checkoutInNewTab(context, world,
            () => clickShadow(page, `${pledgeSection} form button[type="submit"]`), 'provider-checkout.png');
        await checkout.screenshot({path: join(screenshots, 'checkout-done.png'), fullPage: true});
        const pledged = await until(async () => {
            const torrent = await torrentState(extPage, infoHash);
            return torrent?.campaign?.pledge?.state === 'confirmed' ? torrent.campaign : null;
        }, 60000);
        assert.equal(pledged.campaign.state, 'open');
        assert.equal(pledged.campaign.backers, 1);
        assert.equal(pledged.pledge.checkoutUrl, undefined);
        assert.equal(pledged.pledge.tier, 'collector');
        assert.equal(pledged.pledge.amount, collector.price);
        // The gate took the pledge in the tier chosen: its own word, and the ledger's count of each tier.
        const atGate = await (await fetch(`${world.gateUrl}v1/campaigns/${world.campaignId}/pledges/` +
            `${pledged.pledge.pledgeId}`)).json();
        assert.deepEqual([atGate.state, atGate.tier, atGate.amount], ['confirmed', 'collector', collector.price]);
        const confirmedTiers = (await world.ledger()).tiers.map((t) => [t.id, t.confirmed.count]);
        assert.deepEqual(confirmedTiers, [['season', 0], ['collector', 1]]);
        await page.bringToFront();
        const confirmedText = await until(async () => {
            const text = await shadowText(page, pledgeSection);
            return /Pledged — card saved/.test(text) ? text : null;
        }, 15000);
        assert.match(confirmedText, /Charged on .* only if the campaign is funded/);
        assert.match(confirmedText, /Your tier: Édition collector \/ Collector’s edition/);
        await page.screenshot({path: join(screenshots, 'pledge-confirmed.png'), fullPage: true});
        const popup = await context.newPage();
        await popup.goto(`chrome-extension://${chromeExtensionId}/popup/popup.html`);
        await until(() => popup.evaluate(() => document.querySelector('progress') !== null &&
            /Les Veilleurs/.test(document.body.innerText)), 15000);
        assert.equal(await popup.textContent('.campaign-updates'), 'Updates from the creator: 1');
        await popup.screenshot({path: join(screenshots, 'popup.png'), fullPage: true});

        // The campaign closes funded: the gate charges the saved card, the person is told, the host takes its
        // token and the season unlocks.
        const notifications = () => extPage.evaluate(async () => Object.keys(await chrome.notifications.getAll()));
        const before = await notifications();
        assert.equal((await world.closeCampaign()).state, 'funded');
        const charged = await until(async () => {
            const torrent = await torrentState(extPage, infoHash);
            const season = torrent?.bundle?.items?.find((i) => i.path.includes('episode-2'));
            return season?.unlocked === true ? torrent : null;
        }, 60000);
        assert.equal(charged.campaign.pledge.state, 'charged');
        assert.equal(charged.campaign.campaign.state, 'funded');
        assert.equal(charged.bundle.items.find((i) => i.path.includes('making-of')).unlocked, true,
            'the collector\'s tier brings the making-of');
        const attempts = world.payments.records().chargeAttempts.filter((a) => a.offSession);
        assert.deepEqual(attempts.map((a) => [a.last4, a.amount, a.outcome]), [['4242', collector.price, 'succeeded']]);
        const chargedTiers = (await world.ledger()).tiers.map((t) => [t.id, t.charged.count, t.charged.amount]);
        assert.deepEqual(chargedTiers, [['season', 0, 0], ['collector', 1, collector.price]]);
        await clickShadow(page, 'button.primary[aria-label*="episode-2"]', {timeout: 30000});
        const shown = await until(async () => {
            const now = await notifications();
            return now.filter((id) => !before.includes(id)).length >= 2 ? now : null;
        }, 15000);
        // Chromium may close an older notification meanwhile: the new ones are what is counted.
        assert.ok(shown.filter((id) => !before.includes(id)).length >= 2,
            `funded and unlocked: ${JSON.stringify({before, shown})}`);
        await page.screenshot({path: join(screenshots, 'season-unlocked.png'), fullPage: true});
    } finally {
        await browser?.context.close().catch(() => {});
        await world.stop();
        rmSync(folder, {recursive: true, force: true, maxRetries: 20, retryDelay: 250});
    }
});
