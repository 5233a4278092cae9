// A translation made by a viewer, in real Chromium, from the editor to every viewer's player: one viewer opens
// the editor on the pilot's English track, translates three cues into Spanish, closes the tab and opens it
// again (the draft is there), and sends it; the creator previews it in the gate's dashboard against the pilot
// and approves it with `sluice-gate translations approve` and the translation key the manifest lists; a second viewer, with a host and a browser profile of their
// own, plays the pilot and picks the Spanish track, whose cues show at their times. The gate, the seed and
// both hosts are the real binaries of the world `make demo` runs. Screenshots go to build/test-output/e2e.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {defaultBinaries, startWorld} from '../../demo/lib/world.mjs';
import {launchChromium, chromeExtensionId} from './support/chromium.mjs';
import {makeHostHome} from './support/host_home.mjs';
import {until} from './support/until.mjs';

const root = new URL('../../', import.meta.url).pathname;
const screenshots = join(root, 'build/test-output/e2e');
const extensionUrl = (path) => `chrome-extension://${chromeExtensionId}/${path}`;
const SPANISH = ['Cae la noche sobre la ciudad.', 'Los vigilantes ocupan sus puestos.', 'Nadie duerme esta noche.'];

async function intent(page, message) {
    const reply = await page.evaluate((m) => chrome.runtime.sendMessage(m), message);
    if (!reply.ok) {
        throw new Error(`${message.intent}: ${JSON.stringify(reply.error)}`);
    }
    return reply.result;
}

// A viewer's browser with the extension, its host registered in a home of its own, holding the world's bundle.
async function viewer(folder, world) {
    const home = makeHostHome(folder, {gatePollSeconds: 2});
    home.install('chromium');
    const browser = await launchChromium({profileDir: home.chromiumProfile, env: home.env});
    const extPage = await browser.context.newPage();
    await extPage.goto(extensionUrl('options/options.html'));
    await intent(extPage, {intent: 'torrent.add', uri: world.magnetWithPeer});
    const pilot = await until(async () => {
        const files = await intent(extPage, {intent: 'torrent.files', infoHash: world.infoHash}).catch(() => null);
        return files?.files.find((f) => f.path.endsWith('pilot.webm'))?.index;
    }, 60000);
    await until(async () => (await intent(extPage, {intent: 'bundle.get', infoHash: world.infoHash}))
        .status === 'verified', 60000);
    return {browser, extPage, pilot, editorUrl: extensionUrl(
        `editor/editor.html?infoHash=${world.infoHash}&file=${pilot}`)};
}

const translations = (page) => page.$$eval('#cues textarea.translation', (areas) => areas.map((a) => a.value));

test('Chromium: a viewer translates the pilot, the creator approves, another viewer sees the Spanish cues',
    {timeout: 300000}, async () => {
        mkdirSync(screenshots, {recursive: true});
        const folder = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
        const world = await startWorld({dir: join(folder, 'world')});
        const browsers = [];
        try {
            const ana = await viewer(join(folder, 'ana'), world);
            browsers.push(ana.browser);
            let editor = await ana.browser.context.newPage();
            await editor.goto(ana.editorUrl);
            // The English track is the source; Spanish, named for the menu.
            await until(() => editor.evaluate(() => document.getElementById('source').options.length > 1), 30000);
            await editor.selectOption('#source', {label: 'English'});
            await editor.fill('#lang', 'es');
            await editor.fill('#label', 'Español');
            await editor.click('#start');
            await until(async () => (await translations(editor)).length === 5, 30000);
            assert.deepEqual(await editor.$$eval('#cues td.source', (tds) => tds.map((td) => td.textContent)),
                ['Night falls on the city.', 'The watchers take their posts.', 'Nobody sleeps tonight.',
                    'Listen: the signal is back.', 'To be continued…']);
            for (const [i, text] of SPANISH.entries()) {
                await editor.fill(`#cues tr[data-index="${i}"] textarea`, text);
            }
            // Playing a cue puts the video at its start.
            await editor.click('#cues tr[data-index="1"] button:first-child');
            assert.ok(await until(() => editor.evaluate(() => document.getElementById('video').currentTime >= 5), 20000));
            await until(async () => /saved/.test(await editor.textContent('#status')), 10000);
            await editor.screenshot({path: join(screenshots, 'translation-editor.png'), fullPage: true});

            // The tab closes; the draft is there when the editor opens again.
            await editor.close();
            editor = await ana.browser.context.newPage();
            await editor.goto(ana.editorUrl);
            await until(async () => (await translations(editor)).length === 5, 30000);
            assert.deepEqual((await translations(editor)).slice(0, 3), SPANISH);
            assert.equal(await editor.inputValue('#lang'), 'es');
            assert.equal(await editor.$eval('#source', (s) => s.selectedOptions[0].textContent), 'English');
            await until(async () => /CC-BY-4.0/.test(await editor.textContent('#licence')), 30000);
            await editor.screenshot({path: join(screenshots, 'translation-draft-restored.png'), fullPage: true});

            // Checked, then sent with the translator's name and the creator's terms agreed to; the two cues left
            // empty are left out.
            await editor.click('#check');
            assert.equal(await editor.$$eval('#problems li', (lis) => lis.length), 2);
            await editor.fill('#translator', 'Ana');
            await editor.check('#agree');
            await editor.click('#submit');
            const submission = await until(async () =>
                /submission ([A-Za-z0-9_-]+)/.exec(await editor.textContent('#status'))?.[1], 30000);
            await editor.screenshot({path: join(screenshots, 'translation-sent.png'), fullPage: true});

            // The creator previews it in the gate's dashboard, against the pilot from their own disk: the cues
            // sent are listed and shown over the video at their times.
            const dashboard = await ana.browser.context.newPage();
            await dashboard.goto(`${world.gateUrl}admin/login`);
            await dashboard.fill('#token', world.adminToken);
            await Promise.all([dashboard.waitForURL(`${world.gateUrl}admin/`), dashboard.click('button[type="submit"]')]);
            await dashboard.goto(`${world.gateUrl}admin/translations`);
            await Promise.all([dashboard.waitForURL(`${world.gateUrl}admin/translations/${submission}`),
                dashboard.click(`a[href="translations/${submission}"]`)]);
            await dashboard.setInputFiles('#preview-file', join(world.paths.media, 'pilot.webm'));
            await until(async () => (await dashboard.$$('#cues tbody tr')).length === 3, 30000);
            assert.deepEqual(await dashboard.$$eval('#cues tbody td:last-child', (tds) => tds.map((td) => td.textContent)),
                SPANISH);
            const previewed = await until(() => dashboard.evaluate(() => {
                const video = document.getElementById('preview');
                if (video.readyState < 1) {
                    return null;
                }
                if (Math.abs(video.currentTime - 2.5) > 0.01) {
                    video.currentTime = 2.5;
                    return null;
                }
                const track = video.textTracks[0];
                return track?.mode === 'showing' && track.activeCues?.length === 1 ? track.activeCues[0].text : null;
            }), 30000);
            assert.equal(previewed, SPANISH[0]);
            await dashboard.screenshot({path: join(screenshots, 'translation-preview.png'), fullPage: true});
            await dashboard.close();

            // The creator approves it with the translation key.
            const approved = JSON.parse(execFileSync(defaultBinaries().gate, ['translations', 'approve', '--data',
                world.paths.gateData, '--key', world.paths.translationKey, submission], {encoding: 'utf8'}));
            assert.equal(approved.state, 'approved');
            assert.equal(approved.credit, 'Ana');

            // Another viewer plays the pilot and picks the Spanish track.
            const luis = await viewer(join(folder, 'luis'), world);
            browsers.push(luis.browser);
            const player = await luis.browser.context.newPage();
            const label = 'Español, translated by Ana';
            await until(async () => {
                await player.goto(extensionUrl(`player/player.html?infoHash=${world.infoHash}&file=${luis.pilot}`));
                return until(() => player.evaluate((l) => [...document.querySelectorAll('#subtitle-track option')]
                    .some((o) => o.textContent === l), label), 5000).catch(() => false);
            }, 60000);
            await player.selectOption('#subtitle-track', {label});
            // The player's tab offers the editor for this item, as it did to the first viewer.
            assert.ok(await player.isVisible('#translate'));
            assert.equal(await player.getAttribute('#translate', 'href'),
                extensionUrl(`editor/editor.html?infoHash=${world.infoHash}&file=${luis.pilot}`));
            for (const [i, text] of SPANISH.entries()) {
                // Cue i of the demo's tracks runs from 4i + 1 to 4i + 4 seconds.
                const shown = await until(() => player.evaluate(([at, l]) => {
                    const video = document.querySelector('video');
                    video.muted = true;
                    video.pause();
                    if (Math.abs(video.currentTime - at) > 0.01) {
                        video.currentTime = at;
                        return null;
                    }
                    const track = [...video.textTracks].find((tt) => tt.label === l);
                    return track?.mode === 'showing' && track.activeCues?.length === 1 ? track.activeCues[0].text : null;
                }, [4 * i + 2.5, label]), 30000);
                assert.equal(shown, text);
                if (i === 0) {
                    await player.screenshot({path: join(screenshots, 'translation-played.png'), fullPage: true});
                }
            }
        } finally {
            for (const b of browsers) {
                await b.context.close().catch(() => {});
            }
            await world.stop();
            rmSync(folder, {recursive: true, force: true});
        }
    });
