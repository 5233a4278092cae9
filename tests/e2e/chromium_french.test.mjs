// A French viewer in real Chromium: the card's figures (money, dates, the campaign's time left), the popup's
// and the player's are French like the words around them, the player turns the French subtitles on, and the
// player's download line stays whole in a card as narrow as a phone.
//
// What makes a headless Chromium 156 profile French (seen on Debian's build): `intl.app_locale` in the
// profile's "Local State" (or --lang=fr) picks the extension's French catalogue; `intl.accept_languages` in
// Default/Preferences sets navigator.languages. Neither changes i18n.getUILanguage() or @@ui_locale (both
// stay en-US) nor the default Intl locale, and LANGUAGE / LANG in the browser's environment change nothing
// seen here: the extension has to write its figures in its catalogue's language itself.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {startWorld} from '../../demo/lib/world.mjs';
import {launchChromium, chromeExtensionId} from './support/chromium.mjs';
import {makeHostHome} from './support/host_home.mjs';
import {clickShadow, shadowText, onShadowElement} from './support/shadow.mjs';
import {until} from './support/until.mjs';

const root = new URL('../../', import.meta.url).pathname;
const screenshots = join(root, 'build/test-output/e2e');

// Intl writes "2 500,00 €" with narrow no-break spaces (U+202F) or no-break spaces (U+00A0), depending on the
// ICU version: compare on plain spaces.
const plain = (s) => String(s).replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ');
const FRENCH_DATE = /\b\d{1,2}(er)? (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4}\b/;
const ENGLISH_WORDS = /\b(January|February|March|April|June|July|August|September|October|November|December|days?|hours?|minutes?)\b/;

function frenchProfile(profileDir) {
    mkdirSync(join(profileDir, 'Default'), {recursive: true});
    writeFileSync(join(profileDir, 'Local State'), JSON.stringify({intl: {app_locale: 'fr'}}));
    writeFileSync(join(profileDir, 'Default', 'Preferences'),
        JSON.stringify({intl: {accept_languages: 'fr-FR,fr,en', selected_languages: 'fr-FR,fr,en'}}));
}

async function playerFrame(page) {
    return until(() => page.frames().find((f) => f.url().includes('/player/player.html')), 20000);
}

test('Chromium in French: French figures on the card, in the popup and in the player; French subtitles',
    {timeout: 180000}, async () => {
        mkdirSync(screenshots, {recursive: true});
        const folder = mkdtempSync(join(tmpdir(), 'sluice-e2e-fr-'));
        // A goal in euros rather than backers, so the card shows a large amount: "2 500,00 €".
        const world = await startWorld({dir: join(folder, 'world'), pledge: {goalAmount: 250000}});
        const home = makeHostHome(join(folder, 'viewer'));
        let browser;
        try {
            home.install('chromium');
            frenchProfile(home.chromiumProfile);
            browser = await launchChromium({profileDir: home.chromiumProfile,
                env: {...home.env, LANGUAGE: 'fr', LANG: 'fr_FR.UTF-8'}});
            const {context, worker} = browser;

            // The words are French, and so is the locale figures are written in, though the browser says en-US.
            const seen = await worker.evaluate(() => ({words: chrome.i18n.getMessage('popupPause'),
                tag: chrome.i18n.getMessage('localeTag'), reported: chrome.i18n.getUILanguage()}));
            assert.equal(seen.tag, 'fr', JSON.stringify(seen));
            const extPage = await context.newPage();
            await extPage.goto(`chrome-extension://${chromeExtensionId}/options/options.html`);
            const locale = await extPage.evaluate(async () => (await import('/common/ui.js')).uiLocale);
            assert.match(locale, /^fr\b/, `uiLocale ${locale} (browser reports ${seen.reported})`);
            assert.equal(await extPage.evaluate(() => document.documentElement.lang), locale);

            // The card at a phone's width: the narrowest it is likely to be.
            const page = await context.newPage();
            await page.setViewportSize({width: 360, height: 800});
            await page.goto(world.landingUrl);
            await until(async () => (await onShadowElement(page, '.status',
                'function () { return this.dataset.status; }')) === 'verified', 60000);
            // The campaign comes with the bundle, or at the next 30 s refresh if the gate was slow to answer.
            const card = await until(async () => {
                const text = plain(await shadowText(page, '.box'));
                return /Il reste/.test(text) ? text : null;
            }, 70000);
            assert.ok(card.includes('2 500,00 €'), card);
            assert.ok(card.includes('15,00 €'), card);
            assert.match(card, FRENCH_DATE);
            assert.match(card, /Il reste \d+ jours?( et \d+ heures?)?/);
            assert.doesNotMatch(card, ENGLISH_WORDS);
            await page.screenshot({path: join(screenshots, 'card-fr.png'), fullPage: true});

            // The pilot plays with the French track on, and its download line is whole inside the frame.
            await clickShadow(page, 'button.primary[aria-label*="pilot"]');
            const frame = await playerFrame(page);
            // The player makes its subtitle tracks in script and turns on the one it chose by default.
            const showing = await until(() => frame.evaluate(() => {
                const tracks = [...(document.querySelector('video')?.textTracks ?? [])];
                const languages = tracks.filter((t) => t.mode === 'showing').map((t) => t.language);
                return languages.length > 0 ? languages : null;
            }), 20000);
            assert.deepEqual(showing, ['fr']);
            const measure = () => frame.evaluate(() => {
                const node = document.getElementById('download-text');
                if (!node || node.closest('[hidden]') || !node.textContent) {
                    return null;
                }
                const box = node.getBoundingClientRect();
                return {text: node.textContent, bottom: box.bottom, right: box.right, height: window.innerHeight,
                    width: window.innerWidth, clipped: node.scrollWidth > node.clientWidth};
            });
            const whole = (line) => line.bottom <= line.height && line.right <= line.width && !line.clipped;
            // The first play of a bundle asks the viewer about counting plays; the question lies over the
            // picture, and the line must fit with it there.
            await until(() => frame.evaluate(() => !document.getElementById('plays-ask').hidden), 20000);
            const line = await until(measure, 20000);
            assert.match(plain(line.text), /^Téléchargé/);
            assert.match(plain(line.text), /\d(,\d)? [kMG]o\b/);
            assert.ok(whole(line), JSON.stringify(line));
            // On loopback the file is there at once; the longest line, while it downloads, must fit as well.
            await frame.evaluate(() => {
                const text = `${chrome.i18n.getMessage('playerDownloading', ['42 %', '2,2 Mo'])} ` +
                    chrome.i18n.getMessage('playerTimeLeft', ['2 h et 5 min']);
                document.getElementById('download-text').textContent = text;
            });
            const longest = await measure();
            assert.match(longest.text, /Encore environ 2 h et 5 min\.$/);
            assert.ok(whole(longest), JSON.stringify(longest));
            await page.screenshot({path: join(screenshots, 'player-in-card-fr.png'), fullPage: true});

            // The popup: sizes in French units, and time left (when shown) from Intl, not English words.
            const popup = await context.newPage();
            await popup.goto(`chrome-extension://${chromeExtensionId}/popup/popup.html`);
            const popupText = await until(async () => {
                const text = plain(await popup.evaluate(() => document.body.innerText));
                return /Les Veilleurs/.test(text) && /Il reste/.test(text) ? text : null;
            }, 15000);
            assert.match(popupText, /\d(,\d)? [kMG]o\b/);
            assert.ok(popupText.includes('2 500,00 €'), popupText);
            assert.doesNotMatch(popupText, ENGLISH_WORDS);
            // A finished torrent shows no download rate, only what it sends.
            if (/Terminé|Partage/.test(popupText)) {
                assert.ok(!popupText.includes('↓'), popupText);
            }
            await popup.screenshot({path: join(screenshots, 'popup-fr.png'), fullPage: true});

            // The time left the card's download line and the popup would show, written by the extension itself.
            const eta = await extPage.evaluate(async (tag) => {
                const format = await import('/common/format.js');
                return [format.formatEta(2 * 3600 + 5 * 60, tag), format.formatEta(125, tag)];
            }, locale);
            assert.deepEqual(eta.map(plain), ['2 h et 5 min', '3 min']);
        } finally {
            await browser?.context.close().catch(() => {});
            await world.stop();
            rmSync(folder, {recursive: true, force: true, maxRetries: 20, retryDelay: 250});
        }
    });
