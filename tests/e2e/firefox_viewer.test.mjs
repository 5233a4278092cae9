// The viewer page in Firefox ESR, as tests/e2e/chromium_viewer.test.mjs and chromium_french.test.mjs check it in
// Chromium: the world's bundle opened from its magnet shows its items (not the files that carry them), plays
// the free pilot, unlocks episode 1 by email and the season by a pledge in the collector's tier, picked in the
// viewer (its card saved on the FAKE provider's page, in the tab the extension opens, then charged at the tier's
// price when the campaign closes funded, which unlocks the making-of too); and in a French profile
// its figures are French like its words, and the player turns the French subtitles on.
//
// What makes Firefox ESR 153 French (seen on Debian's build, which ships only en-US): `intl.locale.requested`
// alone changes nothing, since Firefox negotiates the requested locales against the ones it has, and so do
// LANG / LANGUAGE in its environment; `intl.accept_languages` only sets navigator.languages. A language pack
// for fr makes fr available, and then everything follows: i18n.getUILanguage(), the extension's French
// catalogue, the default Intl locale. The pack can be empty (Firefox falls back to en-US for its own words)
// but must name a `sources` entry, which is what registers the locale; unsigned, it needs
// extensions.langpacks.signatures.required=false, which ESR honours.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {execFileSync} from 'node:child_process';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {NativeClient} from '../../demo/lib/native_client.mjs';
import {pledgeTiers, startWorld, waitForExit, chromeOrigin} from '../../demo/lib/world.mjs';
import {launchFirefox, firefoxExtensionUuid} from './support/firefox.mjs';
import {hostBinary, makeHostHome} from './support/host_home.mjs';
import {until} from './support/until.mjs';

const origin = `moz-extension://${firefoxExtensionUuid}`;
const screenshots = new URL('../../build/test-output/e2e/', import.meta.url).pathname;
const webExt = new URL('../../node_modules/.bin/web-ext', import.meta.url).pathname;

// Intl writes "2 500,00 €" with narrow no-break spaces (U+202F) or no-break spaces (U+00A0), depending on the
// ICU version: compare on plain spaces.
const plain = (s) => String(s).replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ');
const FRENCH_DATE = /\b\d{1,2}(er)? (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4}\b/;
const ENGLISH_WORDS = /\b(January|February|March|April|June|July|August|September|October|November|December|days?|hours?|minutes?)\b/;

// The fake provider's test card that is saved and charged without a word.
const GOOD_CARD = '4242424242424242';

// The films are made once for both tests: ffmpeg is the slow part of a world on two cores.
let shared;
before(() => {
    shared = mkdtempSync(join(tmpdir(), 'sluice-firefox-viewer-'));
});
after(() => rmSync(shared, {recursive: true, force: true, maxRetries: 20, retryDelay: 250}));

function frenchLangpack(folder) {
    const source = join(folder, 'langpack-fr');
    mkdirSync(source, {recursive: true});
    writeFileSync(join(source, 'manifest.json'), JSON.stringify({
        manifest_version: 2,
        name: 'Language: Français',
        version: '1.0',
        langpack_id: 'fr',
        browser_specific_settings: {gecko: {id: 'langpack-fr@sluice-tests'}},
        languages: {fr: {chrome_resources: {}, version: '1'}},
        sources: {browser: {base_path: 'browser/'}},
    }));
    execFileSync(webExt, ['build', '--source-dir', source, '--artifacts-dir', folder, '--filename', 'fr.xpi',
        '--overwrite-dest'], {stdio: 'ignore'});
    return {'langpack-fr@sluice-tests': join(folder, 'fr.xpi')};
}

// Firefox with the extension, its host session owned by a host the test starts first (so the test knows the
// owner's pid and can wait for it), and one tab on the viewer of `uri`. `config`: more of the host's config.
async function openViewer(folder, uri, {prefs, addons, config} = {}) {
    const home = makeHostHome(folder, config);
    const owner = new NativeClient(hostBinary, {args: [chromeOrigin], env: home.env});
    let firefox = null;
    let ownerPid = null;
    const stop = async () => {
        await firefox?.stop();
        await owner.close();
        // The owner outlives its last client by a moment (it saves resume data): let it finish.
        if (ownerPid) {
            await waitForExit(ownerPid);
        }
    };
    try {
        ownerPid = (await owner.call('host.hello', {protocolVersion: 1})).result.instance.pid;
        home.install('firefox');
        firefox = await launchFirefox({folder, env: home.env, prefs, addons});
        const {session} = firefox;
        // A web-accessible page is the one extension page a fresh tab may open; the viewer is reachable from it.
        const [{context: tab}] = await session.contexts();
        await session.evaluate(tab, `(location.href = '${origin}/player/player.html', true)`);
        await until(async () => (await session.contexts()).some((c) => c.url.startsWith(origin)), 15000);
        const viewerUrl = `${origin}/viewer/viewer.html?uri=${encodeURIComponent(uri)}`;
        await session.evaluate(tab, `(location.href = ${JSON.stringify(viewerUrl)}, true)`);
        await until(async () => (await session.contexts()).some((c) => c.url.startsWith(`${origin}/viewer/`)),
            15000);
        await until(() => session.evaluate(tab, 'document.readyState === "complete"'), 15000);
        return {session, tab, stop};
    } catch (error) {
        await stop();
        throw error;
    }
}

// The player frame the viewer shows now, once it is not `previous` (the viewer has one at a time).
async function playerFrame(session, tab, previous = null) {
    return until(async () => {
        const {contexts} = await session.send('browsingContext.getTree', {root: tab});
        return (contexts[0]?.children ?? []).find((c) => c.url.includes('/player/player.html') &&
            c.context !== previous)?.context;
    }, 20000);
}

// Plays the frame's media muted and waits until its time moves past half a second.
async function plays(session, frame) {
    await until(() => session.evaluate(frame, 'document.querySelector("video, audio") !== null'), 20000);
    await session.evaluate(frame, `(() => {
        const media = document.querySelector('video, audio');
        media.muted = true;
        media.play().catch(() => {});
        return true;
    })()`);
    return until(() => session.evaluate(frame, `(() => {
        const media = document.querySelector('video, audio');
        return media && !media.error && media.currentTime > 0.5 ? media.currentTime : null;
    })()`), 30000);
}

async function screenshot(session, tab, name) {
    mkdirSync(screenshots, {recursive: true});
    const {data} = await session.send('browsingContext.captureScreenshot', {context: tab, origin: 'document'});
    writeFileSync(join(screenshots, name), Buffer.from(data, 'base64'));
}

// Whether the element `selector` is rendered (neither hidden itself nor inside something hidden).
const visible = (session, tab, selector) => session.evaluate(tab,
    `document.querySelector(${JSON.stringify(selector)})?.checkVisibility() ?? false`);

const click = (session, tab, selector) => session.evaluate(tab,
    `(document.querySelector(${JSON.stringify(selector)}).click(), true)`);

const fill = (session, tab, selector, value) => session.evaluate(tab, `(() => {
    const input = document.querySelector(${JSON.stringify(selector)});
    input.value = ${JSON.stringify(value)};
    input.dispatchEvent(new Event('input', {bubbles: true}));
    return true;
})()`);

// The languages of the subtitle tracks showing once the player has chosen its default (it makes its tracks in
// script and shows only that one).
const subtitles = (session, frame) => until(() => session.evaluate(frame, `(() => {
    const video = document.querySelector('video');
    const showing = video ? [...video.textTracks].filter((t) => t.mode === 'showing').map((t) => t.language) : [];
    return showing.length > 0 ? showing : null;
})()`), 20000);

test('Firefox viewer: a bundle shows its items, plays the pilot, unlocks an episode by email and the season by a pledge',
    {timeout: 240000}, async () => {
        const folder = mkdtempSync(join(tmpdir(), 'sluice-firefox-viewer-'));
        let world;
        let viewer;
        try {
            world = await startWorld({dir: join(folder, 'world'), mediaDir: join(shared, 'media')});
            // The host asks the gate about its pledge every 2 s rather than every minute.
            viewer = await openViewer(join(folder, 'viewer'), world.magnet, {config: {gatePollSeconds: 2}});
            const {session, tab} = viewer;

            // The items, by their titles, in the manifest's order; none of the files that carry them.
            const titles = () => session.evaluate(tab,
                '[...document.querySelectorAll("#items .item-title")].map((n) => n.textContent)');
            await until(async () => (await titles()).length === 5, 60000);
            assert.deepEqual(await titles(), ['pilot.webm', 'episode-1.webm', 'episode-2.webm', 'making-of.webm', 'booklet.pdf']);
            await until(() => session.evaluate(tab, '/Les Veilleurs/.test(document.querySelector("#name").textContent)'),
                10000);
            assert.doesNotMatch(await session.evaluate(tab, 'document.body.innerText'), /bundle\.json|bundle\.sig|\.locked/);
            assert.equal(await session.evaluate(tab, 'document.querySelector("#files").hidden'), true);
            // Locked items offer Unlock, not Play; the free pilot offers Play.
            assert.equal(await visible(session, tab, 'button.primary[aria-label*="episode-1"]'), false);
            assert.equal(await visible(session, tab, 'button[aria-label*="Unlock episode-1"]'), true);

            await click(session, tab, 'button.primary[aria-label*="pilot"]');
            const pilot = await playerFrame(session, tab);
            assert.ok(await plays(session, pilot));
            // An English profile: the English track is the one shown.
            assert.deepEqual(await subtitles(session, pilot), ['en']);
            await screenshot(session, tab, 'viewer-bundle-firefox.png');

            // Unlock episode 1 by email: its Unlock leads to the email form; the code comes from the gate's mail.
            await click(session, tab, 'button[aria-label*="Unlock episode-1"]');
            assert.equal(await session.evaluate(tab, 'document.activeElement?.id'), 'email-address');
            await fill(session, tab, '#email-address', 'viewer@example.org');
            await click(session, tab, '#email-send');
            const code = await world.nextMailCode();
            await until(() => visible(session, tab, '#email-code'), 20000);
            await fill(session, tab, '#email-code', code);
            await click(session, tab, '#code-confirm');
            await until(() => visible(session, tab, 'button.primary[aria-label*="episode-1"]'), 30000);
            assert.equal(await visible(session, tab, 'button[aria-label*="Unlock episode-1"]'), false);
            await click(session, tab, 'button.primary[aria-label*="episode-1"]');
            const episode = await playerFrame(session, tab, pilot);
            assert.ok(await plays(session, episode));

            // Pledge: a pre-order, in the tier the backer picks: the collector's edition, not the first one, and the
            // amount follows its price. The provider's page opens in a new tab and a card is saved there with its
            // button, as a person would; the viewer then says the card is saved.
            const collector = pledgeTiers.find((tier) => tier.id === 'collector');
            const choices = () => session.evaluate(tab, `[...document.querySelectorAll('#pledge-tier-list input')]
                .map((r) => [r.value, r.checked])`);
            assert.deepEqual(await until(async () => {
                const now = await choices();
                return now.length === 2 ? now : null;
            }, 30000), [['season', true], ['collector', false]]);
            await click(session, tab, '#pledge-tier-list input[value="collector"]');
            assert.deepEqual(await choices(), [['season', false], ['collector', true]]);
            assert.equal(await session.evaluate(tab, 'document.querySelector("#pledge-amount").value'), '40.00');
            const tabsBefore = new Set((await session.contexts()).map((c) => c.context));
            await click(session, tab, '#pledge-submit');
            const checkout = await until(async () => (await session.contexts()).find((c) =>
                !tabsBefore.has(c.context) && c.url.startsWith(`${world.checkoutBase}pay/`))?.context, 30000);
            await until(() => session.evaluate(checkout, 'document.readyState === "complete" && ' +
                `document.querySelector('button[data-card="${GOOD_CARD}"]') !== null`), 15000);
            await screenshot(session, checkout, 'provider-checkout-firefox.png');
            await click(session, checkout, `button[data-card="${GOOD_CARD}"]`);
            await until(async () => (await session.contexts()).find((c) => c.context === checkout)?.url
                .startsWith(`${world.gateUrl}checkout/done`), 30000);
            await session.send('browsingContext.close', {context: checkout});
            await until(() => session.evaluate(tab,
                '/Pledged — card saved/.test(document.querySelector("#pledge-mine").textContent)'), 60000);
            assert.match(await session.evaluate(tab, 'document.querySelector("#pledge-your-tier").textContent'),
                /Édition collector \/ Collector’s edition/);
            assert.deepEqual((await world.ledger()).tiers.map((t) => [t.id, t.confirmed.count, t.confirmed.amount]),
                [['season', 0, 0], ['collector', 1, collector.price]]);

            // The campaign closes funded: the saved card is charged, the host takes its token, the season plays.
            assert.equal((await world.closeCampaign()).state, 'funded');
            // The token and the pledge's new state reach the page by two events, in either order.
            await until(() => visible(session, tab, 'button.primary[aria-label*="episode-2"]'), 60000);
            await until(() => session.evaluate(tab,
                'document.querySelector("#pledge-mine").textContent === "Charged"'), 10000);
            // The collector's tier brings the making-of with the season.
            await until(() => visible(session, tab, 'button.primary[aria-label*="making-of"]'), 10000);
            assert.deepEqual((await world.ledger()).tiers.map((t) => [t.id, t.charged.count, t.charged.amount]),
                [['season', 0, 0], ['collector', 1, collector.price]]);
            await click(session, tab, 'button.primary[aria-label*="episode-2"]');
            const season = await playerFrame(session, tab, episode);
            assert.ok(await plays(session, season));
            await screenshot(session, tab, 'viewer-charged-firefox.png');
        } finally {
            await viewer?.stop();
            await world?.stop();
            rmSync(folder, {recursive: true, force: true, maxRetries: 20, retryDelay: 250});
        }
    });

test('Firefox in French: French figures in the viewer, French subtitles by default', {timeout: 180000}, async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sluice-firefox-fr-'));
    let world;
    let viewer;
    try {
        // A goal in euros rather than backers, so the viewer shows a large amount: "2 500,00 €".
        world = await startWorld({dir: join(folder, 'world'), mediaDir: join(shared, 'media'),
            pledge: {goalAmount: 250000}});
        viewer = await openViewer(join(folder, 'viewer'), world.magnet, {
            prefs: {
                'intl.locale.requested': 'fr',
                'intl.accept_languages': 'fr-FR, fr, en',
                'extensions.langpacks.signatures.required': false,
            },
            addons: frenchLangpack(folder),
        });
        const {session, tab} = viewer;

        // French all the way through: the browser's language, the catalogue, the default Intl locale.
        const seen = await session.evaluate(tab, `(async () => ({
            reported: browser.i18n.getUILanguage(), tag: browser.i18n.getMessage('localeTag'),
            intl: Intl.DateTimeFormat().resolvedOptions().locale, uiLocale: (await import('/common/ui.js')).uiLocale,
            lang: document.documentElement.lang}))()`);
        assert.equal(seen.tag, 'fr', JSON.stringify(seen));
        assert.match(seen.reported, /^fr\b/, JSON.stringify(seen));
        assert.match(seen.intl, /^fr\b/, JSON.stringify(seen));
        assert.match(seen.uiLocale, /^fr\b/, JSON.stringify(seen));
        assert.equal(seen.lang, seen.uiLocale);

        // The pledge gate: its price, goal, deadline and time left. The campaign comes with the bundle, or at
        // the next 30 s refresh if the gate was slow to answer.
        const pledge = await until(async () => {
            const text = plain(await session.evaluate(tab, 'document.querySelector("#gate-pledge").innerText'));
            return /Il reste/.test(text) && /2 500,00 €/.test(text) ? text : null;
        }, 70000);
        assert.ok(pledge.includes('15,00 €'), pledge);
        assert.match(pledge, FRENCH_DATE);
        assert.match(pledge, /Il reste \d+ jours?( et \d+ heures?)?/);
        assert.doesNotMatch(pledge, ENGLISH_WORDS);
        // The items' sizes in French units, beside French words.
        const items = plain(await session.evaluate(tab, 'document.querySelector("#items").innerText'));
        assert.match(items, /\d(,\d)? [kMG]o\b/, items);
        assert.equal(await session.evaluate(tab, 'document.querySelector("button.primary[aria-label*=pilot]")' +
            '.textContent'), 'Lire');

        // The pilot plays with the French track on.
        await click(session, tab, 'button.primary[aria-label*="pilot"]');
        const pilot = await playerFrame(session, tab);
        assert.deepEqual(await subtitles(session, pilot), ['fr']);
        assert.ok(await plays(session, pilot));
        await screenshot(session, tab, 'viewer-fr-firefox.png');

        // The time left the popup and the player's download line would show, written by Firefox's Intl.
        const eta = await session.evaluate(tab, `(async () => {
            const format = await import('/common/format.js');
            return [format.formatEta(2 * 3600 + 5 * 60, ${JSON.stringify(seen.uiLocale)}),
                format.formatEta(125, ${JSON.stringify(seen.uiLocale)})];
        })()`);
        assert.deepEqual(eta.map(plain), ['2 h et 5 min', '3 min']);
    } finally {
        await viewer?.stop();
        await world?.stop();
        rmSync(folder, {recursive: true, force: true, maxRetries: 20, retryDelay: 250});
    }
});
