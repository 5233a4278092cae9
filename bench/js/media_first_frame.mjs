// media_first_frame: how long the extension's player takes from opening its page to the first decoded video
// frame, in real Chromium with the extension and a real sluice-host, for a file Chromium plays as it is (WebM,
// VP9 + Opus: the file's own /s/ stream) and for one the host converts (Matroska, H.264 + AC-3: the video
// copied, the audio converted to AAC, fragmented MP4 from a /m/ stream). The direct file is the reference; the
// figure is the ratio converted / direct of the medians.
//
// Both files are one torrent, seeded by a sluice-host of its own on loopback (demo/lib) and added in the
// browser through the viewer page, as a person adds a magnet; the browser's host downloads it whole before
// anything is timed, so what is measured is the player and the host, not the swarm. Each file is opened once
// unmeasured first: that open waits for the host's ffprobe, which the host then keeps for the session, and is
// printed on its own. Then N runs of each, alternating, each in a fresh tab.
//
//   node bench/js/media_first_frame.mjs [--runs N] [--json]
//
// SLUICE_HOST_BIN selects the host (default: the release build's), CHROMIUM_BIN the browser. The two files are
// made once with ffmpeg into build/bench-cache/media-first-frame/ and kept.
/* global process, console, setTimeout, performance, URL */
import {execFile, execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {promisify} from 'node:util';

const root = new URL('../../', import.meta.url).pathname;
// Before host_home.mjs reads it: the benchmarks measure the optimised build.
process.env.SLUICE_HOST_BIN ??= join(root, 'build/release/native-host/sluice-host');

const {startLocalSwarm} = await import('../../demo/lib/local_swarm.mjs');
const {NativeClient} = await import('../../demo/lib/native_client.mjs');
const {chromeOrigin, startHost, waitForExit} = await import('../../demo/lib/world.mjs');
const {launchChromium, chromeExtensionId} = await import('../../tests/e2e/support/chromium.mjs');
const {hostBinary, makeHostHome} = await import('../../tests/e2e/support/host_home.mjs');

const run = promisify(execFile);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const origin = `chrome-extension://${chromeExtensionId}`;

const SECONDS = 30;
const TORRENT = 'sluice-first-frame';
const cache = join(root, 'build/bench-cache/media-first-frame');
const video = ['-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${SECONDS}`];
const tone = ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`];
// 1280x720 at 30 fps, as media_bench's files; the 5.1 tones of the AC-3 file differ per channel.
const files = {
    direct: {name: 'direct-vp9-opus.webm', label: 'direct (WebM VP9 + Opus)', mode: 'direct',
        args: [...video, ...tone, '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '2M',
            '-c:a', 'libopus', '-b:a', '96k']},
    converted: {name: 'converted-h264-ac3.mkv', label: 'converted (MKV H.264 + AC-3)', mode: 'transcode',
        // The player must ask for the video copied and only the audio converted: the /m/ URL names that plan.
        plan: 'copy-convert-',
        args: [...video, '-f', 'lavfi', '-i', 'aevalsrc=0.2*sin(2*PI*440*t)|0.2*sin(2*PI*550*t)|' +
            `0.2*sin(2*PI*660*t)|0.2*sin(2*PI*110*t)|0.2*sin(2*PI*770*t)|0.2*sin(2*PI*880*t):c=5.1:s=48000:d=${SECONDS}`,
        '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'ac3', '-b:a', '448k']},
};

function parseArgs(argv) {
    const options = {runs: 5, json: false};
    for (let i = 0; i < argv.length; ++i) {
        if (argv[i] === '--runs' && /^\d+$/.test(argv[i + 1] ?? '') && Number(argv[i + 1]) >= 1) {
            options.runs = Number(argv[++i]);
        } else if (argv[i] === '--json') {
            options.json = true;
        } else {
            throw new Error(`unknown argument ${argv[i]}; usage: media_first_frame.mjs [--runs N] [--json]`);
        }
    }
    return options;
}

const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const round = (x, places = 1) => Math.round(x * 10 ** places) / 10 ** places;

// Each file written under another name and renamed: a file of the final name is a complete one.
async function makeFiles(folder, say) {
    mkdirSync(folder, {recursive: true});
    for (const file of Object.values(files)) {
        const path = join(folder, file.name);
        if (existsSync(path)) {
            continue;
        }
        say(`making ${path} ...`);
        const partial = join(cache, `partial-${file.name}`);
        try {
            await run('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...file.args, '-shortest',
                partial], {maxBuffer: 1 << 20});
        } catch (error) {
            throw new Error(`ffmpeg could not make ${file.name}: ${error.stderr || error.message}`);
        }
        renameSync(partial, path);
    }
}

async function waitFor(check, ms, what) {
    const deadline = Date.now() + ms;
    let last;
    for (;;) {
        last = await check();
        if (last?.ok) {
            return last;
        }
        if (Date.now() > deadline) {
            throw new Error(`${what} within ${ms / 1000} s; last saw ${JSON.stringify(last)}`);
        }
        await sleep(50);
    }
}

// The ffmpeg a closed tab leaves is killed by the host once it notices the client went; the next run must not
// share the cores with it.
async function noConversionLeft(ownerPid) {
    await waitFor(() => {
        const children = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
            try {
                return readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1] ===
                    String(ownerPid);
            } catch {
                return false;
            }
        });
        return {ok: children.length === 0, children};
    }, 10000, 'the host\'s ffmpeg from the previous run to leave');
}

// The page's state in one look: what the player chose and what the element has decoded.
const LOOK = `(() => {
    const m = document.querySelector('video');
    const message = document.querySelector('#message');
    return {
        frames: m ? m.getVideoPlaybackQuality().totalVideoFrames : 0,
        src: m?.getAttribute('src') ?? '', mode: window.sluicePlayer?.mode ?? null,
        error: m?.error ? m.error.code + ' ' + m.error.message : null, paused: m?.paused ?? null,
        message: message && !message.hidden ? message.textContent : '',
    };
})()`;

// From opening the player page in a fresh tab to the first decoded frame, polled every 10 ms: also when the
// element got its stream URL (media.probe and media.open answered), to tell the player's questions from the
// stream's own first frame.
async function firstFrame(context, url, file) {
    const page = await context.newPage();
    try {
        const started = performance.now();
        await page.goto(url, {waitUntil: 'commit'});
        let srcMs = null;
        for (;;) {
            const look = await page.evaluate(LOOK);
            const now = performance.now() - started;
            if (look.src && srcMs === null) {
                srcMs = now;
            }
            if (look.message || look.error) {
                throw new Error(`${file.name}: the player failed: ${look.message || look.error}`);
            }
            if (look.frames > 0) {
                if (look.mode !== file.mode || (file.plan && !look.src.includes(file.plan))) {
                    throw new Error(`${file.name} played as ${look.mode} from ${look.src.replace(/.*\//, '')}, ` +
                        `not ${file.mode}${file.plan ? ` (${file.plan}*)` : ''}`);
                }
                return {ms: now, srcMs, frames: look.frames};
            }
            if (now > 30000) {
                throw new Error(`${file.name}: no decoded video frame 30 s after opening the player; last saw ` +
                    JSON.stringify(look));
            }
            await sleep(10);
        }
    } finally {
        await page.close();
    }
}

async function main() {
    const options = parseArgs(process.argv.slice(2));
    const say = options.json ? (line) => console.error(line) : (line) => console.log(line);
    if (!existsSync(hostBinary)) {
        throw new Error(`no sluice-host at ${hostBinary}: build it (cmake --build --preset release) or set ` +
            'SLUICE_HOST_BIN');
    }
    const media = join(cache, TORRENT);
    await makeFiles(media, say);

    const folder = mkdtempSync(join(tmpdir(), 'sluice-first-frame-'));
    const stops = [];
    const stopAll = async () => {
        for (const step of stops.reverse()) {
            await step().catch(() => {});
        }
        rmSync(folder, {recursive: true, force: true, maxRetries: 20, retryDelay: 250});
    };
    const interrupted = () => {
        stopAll().finally(() => process.exit(130));
    };
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    try {
        const swarm = await startLocalSwarm({folder: cache});
        stops.push(() => swarm.close());
        const torrentFile = join(folder, `${TORRENT}.torrent`);
        execFileSync('mktorrent', ['-l', '18', '-a', swarm.tracker, '-o', torrentFile, media], {stdio: 'ignore'});
        const seed = await startHost({binary: hostBinary, folder: join(folder, 'seed-host')});
        stops.push(() => seed.stop());
        const added = await seed.call('torrent.add', {uri: torrentFile, savePath: cache});
        if (!added.result) {
            throw new Error(`the seed refused the torrent: ${JSON.stringify(added.error)}`);
        }
        const {infoHash} = added.result;
        const seedPort = (await seed.call('settings.get')).result.peerPort;
        await waitFor(async () => {
            const list = await seed.call('torrent.list');
            return {ok: list.result?.torrents.find((t) => t.infoHash === infoHash)?.state === 'seeding'};
        }, 60000, 'the seed to check its files');
        const magnet = `magnet:?xt=urn:btih:${infoHash}&dn=${TORRENT}&tr=${encodeURIComponent(swarm.tracker)}` +
            `&x.pe=127.0.0.1:${seedPort}`;

        // The browser's session owner, started first so that it can be waited for at the end; the browser's
        // host joins it.
        const home = makeHostHome(join(folder, 'viewer'));
        const owner = new NativeClient(hostBinary, {args: [chromeOrigin], env: home.env, timeoutMs: 20000});
        const ownerPid = (await owner.call('host.hello', {protocolVersion: 1})).result.instance.pid;
        stops.push(async () => {
            await owner.close();
            await waitForExit(ownerPid);
        });
        home.install('chromium');
        const browser = await launchChromium({profileDir: home.chromiumProfile, env: home.env});
        stops.push(() => browser.context.close());

        const viewer = await browser.context.newPage();
        const addedAt = Date.now();
        await viewer.goto(`${origin}/viewer/viewer.html?uri=${encodeURIComponent(magnet)}`);
        await waitFor(async () => {
            const list = await owner.call('torrent.list');
            const t = list.result?.torrents.find((x) => x.infoHash === infoHash);
            return {ok: t?.progress >= 1, state: t?.state, progress: t?.progress};
        }, 120000, 'the browser\'s host to download the torrent');
        await viewer.close();
        say(`the browser's host downloaded ${TORRENT} from the seed in ${Date.now() - addedAt} ms`);
        const listed = (await owner.call('torrent.files', {infoHash})).result.files;
        for (const file of Object.values(files)) {
            file.index = listed.find((f) => f.path.endsWith(`/${file.name}`))?.index;
            if (!Number.isInteger(file.index)) {
                throw new Error(`torrent.files does not list ${file.name}: ${JSON.stringify(listed)}`);
            }
            file.url = `${origin}/player/player.html?infoHash=${infoHash}&file=${file.index}`;
            file.ms = [];
            file.srcMs = [];
        }

        const order = [files.direct, files.converted];
        for (const file of order) {
            await noConversionLeft(ownerPid);
            file.first = await firstFrame(browser.context, file.url, file);
            say(`first open (the host probes the file): ${file.label}: first frame ${round(file.first.ms)} ms ` +
                `(stream URL set at ${round(file.first.srcMs)} ms)`);
        }
        for (let i = 1; i <= options.runs; ++i) {
            // Alternating which goes first spreads any drift of the machine over both.
            for (const file of i % 2 ? order : [...order].reverse()) {
                await noConversionLeft(ownerPid);
                const r = await firstFrame(browser.context, file.url, file);
                file.ms.push(r.ms);
                file.srcMs.push(r.srcMs);
                say(`run ${i}: ${file.label.padEnd(30)} first frame ${round(r.ms).toFixed(1).padStart(7)} ms ` +
                    `(stream URL set at ${round(r.srcMs).toFixed(1)} ms)`);
            }
        }

        const {direct, converted} = files;
        const ratio = median(converted.ms) / median(direct.ms);
        if (options.json) {
            const figures = (f) => ({file: f.name, mode: f.mode, firstFrameMs: f.ms.map((x) => round(x)),
                medianMs: round(median(f.ms)), streamUrlSetMs: f.srcMs.map((x) => round(x)),
                medianStreamUrlSetMs: round(median(f.srcMs)), firstOpenMs: round(f.first.ms)});
            console.log(JSON.stringify({runs: options.runs, direct: figures(direct), converted: figures(converted),
                ratio: round(ratio, 3)}));
        } else {
            console.log('\n== media_first_frame: opening the player page to the first decoded video frame ' +
                `(medians of ${options.runs} runs) ==`);
            console.log(`${'file'.padEnd(30)} ${'first frame'.padStart(12)} ${'stream URL set'.padStart(15)} ` +
                `${'first open'.padStart(11)}`);
            for (const f of [direct, converted]) {
                console.log(`${f.label.padEnd(30)} ${`${round(median(f.ms)).toFixed(1)} ms`.padStart(12)} ` +
                    `${`${round(median(f.srcMs)).toFixed(1)} ms`.padStart(15)} ` +
                    `${`${round(f.first.ms).toFixed(0)} ms`.padStart(11)}`);
            }
            console.log(`ratio converted / direct: ${ratio.toFixed(2)}`);
        }
    } finally {
        process.removeListener('SIGINT', interrupted);
        process.removeListener('SIGTERM', interrupted);
        await stopAll();
    }
}

main().catch((error) => {
    console.error(`media_first_frame: error: ${error.message}`);
    process.exitCode = 1;
});
