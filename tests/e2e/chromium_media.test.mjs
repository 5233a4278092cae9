// The media corpus in real Chromium: each file of tests/e2e/support/media_corpus.mjs, seeded as one torrent on
// loopback and added from the browser, plays in the extension's player page: as it is when Chromium can
// (the WebM and the faststart MP4 must), else converted by the host (remux or transcode). Decoded frames and
// audio grow, the real position advances, a seek to 70 % plays from there, each text subtitle track has cues,
// the second audio track plays; hostile files get the player's alert and break nothing else.
// The checks are shared with Firefox: tests/e2e/support/media_checks.mjs.
import {test, before, after} from 'node:test';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {NativeClient} from '../../demo/lib/native_client.mjs';
import {chromeOrigin, waitForExit} from '../../demo/lib/world.mjs';
import {launchChromium, chromeExtensionId} from './support/chromium.mjs';
import {hostBinary, makeHostHome} from './support/host_home.mjs';
import {addCorpus, checkFile, checkHostile, checkStillPlays, judge, recordMediaErrors, screenshots, seedCorpus}
    from './support/media_checks.mjs';

const origin = `chrome-extension://${chromeExtensionId}`;

let folder;
let seeded;
let owner;
let ownerPid;
let browser;
let page;
let files;

before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'sluice-chromium-media-'));
    seeded = await seedCorpus(folder, (line) => console.log(line));
    const home = makeHostHome(join(folder, 'viewer'));
    // The viewer's session owner: a host the test starts first, so that it can wait for it at the end.
    owner = new NativeClient(hostBinary, {args: [chromeOrigin], env: home.env});
    ownerPid = (await owner.call('host.hello', {protocolVersion: 1})).result.instance.pid;
    home.install('chromium');
    browser = await launchChromium({profileDir: home.chromiumProfile, env: home.env});
    await browser.context.addInitScript({content: `(${recordMediaErrors})()`});
    const tab = await browser.context.newPage();
    page = {
        browser: 'chromium',
        open: async (url) => {
            await tab.goto(url);
        },
        run: (expression) => tab.evaluate(expression),
        screenshot: (name) => tab.screenshot({path: join(screenshots, name)}),
    };
    // Any extension page asks the background; the player without a file only says its link is wrong.
    await page.open(`${origin}/player/player.html`);
    const added = Date.now();
    files = await addCorpus(page, seeded);
    console.log(`the corpus's ${Object.keys(files).length} files listed ${Date.now() - added} ms after adding it`);
});

after(async () => {
    await browser?.context.close().catch(() => {});
    await owner?.close();
    if (ownerPid) {
        await waitForExit(ownerPid);
    }
    await seeded?.stop();
    if (folder) {
        rmSync(folder, {recursive: true, force: true, maxRetries: 20, retryDelay: 250});
    }
});

test('Chromium plays every file of the media corpus', {timeout: 300000}, async (t) => {
    for (const entry of seeded.files) {
        await t.test(entry.name, {timeout: 90000}, async (tt) => {
            const shot = entry.name === 'mkv-h264-ac3.mkv' ? 'media-subtitles-chromium.png' : null;
            judge(tt, await checkFile(page, origin, seeded, files, entry, {screenshot: shot}));
        });
    }
});

test('Chromium: hostile files get the player\'s alert, and the next file still plays', {timeout: 180000},
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
