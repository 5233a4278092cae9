// What the media e2e tests do in either browser: seed the corpus (tests/e2e/support/media_corpus.mjs) as one
// torrent on loopback, then play each file in the extension's player page and prove it plays: decoded video
// frames and audio grow, the real position advances, a seek through window.sluicePlayer plays from there, each
// text subtitle track has cues, and a file the browser plays as it is streams the file's own bytes. The browser
// is reached through a small `page` adapter, so Chromium (Playwright) and Firefox (WebDriver BiDi) run the same
// checks:
//   page.open(url)         navigates the tab to an extension page and waits until it has loaded
//   page.run(expression)   evaluates a JavaScript expression there (a promise is awaited), answering its value
//   page.screenshot(name)  writes build/test-output/e2e/<name>
//   page.browser           'chromium' | 'firefox'
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {mkdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {startLocalSwarm} from '../../../demo/lib/local_swarm.mjs';
import {startHost} from '../../../demo/lib/world.mjs';
import {hostBinary} from './host_home.mjs';
import {makeCorpus, hostile} from './media_corpus.mjs';
import {until} from './until.mjs';

export const screenshots = new URL('../../../build/test-output/e2e/', import.meta.url).pathname;
const CORPUS = 'media-corpus';

// Makes the corpus in `folder`/seed/media-corpus and seeds it as one torrent from a real sluice-host of its own
// (its own session, as the world's seed), announced to a loopback tracker. The magnet carries the tracker and
// the seed's address, as the world's magnetWithPeer does.
export async function seedCorpus(folder, log = () => {}) {
    const seedDir = join(folder, 'seed');
    const media = join(seedDir, CORPUS);
    const started = Date.now();
    const files = await makeCorpus(media);
    const corpusMs = Date.now() - started;
    log(`corpus made in ${corpusMs} ms`);
    const stops = [];
    const stop = async () => {
        for (const step of stops.reverse()) {
            await step().catch(() => {});
        }
    };
    try {
        const swarm = await startLocalSwarm({folder: seedDir});
        stops.push(() => swarm.close());
        const torrentFile = join(folder, `${CORPUS}.torrent`);
        // 64 KiB pieces: each small file spans a few, as in a real torrent.
        execFileSync('mktorrent', ['-l', '16', '-a', swarm.tracker, '-o', torrentFile, media], {stdio: 'ignore'});
        const seed = await startHost({binary: hostBinary, folder: join(folder, 'seed-host')});
        stops.push(() => seed.stop());
        const added = await seed.call('torrent.add', {uri: torrentFile, savePath: seedDir});
        if (!added.result) {
            throw new Error(`the seed refused the corpus: ${JSON.stringify(added.error)}`);
        }
        const {infoHash} = added.result;
        await until(async () => {
            const list = await seed.call('torrent.list');
            return list.result?.torrents.find((t) => t.infoHash === infoHash)?.state === 'seeding';
        }, 60000);
        const peerPort = (await seed.call('settings.get')).result.peerPort;
        const magnet = `magnet:?xt=urn:btih:${infoHash}&dn=${CORPUS}&tr=${encodeURIComponent(swarm.tracker)}` +
            `&x.pe=127.0.0.1:${peerPort}`;
        log(`seeding ${infoHash} on 127.0.0.1:${peerPort}`);
        return {files, hostile, media, magnet, infoHash, corpusMs, stop};
    } catch (error) {
        await stop();
        throw error;
    }
}

// Runs in an extension page: an intent of the extension's background, as its pages ask (common/classic/ui.js).
const intent = (name, params) => `(async () => {
    const api = globalThis.browser ?? globalThis.chrome;
    const reply = await api.runtime.sendMessage({intent: ${JSON.stringify(name)}, ...${JSON.stringify(params)}});
    if (!reply?.ok) {
        throw new Error(${JSON.stringify(name)} + ': ' + JSON.stringify(reply?.error));
    }
    return reply.result;
})()`;

// Adds the corpus's magnet from an extension page (page.open'ed already) and waits for its file list: answers
// {name: {index, streamUrl, size}} by file name.
export async function addCorpus(page, seeded) {
    const added = await page.run(intent('torrent.add', {uri: seeded.magnet}));
    if (added.infoHash !== seeded.infoHash) {
        throw new Error(`torrent.add answered ${JSON.stringify(added)}`);
    }
    const listed = await until(async () => {
        const reply = await page.run(intent('torrent.files', {infoHash: seeded.infoHash}));
        return !reply.metadataPending && reply.files.length > 0 ? reply.files : null;
    }, 60000, 500);
    return Object.fromEntries(listed.map((f) => [f.path.split('/').pop(), {index: f.index, streamUrl: f.streamUrl,
        size: f.size}]));
}

export function playerUrl(origin, infoHash, index) {
    return `${origin}/player/player.html?infoHash=${infoHash}&file=${index}`;
}

// The page's state in one look: the element, the player's clock and what has been decoded.
const LOOK = `(() => {
    const m = document.querySelector('video, audio');
    const p = window.sluicePlayer;
    const message = document.querySelector('#message');
    const quality = m?.getVideoPlaybackQuality?.();
    const showing = m ? [...m.textTracks].filter((t) => t.mode === 'showing') : [];
    return {
        tag: m?.tagName ?? null, mode: p?.mode ?? null, position: p ? p.position() : null,
        duration: p ? p.duration() : null, currentTime: m?.currentTime ?? null, paused: m?.paused ?? null,
        ended: m?.ended ?? null, readyState: m?.readyState ?? null,
        error: m?.error ? {code: m.error.code, message: m.error.message} : null,
        frames: quality ? quality.totalVideoFrames : null, audioBytes: m?.webkitAudioDecodedByteCount ?? null,
        mozHasAudio: m?.mozHasAudio ?? null, currentSrc: m?.currentSrc ?? '', muted: m?.muted ?? null,
        message: message && !message.hidden ? message.textContent : '',
        status: document.querySelector('#status')?.hidden ? '' : document.querySelector('#status')?.textContent,
        showing: showing.map((t) => ({language: t.language, label: t.label, cues: t.cues?.length ?? 0,
            active: t.activeCues?.length ?? 0})),
        errors: window.mediaErrors ?? [],
    };
})()`;

const PLAY = `(() => {
    const m = document.querySelector('video, audio');
    m.muted = true;
    m.play().catch(() => {});
    return true;
})()`;

// The player's way of asking the element (playback.js): canPlayType, or MediaSource.
const canPlayScript = (question) => `(() => {
    const m = document.querySelector('video, audio');
    const q = ${JSON.stringify(question)};
    return m.canPlayType(q) !== '' || globalThis.MediaSource?.isTypeSupported?.(q) === true;
})()`;

const hashScript = (url) => `(async () => {
    const response = await fetch(${JSON.stringify(url)}, {credentials: 'omit'});
    const bytes = await response.arrayBuffer();
    const digest = await crypto.subtle.digest('SHA-256', bytes);
    return {status: response.status, size: bytes.byteLength,
        sha256: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')};
})()`;

// The subtitle menu's text tracks (not Off, not the bitmap tracks it lists as unsupported).
const SUBTITLE_OPTIONS = `[...document.querySelectorAll('#subtitle-track option')]
    .filter((o) => !o.disabled && o.value !== '-1').map((o) => ({value: o.value, label: o.textContent}))`;

const chooseScript = (selector, value) => `(() => {
    const select = document.querySelector(${JSON.stringify(selector)});
    select.value = ${JSON.stringify(value)};
    select.dispatchEvent(new Event('change', {bubbles: true}));
    return select.value;
})()`;

const showingCues = `(() => {
    const m = document.querySelector('video, audio');
    const showing = [...m.textTracks].filter((t) => t.mode === 'showing');
    if (showing.length !== 1 || !showing[0].cues || showing[0].cues.length === 0) {
        return null;
    }
    return {language: showing[0].language, label: showing[0].label, cues: showing[0].cues.length,
        first: showing[0].cues[0].text};
})()`;

function sha256(file) {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
}

const round = (x) => (typeof x === 'number' ? Math.round(x * 100) / 100 : x);
const brief = (look) => JSON.stringify({...look, position: round(look?.position), duration: round(look?.duration),
    currentTime: round(look?.currentTime), currentSrc: look?.currentSrc?.replace(/\/[0-9a-f]{32}\//, '/TOKEN/')});

// Named steps, each passing or failing on its own, so that one run says everything that works and everything
// that does not; `fatal` steps end the file's checks (nothing after them can pass).
class Steps {
    constructor(label) {
        this.label = label;
        this.results = [];
    }

    async step(name, body, {fatal = false} = {}) {
        const started = Date.now();
        try {
            const note = await body();
            this.results.push({name, ok: true, ms: Date.now() - started, note: note ?? ''});
            return true;
        } catch (error) {
            this.results.push({name, ok: false, ms: Date.now() - started, note: error.message});
            if (fatal) {
                throw new StepsStopped();
            }
            return false;
        }
    }

    failures() {
        return this.results.filter((r) => !r.ok);
    }

    report() {
        return this.results.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${this.label} | ${r.name} (${r.ms} ms)` +
            (r.note ? `: ${r.note}` : '')).join('\n');
    }
}

class StepsStopped extends Error {}

function check(condition, message) {
    if (!condition) {
        throw new Error(message);
    }
}

// Waits for `predicate(look)`; fails with the last look.
async function waitLook(page, predicate, ms, what) {
    let last = null;
    try {
        return await until(async () => {
            last = await page.run(LOOK);
            return predicate(last) ? last : null;
        }, ms, 150);
    } catch {
        throw new Error(`${what}: not within ${ms} ms; last: ${brief(last)}`);
    }
}

// Keeps the media errors the page's elements meet (the player may answer one by reopening the file converted,
// which clears it): window.mediaErrors, reported by LOOK. Chromium's adapter installs it before each page's own
// scripts run (an init script); BiDi's preload scripts do not reach moz-extension pages, so the checks install it
// too, as soon as the page has loaded (before the player has its answer from the host).
export const recordMediaErrors = `() => {
    if (window.mediaErrors) {
        return;
    }
    window.mediaErrors = [];
    window.addEventListener('error', (event) => {
        const m = event.target;
        if (m instanceof HTMLMediaElement) {
            window.mediaErrors.push({code: m.error?.code, message: m.error?.message, at: m.currentTime,
                src: m.currentSrc.replace(/\\/[0-9a-f]{32}\\//, '/TOKEN/'), mode: window.sluicePlayer?.mode});
        }
    }, true);
}`;
const RECORD_ERRORS = `((${recordMediaErrors})(), true)`;

// The player ready to play: its element and window.sluicePlayer with a mode, or its message.
async function ready(page) {
    await page.run(RECORD_ERRORS);
    const look = await waitLook(page, (l) => (l.mode && l.tag) || l.message, 90000, 'the player chose a stream');
    check(!look.message, `the player says: ${look.message} (${brief(look)})`);
    return look;
}

// Decoded video and audio grow and the real position advances, from `from` (a look) on.
async function playsOn(page, steps, entry, from, prefix = '') {
    if (entry.hasVideo) {
        await steps.step(`${prefix}decoded video frames grow`, async () => {
            const seen = await waitLook(page, (l) => l.frames > (from.frames ?? 0) + 10 && !l.error, 30000,
                'totalVideoFrames to grow by 10');
            return `${from.frames} -> ${seen.frames} frames`;
        });
    }
    if (entry.hasAudio) {
        await steps.step(`${prefix}decoded audio grows`, async () => {
            if (page.browser === 'chromium') {
                const seen = await waitLook(page, (l) => l.audioBytes > (from.audioBytes ?? 0) && !l.error, 30000,
                    'webkitAudioDecodedByteCount to grow');
                return `${from.audioBytes} -> ${seen.audioBytes} bytes`;
            }
            if (from.tag === 'VIDEO') {
                await waitLook(page, (l) => l.mozHasAudio === true && l.readyState >= 2 && !l.error, 30000,
                    'mozHasAudio');
                return 'mozHasAudio';
            }
            // Firefox has mozHasAudio on <video> only, and no decoded-audio counter (mozRequestDebugInfo is
            // chrome-only; an AudioContext stays suspended without a sound device): an <audio> element holds
            // decoded data for its position (HAVE_CURRENT_DATA) while it plays on.
            const seen = await waitLook(page, (l) => l.readyState >= 2 && l.currentTime > (from.currentTime ?? 0) +
                0.5 && !l.error, 30000, 'the <audio> element decoding as it plays');
            return `readyState ${seen.readyState} at ${round(seen.currentTime)} s (no mozHasAudio on <audio>)`;
        });
    }
    await steps.step(`${prefix}the position advances`, async () => {
        const seen = await waitLook(page, (l) => l.position > from.position + 1 && !l.error, 30000,
            `position() past ${round(from.position + 1)}`);
        return `${round(from.position)} -> ${round(seen.position)} s`;
    });
    await steps.step(`${prefix}no alert, no media error`, async () => {
        const look = await page.run(LOOK);
        check(!look.message && look.errors.length === 0, `the alert says "${look.message}"; media errors: ` +
            JSON.stringify(look.errors));
    });
}

// Plays one file of the corpus in the player page and checks it all; answers the steps' report.
// `files` is addCorpus's map; `seeded` seedCorpus's answer; `screenshot` a file name for a picture of the file
// playing with subtitles on (or null).
export async function checkFile(page, origin, seeded, files, entry, {screenshot = null} = {}) {
    const steps = new Steps(`${page.browser} ${entry.name}`);
    const file = files[entry.name];
    try {
        await steps.step('the torrent lists the file', () => check(file, `no ${entry.name} in the torrent`),
            {fatal: true});
        await page.open(playerUrl(origin, seeded.infoHash, file.index));
        let start;
        await steps.step('the player chose a stream', async () => {
            start = await ready(page);
            return `mode ${start.mode}`;
        }, {fatal: true});
        await page.run(PLAY);
        await steps.step(`a <${entry.hasVideo ? 'video' : 'audio'}> element`, () =>
            check(start.tag === (entry.hasVideo ? 'VIDEO' : 'AUDIO'), `the element is <${start.tag}>`));
        await playsOn(page, steps, entry, start);

        const mode = (await page.run(LOOK)).mode;
        await steps.step('the mode fits the browser', async () => {
            const probe = await page.run(intent('media.probe', {infoHash: seeded.infoHash, fileIndex: file.index}));
            const asIs = probe.questions?.[0];
            const yes = await page.run(canPlayScript(asIs));
            const said = `${asIs} -> ${yes ? 'yes' : 'no'}`;
            if (entry.direct) {
                check(mode === 'direct', `mode is ${mode}, not direct (${said})`);
            } else if (mode === 'direct') {
                // The contract's direct: the browser said yes to the file as it is (media.open picks it then).
                check(yes, `mode is direct though the browser said no to ${asIs}`);
            } else {
                check(['remux', 'transcode'].includes(mode), `mode is ${mode} (${said})`);
            }
            const errors = (await page.run(LOOK)).errors;
            return `${mode} (${said})${errors.length ? `; media errors: ${JSON.stringify(errors)}` : ''}`;
        });
        if (mode === 'direct') {
            await steps.step('a direct stream is the file\'s own /s/ URL', async () => {
                const look = await page.run(LOOK);
                check(look.currentSrc === file.streamUrl,
                    `currentSrc ${look.currentSrc} is not the stream URL ${file.streamUrl}`);
            });
        }

        await steps.step(`${entry.textTracks} text subtitle track(s), each with cues`, async () => {
            const options = await page.run(SUBTITLE_OPTIONS);
            check(options.length === entry.textTracks, `the menu offers ${options.length} text tracks: ` +
                JSON.stringify(options));
            const seen = [];
            for (const option of options) {
                await page.run(chooseScript('#subtitle-track', option.value));
                try {
                    seen.push(await until(() => page.run(showingCues), 30000, 200));
                } catch (error) {
                    throw new Error(`track "${option.label}": no showing track with cues (${error.message}); ` +
                        `seen so far: ${JSON.stringify(seen)}`);
                }
            }
            const words = seen.map((s) => s.first.split(' ').slice(0, -1).join(' ')).sort();
            check(JSON.stringify(words) === JSON.stringify([...entry.subtitleWords ?? []].sort()),
                `first cues ${JSON.stringify(seen)}, expected ${JSON.stringify(entry.subtitleWords)}`);
            return seen.map((s) => `${s.label} [${s.language}] ${s.cues} cues "${s.first}"`).join('; ');
        });

        if (screenshot) {
            await steps.step('screenshot: converted, playing, a subtitle on screen', async () => {
                const options = await page.run(SUBTITLE_OPTIONS);
                check(options.length > 0, 'no subtitle track to show');
                await page.run(chooseScript('#subtitle-track', options[0].value));
                await page.run('(window.sluicePlayer.seek(1), document.querySelector("video").play().catch(() => {}), ' +
                    'true)');
                const look = await waitLook(page, (l) => l.position > 1.3 && l.currentTime > 0.2 && !l.paused &&
                    l.showing[0]?.active > 0, 30000, 'playing past 1.3 s with a cue on screen');
                check(['remux', 'transcode'].includes(look.mode), `mode is ${look.mode}`);
                mkdirSync(screenshots, {recursive: true});
                await page.screenshot(screenshot);
                return `${screenshot} at ${round(look.position)} s`;
            });
        }

        await steps.step('a seek to 70 % plays from there', async () => {
            const duration = await page.run('window.sluicePlayer.duration()');
            check(Number.isFinite(duration) && duration > 5 && duration < 7, `duration() is ${duration}`);
            const target = 0.7 * duration;
            await page.run(`(window.sluicePlayer.seek(${target}), document.querySelector('video, audio').play()
                .catch(() => {}), true)`);
            const there = await waitLook(page, (l) => l.position >= target - 1.5 && l.position <= duration + 0.5 &&
                !l.error, 10000, `position() at ${round(target)} - 1.5 s or later`);
            const on = await waitLook(page, (l) => l.position > there.position + 0.3 && !l.error, 15000,
                `position() advancing past ${round(there.position + 0.3)} after the seek`);
            return `seek(${round(target)}): ${round(there.position)} -> ${round(on.position)} s (${on.mode})`;
        });

        if (mode !== 'direct') {
            // A converted stream restarted for a seek starts where media.open says (the keyframe the seek lands
            // on, when a stream is copied) and the player counts from there. 2.95 s is just before a keyframe
            // (the corpus has one a second, at 0.005 s, 1.005 s, ...): a player counting from 2.95 s over a stream
            // that starts at the keyframe before it would run almost a second past the file's end.
            await steps.step('after a seek to 2.95 s the timeline ends at the duration', async () => {
                const duration = await page.run('window.sluicePlayer.duration()');
                const before = (await page.run(LOOK)).currentSrc;
                await page.run('(window.sluicePlayer.seek(2.95), document.querySelector("video, audio").play()' +
                    '.catch(() => {}), true)');
                const end = await waitLook(page, (l) => l.ended && l.position > 3 && l.currentSrc !== before,
                    20000, 'the stream restarted for 2.95 s to end');
                check(Math.abs(end.position - duration) <= 0.5, `it ended at ${round(end.position)} s of ` +
                    `${round(duration)} s: the stream restarted for 2.95 s held ${round(end.currentTime)} s, so it ` +
                    `started at ${round(duration - end.currentTime)} s of the file`);
                return `ended at ${round(end.position)} s of ${round(duration)} s`;
            });
        }

        if (entry.audioTracks > 1) {
            await steps.step('the second audio track plays', async () => {
                await page.run('(window.sluicePlayer.seek(0), document.querySelector("video").play().catch(() => {}), ' +
                    'true)');
                await waitLook(page, (l) => l.position < 1.5 && l.currentTime > 0.1, 15000, 'playing again from 0');
                const before = await page.run(LOOK);
                const values = await page.run('[...document.querySelectorAll("#audio-track option")]' +
                    '.map((o) => o.value)');
                check(values.length === entry.audioTracks, `the audio menu offers ${JSON.stringify(values)}`);
                await page.run(chooseScript('#audio-track', values[1]));
                await until(() => page.run(`(() => {
                    const select = document.querySelector('#audio-track');
                    return !select.hasAttribute('aria-busy') && select.value === ${JSON.stringify(values[1])};
                })()`), 30000);
                const switched = await waitLook(page, (l) => l.currentSrc !== before.currentSrc && l.readyState >= 2,
                    20000, 'a new stream');
                check(['remux', 'transcode'].includes(switched.mode), `mode is ${switched.mode}`);
                const heard = await waitLook(page, (l) => l.currentSrc === switched.currentSrc && !l.error &&
                    l.position > switched.position + 0.5 && (page.browser === 'chromium'
                    ? l.audioBytes > switched.audioBytes : l.mozHasAudio === true), 20000,
                'audio decoded and the position advancing on the second track');
                return `track ${values[1]}: ${switched.audioBytes ?? ''} -> ${heard.audioBytes ?? 'mozHasAudio'}, ` +
                    `${round(switched.position)} -> ${round(heard.position)} s`;
            });
        }

        if (mode === 'direct') {
            await steps.step('the stream is the file byte for byte (SHA-256)', async () => {
                const got = await page.run(hashScript(file.streamUrl));
                const want = sha256(join(seeded.media, entry.name));
                check(got.status === 200 && got.sha256 === want, `HTTP ${got.status}, ${got.size} bytes, ` +
                    `sha256 ${got.sha256}; the file: ${file.size} bytes, sha256 ${want}`);
                return `${got.size} bytes`;
            });
        }
    } catch (error) {
        if (!(error instanceof StepsStopped)) {
            throw error;
        }
    }
    return steps;
}

// A hostile file: the player's alert says what is wrong within 30 s, and nothing plays (but the part a file cut
// short holds).
export async function checkHostile(page, origin, seeded, files, name) {
    const steps = new Steps(`${page.browser} ${name}`);
    const file = files[name];
    try {
        await steps.step('the torrent lists the file', () => check(file, `no ${name} in the torrent`), {fatal: true});
        await page.open(playerUrl(origin, seeded.infoHash, file.index));
        await steps.step('its role=alert message within 30 s', async () => {
            const started = Date.now();
            // As a person would, press Play on whatever the page offers (muted: headless autoplay).
            const look = await waitLook(page, (l) => {
                if (l.tag && l.paused && !l.ended) {
                    page.run(PLAY).catch(() => {});
                }
                return l.message.trim() !== '';
            }, 30000, 'the alert');
            const alert = await page.run(`(() => {
                const node = document.querySelector('#message');
                return {role: node.getAttribute('role'), hidden: node.hidden, text: node.textContent};
            })()`);
            check(alert.role === 'alert' && !alert.hidden && alert.text.trim(), JSON.stringify(alert));
            return `after ${Date.now() - started} ms: "${look.message}"`;
        });
        // A file cut short plays what it holds before the alert says it stopped early; the others play nothing.
        if (!hostile.find((h) => h.name === name)?.playsAPart) {
            await steps.step('nothing plays', async () => {
                const look = await page.run(LOOK);
                check(!(look.position > 0.5) && !(look.frames > 0), `something played: ${brief(look)}`);
            });
        }
    } catch (error) {
        if (!(error instanceof StepsStopped)) {
            throw error;
        }
    }
    return steps;
}

// A file that still plays after the hostile ones: it starts and its position advances.
export async function checkStillPlays(page, origin, seeded, files, entry) {
    const steps = new Steps(`${page.browser} ${entry.name} after the hostile files`);
    try {
        await page.open(playerUrl(origin, seeded.infoHash, files[entry.name].index));
        let start;
        await steps.step('the player chose a stream', async () => {
            start = await ready(page);
            return `mode ${start.mode}`;
        }, {fatal: true});
        await page.run(PLAY);
        await playsOn(page, steps, entry, start);
    } catch (error) {
        if (!(error instanceof StepsStopped)) {
            throw error;
        }
    }
    return steps;
}

// One file's steps as a node:test subtest: the report in the output, and every failed step in the assertion.
export function judge(t, steps) {
    const report = steps.report();
    console.log(report);
    t.diagnostic(report);
    assert.deepEqual(steps.failures().map((f) => `${f.name}: ${f.note}`), [], report);
}
