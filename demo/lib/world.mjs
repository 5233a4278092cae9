// The demo's world, also the stage of the end-to-end tests: a creator's bundle "les-veilleurs" made with
// the real sluice-bundle, served by the real sluice-gate (email with a confirmation code, pay what you want
// and a pledge campaign in two tiers charged when funded, both through a fake Stripe on loopback that the
// gate's real Stripe adapter calls), and seeded by a real sluice-host. Everything listens on 127.0.0.1 and
// lives under one folder:
//   media/   the films, cover, booklet and subtitles (made once, kept between runs)
//   keys/    the publisher's and the gate's keys (kept: a host pins the publisher key of a bundle id)
//   out/     what sluice-bundle create wrote: les-veilleurs/, les-veilleurs.torrent, les-veilleurs.keys.json
//   gate/    the gate's data (gate.db) and secrets
//   mail/    each mail the gate sent, one <n>.eml file each
//   seed/    the seeding host's data and runtime folders
//   logs/    the gate's stderr
// The seeding host is a real sluice-host: its relay is the child the world talks to, and its session owner
// is a detached process that the world waits for when it stops.
// Each start makes a new version of the bundle (a host refuses a version lower than one it has seen), with
// a fresh gate database and seed session.
import {spawn, execFile} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, closeSync} from 'node:fs';
import {createServer} from 'node:net';
import {join} from 'node:path';
import {createInterface} from 'node:readline';
import {promisify} from 'node:util';
import {makeMedia} from './media.mjs';
import {startFakeStripe} from '../../publisher/fake-stripe/fake_stripe.mjs';
import {startLocalSwarm} from './local_swarm.mjs';
import {spawnOpentracker} from './opentracker.mjs';
import {NativeClient} from './native_client.mjs';

const execFileAsync = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

export const bundleId = 'les-veilleurs';
export const campaignId = 'saison-2';
// The campaign's tiers, as the spec gives them: the season (its episode), and a limited collector's edition
// that adds the making-of. A tier names its items by their paths in the bundle.
export const pledgeTiers = [
    {id: 'season', title: 'La saison 2 / Season 2', price: 1500, items: ['season-2/episode-2.webm.locked']},
    {id: 'collector', title: 'Édition collector / Collector’s edition',
        description: 'L’épisode 2 et son making-of. / Episode 2 and its making-of.', price: 4000, limit: 100,
        items: ['season-2/episode-2.webm.locked', 'season-2/making-of.webm.locked']},
];
// The origin a Chromium-family browser passes the host: the one the host's caller check accepts.
export const chromeOrigin = 'chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk/';

// The binaries, from SLUICE_HOST_BIN, SLUICE_BUNDLE_BIN and SLUICE_GATE_BIN, else the dev build's.
export function defaultBinaries() {
    return {
        host: process.env.SLUICE_HOST_BIN ?? join(root, 'build/dev/native-host/sluice-host'),
        bundle: process.env.SLUICE_BUNDLE_BIN ?? join(root, 'build/dev/publisher/sluice-bundle'),
        gate: process.env.SLUICE_GATE_BIN ?? join(root, 'build/dev/publisher/sluice-gate'),
    };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function shellQuote(text) {
    return `'${text.replace(/'/g, "'\\''")}'`;
}

function utcSeconds(date) {
    return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// A port that was free on 127.0.0.1 a moment ago: the gate's URL goes into the signed manifest, so it must
// be known before the gate starts.
export function freePort() {
    return new Promise((resolve, reject) => {
        const probe = createServer();
        probe.once('error', reject);
        probe.listen(0, '127.0.0.1', () => {
            const {port} = probe.address();
            probe.close(() => resolve(port));
        });
    });
}

async function tool(binary, args) {
    try {
        const {stdout} = await execFileAsync(binary, args, {maxBuffer: 1 << 22});
        return stdout;
    } catch (error) {
        throw new Error(`${binary} ${args[0]} failed (exit ${error.code}): ${error.stderr || error.message}`);
    }
}

// A session config keeping a host on loopback: no DHT, LSD, UPnP, NAT-PMP or uTP.
export function writeHostConfig(folder, extra = {}) {
    const data = join(folder, 'data');
    const run = join(folder, 'run');
    mkdirSync(join(data, 'sluice'), {recursive: true});
    mkdirSync(run, {recursive: true, mode: 0o700});
    writeFileSync(join(data, 'sluice', 'config.json'), JSON.stringify({
        session: {dht: false, lsd: false, upnp: false, natpmp: false, utp: false, listenInterfaces: '127.0.0.1:0'},
        downloadFolder: join(folder, 'downloads'),
        ...extra,
    }, null, 4));
    return {...process.env, XDG_DATA_HOME: data, XDG_RUNTIME_DIR: run};
}

function processGone(pid) {
    try {
        process.kill(pid, 0);
    } catch {
        return true;
    }
    // A zombie no one has reaped yet (an orphan in a container whose first process does not reap) is gone too.
    try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z');
    } catch {
        return true;
    }
}

// Waits for a process that is not our child (the host's session owner, which detaches) to exit; after
// `graceMs` it is sent SIGTERM, and SIGKILL 10 s later.
export async function waitForExit(pid, {graceMs = 15000} = {}) {
    const start = Date.now();
    let signalled = null;
    while (!processGone(pid)) {
        const waited = Date.now() - start;
        if (waited > graceMs + 10000 && signalled !== 'SIGKILL') {
            signalled = 'SIGKILL';
            process.kill(pid, 'SIGKILL');
        } else if (waited > graceMs && !signalled) {
            signalled = 'SIGTERM';
            process.kill(pid, 'SIGTERM');
        }
        await sleep(100);
    }
    return signalled;
}

// Starts a real sluice-host in `folder` (its own data and runtime folders, a loopback-only config) as a
// Chromium browser starts it. `stop()` closes its stdin and waits for the session owner it started to exit.
export async function startHost({binary = defaultBinaries().host, folder, config = {}, timeoutMs = 20000}) {
    const env = writeHostConfig(folder, config);
    const client = new NativeClient(binary, {args: [chromeOrigin], env, timeoutMs});
    const hello = await client.call('host.hello', {protocolVersion: 1, client: {name: 'sluice-world'}});
    if (!hello.result) {
        client.child.kill('SIGKILL');
        throw new Error(`sluice-host did not say hello: ${JSON.stringify(hello.error)} ${client.stderr}`);
    }
    const ownerPid = hello.result.instance.pid;
    let stopped = null;
    return {
        client, env, ownerPid, hello: hello.result,
        call: (method, params) => client.call(method, params),
        stop() {
            stopped ??= (async () => {
                const timer = setTimeout(() => client.child.kill('SIGKILL'), 15000);
                await client.close();
                clearTimeout(timer);
                await waitForExit(ownerPid);
            })();
            return stopped;
        },
    };
}

// Waits for `check` to return something truthy, asking every `everyMs`.
export async function until(check, {timeoutMs = 20000, everyMs = 200, what = 'a condition'} = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await check();
        if (value) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await sleep(everyMs);
    }
}

function makeSpec({version, gateUrl, gateKey, translationKey, pledge, trackers, webSeeds}) {
    const now = Date.now();
    const day = 24 * 3600 * 1000;
    const spec = {
        format: 'sluice-bundle-spec/1',
        id: bundleId,
        version,
        title: 'Les Veilleurs',
        creator: 'Atelier Nuit',
        description: 'Une série en six épisodes sur ceux qui veillent quand la ville dort. Le pilote est ' +
            'libre ; l’épisode 1 s’ouvre avec une adresse e-mail, le livret à prix libre, et la saison 2 ' +
            'avec le financement participatif.\n\nA six-episode series about those who keep watch while ' +
            'the city sleeps. The pilot is free; episode 1 opens with an email address, the booklet at a ' +
            'price you choose, and season 2 when its crowdfunding succeeds.',
        cover: 'art/cover.jpg',
        gateUrl,
        gateKeys: [gateKey],
        translationKeys: [translationKey],
        items: [
            {source: 'pilot.webm', access: 'free', subtitles: [
                {lang: 'fr', label: 'Français', source: 'subtitles/pilot.fr.vtt'},
                {lang: 'en', label: 'English', source: 'subtitles/pilot.en.vtt'},
            ]},
            {source: 'episode-1.webm', access: 'locked', gate: 'email', subtitles: [
                {lang: 'fr', label: 'Français', source: 'subtitles/episode-1.fr.vtt'},
                {lang: 'en', label: 'English', source: 'subtitles/episode-1.en.vtt'},
            ]},
            {source: 'season-2/episode-2.webm', access: 'locked', gate: 'pledge'},
            {source: 'season-2/making-of.webm', access: 'locked', gate: 'pledge'},
            {source: 'booklet.pdf', access: 'locked', gate: 'pay'},
        ],
        gates: {
            email: {doubleOptIn: true},
            pay: {minimum: 300, suggested: 800, currency: 'EUR'},
            pledge: {
                campaignId,
                ...(pledge.goalBackers ? {goalBackers: pledge.goalBackers} : {}),
                ...(pledge.goalAmount ? {goalAmount: pledge.goalAmount} : {}),
                deadline: utcSeconds(new Date(now + 30 * day)),
                tiers: pledge.tiers ?? pledgeTiers,
                currency: 'EUR',
                expectedDelivery: utcSeconds(new Date(now + 120 * day)).slice(0, 10),
                ifGoalMissed: 'Rien n’est prélevé et chaque contributeur reçoit une quittance signée. / ' +
                    'Nothing is charged, and every backer receives a signed release.',
            },
        },
    };
    if (trackers.length > 0) {
        spec.trackers = trackers;
    }
    if (webSeeds.length > 0) {
        spec.webSeeds = webSeeds;
    }
    return spec;
}

// The landing page's bundle markup, as the extension's content script reads it.
export function landingMarkup(html) {
    const m = /<script type="application\/sluice-bundle\+json">([^<]*)<\/script>/.exec(html);
    return m ? JSON.parse(m[1]) : null;
}

function parseMail(text, file) {
    const [head, ...rest] = text.split(/\r?\n\r?\n/);
    const header = (name) => new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(head)?.[1] ?? '';
    const body = rest.join('\n\n');
    return {file, to: header('To'), subject: header('Subject'), body, code: /\b(\d{6})\b/.exec(body)?.[1] ?? null};
}

// Starts the gate and reads its URL, the first line of its stdout.
function startGate(binary, args, errFile, env = {}) {
    const err = openSync(errFile, 'a');
    const child = spawn(binary, args, {stdio: ['ignore', 'pipe', err], env: {...process.env, ...env}});
    closeSync(err);
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    const url = new Promise((resolve, reject) => {
        const lines = createInterface({input: child.stdout});
        lines.once('line', (line) => resolve(line.trim()));
        exited.then((code) => reject(new Error(`sluice-gate serve exited (${code}): ${readFileSync(errFile, 'utf8')}`)));
    });
    return {child, exited, url};
}

async function stopChild(child, exited, {signal = 'SIGTERM', graceMs = 10000} = {}) {
    if (child.exitCode !== null || child.signalCode !== null) {
        return exited;
    }
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
}

// Options: `pledge` {goalBackers?, goalAmount?, tiers? (default pledgeTiers)} (tests use goalBackers 1 so that
// one pledge funds the campaign); `tracker` and `webSeed` (default true) put this world's tracker and web seed
// into the bundle, so that a host that knows only the landing page's magnet finds the data; `gatePort`
// (default: a free one); `mediaDir` (default dir/media); `onMail(mail)` hears each mail the gate sends;
// `log(line)` the progress; `gateEnv` more of the gate's environment.
export async function startWorld({dir, bin = defaultBinaries(), log = () => {}, pledge = {goalBackers: 1},
    tracker = true, webSeed = true, gatePort = 0, mediaDir = join(dir, 'media'), onMail = () => {}, gateEnv = {},
    chargeOptions = ['--charge-retry-interval', '1m', '--grace-period', '1h']}) {
    const paths = {
        dir, media: mediaDir, keys: join(dir, 'keys'), out: join(dir, 'out'), gate: join(dir, 'gate'),
        mail: join(dir, 'mail'), seed: join(dir, 'seed'), logs: join(dir, 'logs'),
    };
    for (const fresh of ['out', 'gate', 'mail', 'seed', 'logs']) {
        rmSync(paths[fresh], {recursive: true, force: true});
    }
    for (const folder of Object.values(paths)) {
        mkdirSync(folder, {recursive: true});
    }
    const stateFile = join(dir, 'state.json');
    const version = (existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')).version : 0) + 1;
    writeFileSync(stateFile, JSON.stringify({version}, null, 4));

    const stops = [];
    let stopped = null;
    const stop = () => {
        stopped ??= (async () => {
            for (const step of stops.reverse()) {
                await step().catch((error) => log(`while stopping: ${error.message}`));
            }
        })();
        return stopped;
    };

    try {
        log('making the media');
        await makeMedia(paths.media, log);

        const keyFile = (name) => join(paths.keys, `${name}.key`);
        for (const name of ['publisher', 'gate', 'translator']) {
            if (!existsSync(keyFile(name))) {
                await tool(bin.bundle, ['keygen', '--out', keyFile(name), '--quiet']);
            }
        }
        const gateKey = JSON.parse(readFileSync(keyFile('gate'), 'utf8')).publicKey;
        // Viewers' translations are approved on the gate's machine with a key of their own, not the publisher's.
        const translationKey = JSON.parse(readFileSync(keyFile('translator'), 'utf8')).publicKey;

        const adminToken = randomBytes(24).toString('hex');
        writeFileSync(join(paths.gate, 'admin.token'), adminToken, {mode: 0o600});

        const port = gatePort || await freePort();
        const gateUrl = `http://127.0.0.1:${port}/`;
        // The payment provider: a FAKE Stripe on loopback, reached by the gate's real Stripe adapter with a
        // test key and signing its webhooks with the endpoint's secret, as Stripe would.
        const payments = await startFakeStripe({webhookUrl: `${gateUrl}v1/payments/webhook`,
            log: (line) => log(`fake provider: ${line}`)});
        stops.push(() => payments.close());
        writeFileSync(join(paths.gate, 'stripe.key'), payments.secretKey, {mode: 0o600});
        writeFileSync(join(paths.gate, 'stripe-webhook.secret'), payments.webhookSecret, {mode: 0o600});
        const swarm = await startLocalSwarm({folder: paths.out});
        stops.push(() => swarm.close());
        // The tracker is a real one (opentracker), started once the bundle's hashes are known; its address
        // goes into the bundle before.
        const trackerPort = await freePort();
        const trackerUrl = `http://127.0.0.1:${trackerPort}/announce`;

        log(`making bundle ${bundleId} version ${version}`);
        const spec = makeSpec({version, gateUrl, gateKey, translationKey, pledge, trackers: tracker ? [trackerUrl] : [],
            webSeeds: webSeed ? [swarm.webSeed] : []});
        const specFile = join(dir, 'spec.json');
        writeFileSync(specFile, `${JSON.stringify(spec, null, 4)}\n`);
        await tool(bin.bundle, ['create', specFile, '--key', keyFile('publisher'), '--source', paths.media,
            '--out', paths.out, '--quiet']);
        const bundleFolder = join(paths.out, bundleId);
        const torrentFile = join(paths.out, `${bundleId}.torrent`);
        const gateData = join(paths.gate, 'data');
        await tool(bin.gate, ['import', '--data', gateData, '--gate-key', keyFile('gate'), bundleFolder,
            join(paths.out, `${bundleId}.keys.json`), '--torrent', torrentFile]);
        const hashes = (await tool(bin.gate, ['tracker-whitelist', '--data', gateData])).split('\n').filter(Boolean);
        log(`starting opentracker on ${trackerUrl}`);
        const opentracker = spawnOpentracker({folder: join(dir, 'tracker'), port: trackerPort, hashes, log});
        stops.push(() => stopChild(opentracker.child, opentracker.exited, {graceMs: 5000}));
        await until(async () => {
            if (opentracker.child.exitCode !== null) {
                throw new Error(`opentracker exited (${opentracker.child.exitCode})`);
            }
            return opentracker.answers();
        }, {timeoutMs: 10000, what: `opentracker to answer on ${trackerUrl}`}).catch((error) => {
            throw new Error(`${error.message}\n${opentracker.output()}`);
        });

        // Each mail lands whole: written under a hidden name, then renamed to <nanoseconds>-<pid>.eml.
        const mailDir = shellQuote(paths.mail);
        const mailCommand = `f=$(mktemp ${mailDir}/.incoming-XXXXXX) && cat > "$f" && ` +
            `mv "$f" ${mailDir}/"$(date +%s%N)-$$.eml"`;
        const gate = startGate(bin.gate, ['serve', '--data', gateData, '--listen', `127.0.0.1:${port}`,
            '--gate-key', keyFile('gate'), '--public-url', gateUrl, '--mail-command', mailCommand,
            '--stripe-api', payments.base, '--stripe-key-file', join(paths.gate, 'stripe.key'),
            '--stripe-webhook-secret-file', join(paths.gate, 'stripe-webhook.secret'),
            '--admin-token-file', join(paths.gate, 'admin.token'), '--translation-key', keyFile('translator'),
            '--tracker', trackerUrl, '--tracker-every', '10s',
            ...chargeOptions], join(paths.logs, 'gate.log'), gateEnv);
        stops.push(() => stopChild(gate.child, gate.exited));
        const served = await gate.url;
        if (served !== gateUrl) {
            throw new Error(`sluice-gate serves ${served}, not ${gateUrl}`);
        }

        const mails = [];
        const seen = new Set();
        let taken = 0;
        const readMail = () => {
            for (const name of readdirSync(paths.mail).filter((n) => n.endsWith('.eml')).sort()) {
                if (!seen.has(name)) {
                    seen.add(name);
                    const mail = parseMail(readFileSync(join(paths.mail, name), 'utf8'), join(paths.mail, name));
                    mails.push(mail);
                    onMail(mail);
                }
            }
        };
        const mailTimer = setInterval(readMail, 200);
        stops.push(async () => clearInterval(mailTimer));

        log('starting the seeding host');
        const seedHost = await startHost({binary: bin.host, folder: paths.seed});
        stops.push(() => seedHost.stop());
        const added = await seedHost.call('torrent.add', {uri: torrentFile, savePath: paths.out});
        if (!added.result) {
            throw new Error(`the seed refused the torrent: ${JSON.stringify(added.error)}`);
        }
        const infoHash = added.result.infoHash;
        await until(async () => {
            const list = await seedHost.call('torrent.list');
            return list.result?.torrents.find((t) => t.infoHash === infoHash)?.state === 'seeding';
        }, {timeoutMs: 60000, what: 'the seed to check the bundle and seed it'});
        if (tracker) {
            // A viewer's host that announced before the seed would hear of it only at its next announce,
            // opentracker's half hour later: the world is ready once the tracker lists the seed.
            await until(async () => {
                for (const h of hashes) {
                    if ((await opentracker.scrape(h))?.complete > 0) {
                        return true;
                    }
                }
                return false;
            }, {timeoutMs: 30000, what: 'the tracker to list the seed'});
        }
        const peerPort = (await seedHost.call('settings.get')).result.peerPort;
        const seedPeer = `127.0.0.1:${peerPort}`;

        const landingUrl = `${gateUrl}b/${bundleId}`;
        const landing = await fetch(landingUrl);
        const markup = landing.ok ? landingMarkup(await landing.text()) : null;
        if (!markup?.magnet) {
            throw new Error(`the landing page ${landingUrl} carries no magnet (HTTP ${landing.status})`);
        }
        const magnet = markup.magnet;
        const magnetWithPeer = /[?&]x\.pe=/.test(magnet) ? magnet : `${magnet}&x.pe=${seedPeer}`;
        log(`seeding ${infoHash} on ${seedPeer}`);

        return {
            landingUrl, gateUrl, magnet, magnetWithPeer, infoHash, bundleId, campaignId, seedPeer, version,
            checkoutBase: payments.base, payments, tracker: tracker ? trackerUrl : null, webSeed: webSeed ? swarm.webSeed : null,
            adminToken,
            paths: {...paths, bundleFolder, torrentFile, spec: specFile, gateData, translationKey: keyFile('translator')},
            seedHost,
            // For checking that nothing is left once stopped; the seed's owner is no child of ours.
            processes: {gate: gate.child.pid, seedRelay: seedHost.client.child.pid, seedOwner: seedHost.ownerPid},
            mails,
            // The code of the next mail not yet taken (mails are taken in the order they arrived).
            async nextMailCode({timeoutMs = 20000} = {}) {
                const mail = await until(() => {
                    readMail();
                    return mails[taken];
                }, {timeoutMs, everyMs: 100, what: 'a mail from the gate'});
                taken += 1;
                return mail.code;
            },
            // Closes the campaign now, as the publisher would: funded if its goal is met, else failed.
            async closeCampaign() {
                const reply = await fetch(`${gateUrl}v1/admin/campaigns/${campaignId}/close`, {
                    method: 'POST', headers: {Authorization: `Bearer ${adminToken}`},
                });
                if (!reply.ok) {
                    throw new Error(`closing ${campaignId}: HTTP ${reply.status} ${await reply.text()}`);
                }
                return reply.json();
            },
            // The bundle's figures as the creator reads them (`sluice-gate stats --bundle`): its views and its
            // swarm.
            async views() {
                const reply = await fetch(`${gateUrl}v1/admin/stats/bundles/${bundleId}`, {
                    headers: {Authorization: `Bearer ${adminToken}`},
                });
                if (!reply.ok) {
                    throw new Error(`the views of ${bundleId}: HTTP ${reply.status} ${await reply.text()}`);
                }
                return reply.json();
            },
            // The campaign's money as the creator reads it (`sluice-gate campaign --ledger yes`), tier by tier.
            async ledger() {
                const reply = await fetch(`${gateUrl}v1/admin/campaigns/${campaignId}/ledger`, {
                    headers: {Authorization: `Bearer ${adminToken}`},
                });
                if (!reply.ok) {
                    throw new Error(`the ledger of ${campaignId}: HTTP ${reply.status} ${await reply.text()}`);
                }
                return reply.json();
            },
            // Posts an update to the campaign's backers, as the creator would (`sluice-gate update`).
            async postUpdate(title, text) {
                const reply = await fetch(`${gateUrl}v1/admin/campaigns/${campaignId}/updates`, {
                    method: 'POST',
                    headers: {'Authorization': `Bearer ${adminToken}`, 'Content-Type': 'application/json'},
                    body: JSON.stringify({title, text}),
                });
                if (!reply.ok) {
                    throw new Error(`posting an update to ${campaignId}: HTTP ${reply.status} ${await reply.text()}`);
                }
                return reply.json();
            },
            // What the backer does on the provider's page (its form, without a browser): pays or saves a card.
            // `checkoutUrl` is the page the gate answered; `card` one of the fake's test cards.
            completeCheckout: (checkoutUrl, card = '4242424242424242') =>
                payments.complete(new URL(checkoutUrl).pathname.split('/').pop(), card),
            stop,
        };
    } catch (error) {
        await stop();
        throw error;
    }
}
