// The demo's world, started as the end-to-end tests start it: its landing page carries the bundle markup,
// a second real sluice-host gets the bundle from the world's seed through the magnet, and an email unlock
// with the code the gate mailed opens the episode. Then nothing the world started is left running.
// SLUICE_HOST_BIN, SLUICE_BUNDLE_BIN and SLUICE_GATE_BIN name the binaries (default: the dev build's).
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {defaultBinaries, landingMarkup, startHost, startWorld, until} from '../../demo/lib/world.mjs';
import {chromeExtensionId, firefoxAddonId, installHost} from '../../demo/lib/host_install.mjs';

const bin = defaultBinaries();

function alive(pid) {
    try {
        process.kill(pid, 0);
    } catch {
        return false;
    }
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z');
}

function children() {
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], {encoding: 'utf8'})
        .split('\n').map((l) => l.trim()).filter((l) => l && !/\bps$/.test(l));
}

test('the world serves, seeds and unlocks les-veilleurs, and stops cleanly', {timeout: 90000}, async () => {
    for (const binary of Object.values(bin)) {
        assert.ok(existsSync(binary), `${binary} is not built`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'sluice-world-'));
    let world;
    let viewer;
    try {
        // No tracker and no web seed: the viewer can only get the data from the seed named in the magnet.
        world = await startWorld({dir, bin, tracker: false, webSeed: false, pledge: {goalBackers: 1}});

        const page = await fetch(world.landingUrl);
        assert.equal(page.status, 200);
        const html = await page.text();
        const markup = landingMarkup(html);
        assert.equal(markup.bundleId, 'les-veilleurs');
        assert.equal(markup.gateUrl, world.gateUrl);
        assert.equal(markup.magnet, world.magnet);
        assert.match(world.magnet, new RegExp(`^magnet:\\?xt=urn:btih:${world.infoHash}`));
        assert.ok(html.includes('<link rel="sluice-bundle"'), 'no <link rel="sluice-bundle">');
        assert.equal(world.magnetWithPeer, `${world.magnet}&x.pe=${world.seedPeer}`);

        const campaign = await (await fetch(`${world.gateUrl}v1/campaigns/${world.campaignId}`)).json();
        assert.equal(campaign.goalBackers, 1);
        assert.equal(campaign.state, 'open');

        // Payments are followed every gatePollSeconds: one second keeps the test short.
        viewer = await startHost({binary: bin.host, folder: join(dir, 'viewer'), config: {gatePollSeconds: 1}});
        const added = await viewer.call('torrent.add', {uri: world.magnetWithPeer});
        assert.equal(added.result?.infoHash, world.infoHash, JSON.stringify(added));
        const bundle = await until(async () => {
            const reply = await viewer.call('bundle.get', {infoHash: world.infoHash});
            return reply.result?.status === 'verified' ? reply.result : null;
        }, {timeoutMs: 30000, what: 'the viewer to verify the bundle'});
        assert.equal(bundle.bundleId, 'les-veilleurs');
        assert.deepEqual(bundle.items.map((i) => [i.path, i.access, i.gate ?? null]), [
            ['pilot.webm', 'free', null],
            ['episode-1.webm.locked', 'locked', 'email'],
            ['season-2/episode-2.webm.locked', 'locked', 'pledge'],
            ['season-2/making-of.webm.locked', 'locked', 'pledge'],
            ['booklet.pdf.locked', 'locked', 'pay'],
        ]);
        assert.deepEqual(bundle.items[0].subtitles.map((s) => s.lang), ['fr', 'en']);
        assert.equal(bundle.gates.pay.currency, 'EUR');
        assert.deepEqual(bundle.gates.pledge.tiers.map((t) => [t.id, t.price, t.limit ?? null, t.items]), [
            ['season', 1500, null, ['season-2/episode-2.webm.locked']],
            ['collector', 4000, 100, ['season-2/episode-2.webm.locked', 'season-2/making-of.webm.locked']],
        ]);

        const asked = await viewer.call('bundle.unlock', {infoHash: world.infoHash, gate: 'email',
            email: 'ada@example.org'});
        assert.equal(asked.result?.status, 'confirmationSent', JSON.stringify(asked));
        const code = await world.nextMailCode();
        assert.match(code, /^\d{6}$/);
        const confirmed = await viewer.call('bundle.confirmEmail', {infoHash: world.infoHash,
            requestId: asked.result.requestId, code});
        assert.equal(confirmed.result?.status, 'unlocked', JSON.stringify(confirmed));
        assert.deepEqual(confirmed.result.items, ['episode-1.webm.locked']);
        const after = await viewer.call('bundle.get', {infoHash: world.infoHash});
        assert.equal(after.result.items.find((i) => i.path === 'episode-1.webm.locked').unlocked, true);

        // Pay what you want: the gate's Stripe adapter opens a checkout at the fake provider, whose page
        // shows the amount; a test card pays, and the provider's signed webhook, which the real gate must
        // accept, lets the host receive the booklet's token.
        const pay = await viewer.call('bundle.unlock', {infoHash: world.infoHash, gate: 'pay', amount: 500});
        assert.equal(pay.result?.status, 'checkout', JSON.stringify(pay));
        assert.ok(pay.result.checkoutUrl.startsWith(`${world.checkoutBase}pay/cs_test_`), pay.result.checkoutUrl);
        const checkout = await (await fetch(pay.result.checkoutUrl)).text();
        assert.ok(checkout.includes('FAKE payment provider'), 'the page must say it is a fake');
        assert.ok(checkout.includes('€5.00'), 'the checkout page does not show the amount');
        const declined = await world.completeCheckout(pay.result.checkoutUrl, '4000000000000002');
        assert.equal(declined.status, 'declined', JSON.stringify(declined));
        const paid = await world.completeCheckout(pay.result.checkoutUrl);
        assert.equal(paid.status, 'complete', JSON.stringify(paid));
        await until(async () => {
            const reply = await viewer.call('bundle.get', {infoHash: world.infoHash});
            return reply.result.items.find((i) => i.path === 'booklet.pdf.locked').unlocked;
        }, {timeoutMs: 15000, what: 'the booklet to be unlocked after the payment'});

        // The creator's update to the backers, posted through the gate's admin API, reaches the host as posted.
        const posted = await world.postUpdate('Tournage', 'Jour un : le fleuve.\nJour deux : les toits.');
        assert.match(posted.id, /^[A-Za-z0-9_-]{22}$/);
        const progress = await viewer.call('bundle.campaign', {infoHash: world.infoHash});
        assert.deepEqual(progress.result?.campaign.updates, [{id: posted.id, title: 'Tournage',
            text: 'Jour un : le fleuve.\nJour deux : les toits.', postedAt: posted.postedAt}], JSON.stringify(progress));
    } finally {
        await viewer?.stop();
        await world?.stop();
        rmSync(dir, {recursive: true, force: true});
    }
    for (const [name, pid] of Object.entries(world.processes)) {
        assert.equal(alive(pid), false, `${name} (${pid}) is still running`);
    }
    assert.equal(alive(viewer.ownerPid), false, 'the viewer host is still running');
    assert.deepEqual(children(), []);
});

// A viewer's session that ended without telling the tracker (a kill, a crash, a closed laptop) stays in its
// list for a while, on the same address as the seed when both are on one machine (or behind one NAT). The
// next session must still get the bundle from the magnet alone, with the host's own peer settings (uTP on).
test('a fresh session gets the magnet while an earlier session is a stale peer on the same address',
    {timeout: 120000}, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'sluice-stale-'));
        const session = {dht: false, lsd: false, upnp: false, natpmp: false, utp: true,
            listenInterfaces: '127.0.0.1:0'};
        let world;
        let first;
        let second;
        const metadata = (host) => until(async () => {
            const reply = await host.call('torrent.files', {infoHash: world.infoHash});
            return reply.result && !reply.result.metadataPending;
        }, {timeoutMs: 20000, what: 'the torrent\'s metadata'});
        try {
            world = await startWorld({dir, bin, webSeed: false, pledge: {goalBackers: 1}});
            first = await startHost({binary: bin.host, folder: join(dir, 'first'), config: {session}});
            assert.ok((await first.call('torrent.add', {uri: world.magnet})).result);
            await metadata(first);
            const firstPort = (await first.call('settings.get')).result.peerPort;
            process.kill(first.ownerPid, 'SIGKILL');
            first.client.child.kill('SIGKILL');
            await first.stop();

            second = await startHost({binary: bin.host, folder: join(dir, 'second'), config: {session}});
            const started = Date.now();
            assert.ok((await second.call('torrent.add', {uri: world.magnet})).result);
            await metadata(second);
            const list = (await second.call('torrent.list')).result.torrents;
            const {sources} = list.find((t) => t.infoHash === world.infoHash);
            assert.equal(sources.trackersTotal, 1, JSON.stringify(sources));
            // Listed while the torrent still fetches something (it may already have all it wants).
            for (const tracker of sources.trackers) {
                assert.deepEqual([tracker.url, tracker.status], [world.tracker, 'working'], JSON.stringify(tracker));
            }
            console.log(`metadata ${Date.now() - started} ms after torrent.add, with the dead peer ` +
                `127.0.0.1:${firstPort} listed beside the seed ${world.seedPeer}`);
        } finally {
            await second?.stop();
            await world?.stop();
            rmSync(dir, {recursive: true, force: true});
        }
    });

test('the demo registers the host with sluice-host install, naming only our extension', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-manifest-'));
    try {
        const env = {...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, '.config'),
            XDG_DATA_HOME: join(dir, '.local/share')};
        const r = installHost(bin.host, {env, browsers: ['chromium']});
        assert.ok(r.ok, r.error);
        const file = join(dir, '.config/chromium/NativeMessagingHosts/org.sluice.host.json');
        assert.deepEqual(r.lines, [`registered for Chromium: ${file}`]);
        assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
            name: 'org.sluice.host', description: 'Sluice: BitTorrent streaming and bundle unlocks',
            path: execFileSync('realpath', [bin.host], {encoding: 'utf8'}).trim(), type: 'stdio',
            allowed_origins: [`chrome-extension://${chromeExtensionId}/`],
        });
        // The ids must be the ones the host's caller check accepts, or the browser's host refuses to serve.
        const check = readFileSync(new URL('../../protocol/src/sluice/protocol/extension_ids.hpp',
            import.meta.url), 'utf8');
        assert.ok(check.includes(`chrome_extension_id = "${chromeExtensionId}"`));
        assert.ok(check.includes(`firefox_addon_id = "${firefoxAddonId}"`));
    } finally {
        rmSync(dir, {recursive: true, force: true});
    }
});
