// Chromium and Firefox ESR on one machine, for one user, share one session: both extensions' hosts attach to
// the same session owner, and both play the same film from its stream server at once. Then Chromium quits;
// Firefox's film goes on, streamed by the same owner, which never restarted.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, mkdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {NativeClient} from '../../demo/lib/native_client.mjs';
import {chromeOrigin, waitForExit} from '../../demo/lib/world.mjs';
import {launchChromium, chromeExtensionId} from './support/chromium.mjs';
import {launchFirefox, firefoxExtensionUuid} from './support/firefox.mjs';
import {hostBinary, makeHostHome} from './support/host_home.mjs';
import {until} from './support/until.mjs';

// 30 s of VP9 and Opus (about 2 s of ffmpeg on two cores): long enough to still be playing in the first
// browser while the second starts, and after the first quits.
function makeFilm(folder) {
    const film = join(folder, 'harbour-lights.webm');
    execFileSync('ffmpeg', ['-y', '-hide_banner', '-loglevel', 'error',
        '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=30',
        '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=30',
        '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1M', '-g', '60',
        '-c:a', 'libopus', '-b:a', '96k', '-shortest', film], {stdio: 'ignore'});
    return film;
}

// The session as a fresh host of the same user sees it: the owner's pid and how many hosts are attached
// (this one included). The probe detaches at once, so it never keeps the owner alive.
async function session(env) {
    const probe = new NativeClient(hostBinary, {args: [chromeOrigin], env});
    try {
        const hello = await probe.call('host.hello', {protocolVersion: 1});
        assert.ok(hello.result, JSON.stringify(hello));
        return {pid: hello.result.instance.pid, clients: hello.result.instance.clients};
    } finally {
        await probe.close();
    }
}

// In the player page: plays its film muted, then answers where it is once past `after` seconds.
const playScript = `(() => {
    const media = document.querySelector('video');
    if (!media) {
        return null;
    }
    media.muted = true;
    media.play().catch(() => {});
    return true;
})()`;
const positionScript = `(() => {
    const media = document.querySelector('video');
    return media && !media.error && !media.paused ? media.currentTime : null;
})()`;
// Reads at least the first 256 KiB of the film from the host's stream server, as the <video> does, from the same
// page.
const fetchScript = `(async () => {
    const response = await fetch(document.querySelector('video').currentSrc);
    const reader = response.body.getReader();
    let bytes = 0;
    while (bytes < 256 * 1024) {
        const {value, done} = await reader.read();
        if (done) {
            break;
        }
        bytes += value.byteLength;
    }
    await reader.cancel();
    return {status: response.status, bytes};
})()`;

test('Chromium and Firefox stream from one session owner, which outlives the browser that quits first',
    {timeout: 240000}, async () => {
        const folder = mkdtempSync(join(tmpdir(), 'sluice-two-browsers-'));
        const home = makeHostHome(join(folder, 'host'));
        const seeds = join(folder, 'seeds');
        mkdirSync(seeds);
        const film = makeFilm(seeds);
        execFileSync('mktorrent', ['-l', '16', '-o', join(folder, 'film.torrent'), film], {stdio: 'ignore'});

        // The session starts with a host the test runs, which adds the film whole from `seeds` (so the owner
        // serves it at once, with no swarm) and then leaves the session to the two browsers.
        const starter = new NativeClient(hostBinary, {args: [chromeOrigin], env: home.env});
        let chromium;
        let firefox;
        let ownerPid = null;
        try {
            ownerPid = (await starter.call('host.hello', {protocolVersion: 1})).result.instance.pid;
            const added = await starter.call('torrent.add', {uri: join(folder, 'film.torrent'), savePath: seeds});
            assert.ok(added.result, JSON.stringify(added));
            const player = (origin) => `${origin}/player/player.html?infoHash=${added.result.infoHash}&file=0`;
            home.install('chromium');
            home.install('firefox');

            chromium = await launchChromium({profileDir: home.chromiumProfile, env: home.env});
            const chromiumPage = await chromium.context.newPage();
            await chromiumPage.goto(player(`chrome-extension://${chromeExtensionId}`));

            firefox = await launchFirefox({folder: join(folder, 'firefox'), env: home.env});
            const bidi = firefox.session;
            const [{context: tab}] = await bidi.contexts();
            const firefoxPlayer = player(`moz-extension://${firefoxExtensionUuid}`);
            await bidi.evaluate(tab, `(location.href = ${JSON.stringify(firefoxPlayer)}, true)`);
            await until(async () => (await bidi.contexts()).some((c) => c.url === firefoxPlayer), 15000);

            await starter.close();
            await until(() => chromiumPage.evaluate(playScript), 20000);
            await until(() => bidi.evaluate(tab, playScript), 20000);
            const chromiumPosition = () => chromiumPage.evaluate(positionScript);
            const firefoxPosition = () => bidi.evaluate(tab, positionScript);
            // Both play at the same time, from the same owner, to which both browsers are attached.
            await until(async () => (await chromiumPosition()) > 0.5 && (await firefoxPosition()) > 0.5, 30000);
            const both = await session(home.env);
            assert.equal(both.pid, ownerPid);
            assert.equal(both.clients, 3, 'Chromium, Firefox and the probe');
            assert.ok((await chromiumPage.evaluate(fetchScript)).bytes >= 256 * 1024);
            assert.ok((await bidi.evaluate(tab, fetchScript)).bytes >= 256 * 1024);

            await chromium.context.close();
            chromium = null;
            // Chromium's host detaches; the owner stays for Firefox's.
            const after = await until(async () => {
                const seen = await session(home.env);
                return seen.clients === 2 ? seen : null;
            }, 15000);
            assert.equal(after.pid, ownerPid, 'the same owner, not a new one');

            // Firefox's film goes on, and the owner still streams it: a fresh read of the film, after the quit.
            const atQuit = await firefoxPosition();
            assert.ok(atQuit > 0.5, `Firefox's film is playing (${atQuit})`);
            await until(async () => (await firefoxPosition()) > atQuit + 2, 15000);
            const read = await bidi.evaluate(tab, fetchScript);
            assert.ok(read.status === 200 || read.status === 206, JSON.stringify(read));
            assert.ok(read.bytes >= 256 * 1024, JSON.stringify(read));
            assert.equal((await session(home.env)).pid, ownerPid);
        } finally {
            await chromium?.context.close().catch(() => {});
            await firefox?.stop();
            await starter.close();
            // The owner outlives its last client by a moment (it saves resume data): let it finish.
            if (ownerPid) {
                await waitForExit(ownerPid);
            }
            rmSync(folder, {recursive: true, force: true, maxRetries: 20, retryDelay: 250});
        }
    });
