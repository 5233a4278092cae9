// The media corpus in Firefox ESR, as tests/e2e/chromium_media.test.mjs plays it in Chromium: each file of
// tests/e2e/support/media_corpus.mjs, seeded as one torrent on loopback and added from the browser, plays in the
// extension's player page (reached through WebDriver BiDi), as it is when Firefox can (the WebM and the faststart
// MP4 must), else converted by the host. Decoded frames grow, the audio is there (mozHasAudio), the real position
// advances, a seek to 70 % plays from there, each text subtitle track has cues, the second audio track plays;
// hostile files get the player's alert and break nothing else. The checks: tests/e2e/support/media_checks.mjs.
import {test, before, after} from 'node:test';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {NativeClient} from '../../demo/lib/native_client.mjs';
import {chromeOrigin, waitForExit} from '../../demo/lib/world.mjs';
import {launchFirefox, firefoxExtensionUuid} from './support/firefox.mjs';
import {hostBinary, makeHostHome} from './support/host_home.mjs';
import {addCorpus, checkFile, checkHostile, checkStillPlays, judge, screenshots, seedCorpus}
    from './support/media_checks.mjs';
import {until} from './support/until.mjs';

const origin = `moz-extension://${firefoxExtensionUuid}`;

let folder;
let seeded;
let owner;
let ownerPid;
let firefox;
let page;
let files;

before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'sluice-firefox-media-'));
    seeded = await seedCorpus(folder, (line) => console.log(line));
    const home = makeHostHome(join(folder, 'viewer'));
    // The viewer's session owner: a host the test starts first, so that it can wait for it at the end.
    owner = new NativeClient(hostBinary, {args: [chromeOrigin], env: home.env});
    ownerPid = (await owner.call('host.hello', {protocolVersion: 1})).result.instance.pid;
    home.install('firefox');
    // No autoplay with sound, as in a web page: the checks mute the element, then play it. Where there is no sound
    // device (a CI machine), Firefox ESR lets an extension page start an audio-only file with sound and then fires
    // MEDIA_ERR_DECODE ("Failed to decode media") on it as it plays on, which the player takes for a codec it cannot
    // decode; muted from the start, it opens no audio output.
    firefox = await launchFirefox({folder: join(folder, 'firefox'), env: home.env,
        prefs: {'media.autoplay.default': 1, 'media.autoplay.blocking_policy': 2}});
    const {session} = firefox;
    const [{context: tab}] = await session.contexts();
    page = {
        browser: 'firefox',
        // The player is web-accessible: a tab may go there, and from one extension page to another.
        open: async (url) => {
            await session.evaluate(tab, `(location.href = ${JSON.stringify(url)}, true)`);
            await until(async () => (await session.contexts()).some((c) => c.context === tab && c.url === url), 15000);
            await until(() => session.evaluate(tab, 'document.readyState === "complete"'), 15000);
        },
        run: (expression) => session.evaluate(tab, expression),
        screenshot: async (name) => {
            const {data} = await session.send('browsingContext.captureScreenshot', {context: tab, origin: 'document'});
            writeFileSync(join(screenshots, name), Buffer.from(data, 'base64'));
        },
    };
    await page.open(`${origin}/player/player.html`);
    const added = Date.now();
    files = await addCorpus(page, seeded);
    console.log(`the corpus's ${Object.keys(files).length} files listed ${Date.now() - added} ms after adding it`);
});

after(async () => {
    await firefox?.stop();
    await owner?.close();
    if (ownerPid) {
        await waitForExit(ownerPid);
    }
    await seeded?.stop();
    if (folder) {
        rmSync(folder, {recursive: true, force: true, maxRetries: 20, retryDelay: 250});
    }
});

test('Firefox plays every file of the media corpus', {timeout: 300000}, async (t) => {
    for (const entry of seeded.files) {
        await t.test(entry.name, {timeout: 90000}, async (tt) => {
            const shot = entry.name === 'mkv-h264-ac3.mkv' ? 'media-subtitles-firefox.png' : null;
            judge(tt, await checkFile(page, origin, seeded, files, entry, {screenshot: shot}));
        });
    }
});

test('Firefox: hostile files get the player\'s alert, and the next file still plays', {timeout: 180000},
    async (t) => {
        for (const {name} of seeded.hostile) {
            await t.test(name, {timeout: 45000}, async (tt) => {
                judge(tt, await checkHostile(page, origin, seeded, files, name));
            });
        }
        // Converted in both browsers (AC-3): the host's ffmpeg, which the hostile files went through, still works.
        const next = seeded.files.find((f) => f.name === 'mkv-h264-ac3.mkv');
        await t.test(`${next.name} still plays`, {timeout: 60000}, async (tt) => {
            judge(tt, await checkStillPlays(page, origin, seeded, files, next));
        });
    });
