// What a creator sees, from a whole world: the landing page's gate, opentracker, and three real hosts (the
// world's seed, and two viewers who download the bundle from it). Visitors view the landing page over three
// days (the gate's clock is moved back with libfaketime for the first two); the viewers' downloads are what
// opentracker's scrape counts; one viewer lets plays be reported and the other does not; one unlocks by email,
// the other pledges and is charged when the campaign is funded. The admin API's JSON and the dashboard's
// pages, in Chromium, must show exactly those numbers; the gate's database must name no one. Screenshots of
// each page go to build/test-output/e2e.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {chromium} from 'playwright-core';
import {startHost, startWorld} from '../../demo/lib/world.mjs';
import {until} from './support/until.mjs';

const root = new URL('../../', import.meta.url).pathname;
const screenshots = join(root, 'build/test-output/e2e');
const chromiumBinary = process.env.CHROMIUM_BIN ?? '/usr/lib/chromium/chromium';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const EDGE = `${CHROME} Edg/130.0.0.0`;

// The gate's clock, `days` before the real one: libfaketime reads the file at each call.
function gateClock(folder) {
    const file = join(folder, 'gate-clock');
    const set = (days) => writeFileSync(file, days === 0 ? '+0\n' : `-${days}d\n`);
    set(2);
    return {
        set,
        env: {LD_PRELOAD: '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', FAKETIME_TIMESTAMP_FILE: file,
            FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1'},
    };
}

const isoDay = (daysAgo) => new Date(Date.now() - daysAgo * 86400000).toISOString().slice(0, 10);

// A view as the landing page's script sends it, from a visitor's browser.
async function view(world, userAgent, {returning = false, referrer = ''} = {}) {
    const reply = await fetch(`${world.gateUrl}v1/bundles/${world.bundleId}/views`, {
        method: 'POST', headers: {'Content-Type': 'application/json', 'User-Agent': userAgent},
        body: JSON.stringify({returning, referrer}),
    });
    assert.equal(reply.status, 204);
}

async function call(host, method, params) {
    const reply = await host.call(method, params);
    if (!reply.result) {
        throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
    }
    return reply.result;
}

// A viewer's host that downloads the whole bundle from the world's swarm.
async function viewer(world, folder) {
    const host = await startHost({folder, config: {gatePollSeconds: 1, playReportDelaySeconds: 1}});
    await call(host, 'torrent.add', {uri: world.magnetWithPeer});
    await until(async () => (await call(host, 'torrent.list')).torrents
        .find((t) => t.infoHash === world.infoHash)?.state === 'seeding', 120000);
    await until(async () => (await call(host, 'bundle.get', {infoHash: world.infoHash})).status === 'verified', 30000);
    return host;
}

// The text of each row of the table `id` on the dashboard page.
const tableRows = (page, id) => page.$$eval(`#${id} tbody tr`, (rows) =>
    rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));

test('Chromium: the dashboard shows exactly the views, downloads, plays, unlocks and pledges of a world',
    {timeout: 420000}, async () => {
        mkdirSync(screenshots, {recursive: true});
        const folder = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
        const clock = gateClock(folder);
        const world = await startWorld({dir: join(folder, 'world'), gateEnv: clock.env});
        const hosts = [];
        let browser;
        try {
            // Day 1 (two days ago): A twice, from a link on example.org and then directly, B, C from a news
            // site; a crawler is no visitor.
            await view(world, FIREFOX, {referrer: 'https://www.example.org/post/42?ref=me'});
            await view(world, FIREFOX);
            await view(world, CHROME);
            await view(world, SAFARI, {referrer: 'https://news.example.com/story'});
            await view(world, 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)');
            // Day 2: A comes back (its page remembers day 1), D is new.
            clock.set(1);
            await view(world, FIREFOX, {returning: true});
            await view(world, EDGE);
            // Day 3, today: the viewers.
            clock.set(0);
            const yes = await viewer(world, join(folder, 'yes'));
            hosts.push(yes);
            const no = await viewer(world, join(folder, 'no'));
            hosts.push(no);

            // Plays: the viewer who said yes has them counted and sent; the one who said no has none.
            assert.equal((await call(yes, 'settings.set', {reportPlays: true})).reportPlays, true);
            assert.equal((await call(no, 'settings.set', {reportPlays: false})).reportPlays, false);
            for (const [path, event] of [['pilot.webm', 'started'], ['pilot.webm', 'finished'],
                ['pilot.webm', 'started'], ['episode-1.webm.locked', 'started']]) {
                assert.deepEqual(await call(yes, 'bundle.played', {infoHash: world.infoHash, path, event}),
                    {counted: true});
                assert.deepEqual(await call(no, 'bundle.played', {infoHash: world.infoHash, path, event}),
                    {counted: false});
            }

            // Unlocks: by email on one host; a pledge on the other, charged once the campaign is funded.
            const asked = await call(yes, 'bundle.unlock', {infoHash: world.infoHash, gate: 'email',
                email: 'viewer@example.org'});
            await call(yes, 'bundle.confirmEmail', {infoHash: world.infoHash, requestId: asked.requestId,
                code: await world.nextMailCode()});
            const pledged = await call(no, 'bundle.pledge', {infoHash: world.infoHash, tier: 'season'});
            await world.completeCheckout(pledged.checkoutUrl);
            const pledgeState = async () => (await call(no, 'bundle.campaign', {infoHash: world.infoHash})).pledge?.state;
            await until(async () => await pledgeState() === 'confirmed', 60000);
            await world.closeCampaign();
            await until(async () => await pledgeState() === 'charged', 90000);

            // The figures, once the plays have come in and the tracker's scrape counted both downloads.
            const today = isoDay(0);
            const figures = await until(async () => {
                const f = await world.views();
                const row = f.funnel.find((d) => d.day === today);
                return row?.downloads === 2 && row.plays.started === 3 && row.unlocks.pledge === 1 ? f : null;
            }, 90000);
            assert.deepEqual(figures.days, [
                {day: isoDay(2), views: 4, visitors: 3, returning: 0},
                {day: isoDay(1), views: 2, visitors: 2, returning: 1},
            ]);
            assert.deepEqual(figures.referrers, [{site: 'example.org', views: 1}, {site: 'news.example.com', views: 1}]);
            assert.deepEqual(figures.totals, {views: 6, visitorDays: 5, returning: 1, plays: {started: 3, finished: 1}});
            const byDay = Object.fromEntries(figures.funnel.map((d) => [d.day, d]));
            assert.equal(byDay[isoDay(2)].views, 4);
            assert.equal(byDay[isoDay(1)].views, 2);
            assert.deepEqual(byDay[today], {day: today, views: 0, downloads: 2, plays: {started: 3, finished: 1},
                unlocks: {email: 1, payment: 0, pledge: 1}, pledges: 1, charged: 1});
            assert.equal(figures.funnel.reduce((n, d) => n + d.downloads, 0), 2);
            assert.deepEqual(figures.versions, [{version: world.version, downloads: 2,
                plays: {started: 3, finished: 1}}]);
            assert.ok(figures.swarm.some((r) => r.day === today && r.seeds === 3 && r.downloaded === 2),
                JSON.stringify(figures.swarm));

            // Nothing the gate keeps names a viewer: no address, no User-Agent, no referrer's path, no cookie;
            // plays are counts with no device key beside them.
            const dump = execFileSync('sqlite3', [join(world.paths.gate, 'data', 'gate.db'), '.dump'],
                {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024});
            for (const named of ['Mozilla', 'Firefox', 'Googlebot', '/post/42', 'ref=me', 'story',
                Buffer.from(world.adminToken).toString('hex')]) {
                assert.ok(!dump.includes(named), named);
            }
            // Every viewer came from 127.0.0.1, which the gate's own URLs (its bundle's manifest, the provider's
            // pages) hold too: the rows of what viewers did must not.
            const counted = dump.split('\n').filter((line) => /^INSERT INTO (view_|play_|swarm_)/.test(line));
            assert.ok(counted.length >= 7, `${counted.length} rows`);
            assert.ok(counted.every((line) => !line.includes('127.0.0.1')));
            const plays = execFileSync('sqlite3', [join(world.paths.gate, 'data', 'gate.db'),
                'SELECT name FROM pragma_table_info(\'play_days\')'], {encoding: 'utf8'}).trim().split('\n');
            assert.deepEqual(plays, ['bundle_id', 'version', 'day', 'item', 'event', 'plays']);

            // The dashboard, in Chromium: the login page, then each page with the same numbers, drawn.
            browser = await chromium.launch({executablePath: chromiumBinary, headless: true,
                args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking']});
            const page = await browser.newPage({viewport: {width: 1200, height: 900}});
            const problems = [];
            page.on('pageerror', (error) => problems.push(error.message));
            // A wrong token's 401 and the browser's own /favicon.ico are resources that failed: not the page's.
            page.on('console', (message) => message.type() === 'error' &&
                !message.text().startsWith('Failed to load resource') && problems.push(message.text()));
            await page.goto(`${world.gateUrl}admin/`);
            assert.equal(page.url(), `${world.gateUrl}admin/login`);
            await page.screenshot({path: join(screenshots, 'dashboard-login.png')});
            await page.fill('#token', 'not-the-token');
            await page.click('button[type="submit"]');
            assert.match(await page.textContent('.error'), /not this gate's admin token/);
            await page.fill('#token', world.adminToken);
            await Promise.all([page.waitForURL(`${world.gateUrl}admin/`), page.click('button[type="submit"]')]);
            assert.deepEqual(await tableRows(page, 'bundles'), [[world.bundleId, String(world.version), '6', '5', '2']]);
            assert.deepEqual(await tableRows(page, 'campaigns'), [[world.campaignId, 'funded', '1', '1500']]);
            await page.screenshot({path: join(screenshots, 'dashboard-overview.png'), fullPage: true});

            await page.click(`a[href="bundles/${world.bundleId}"]`);
            await page.waitForSelector('#chart-funnel[data-drawn="true"]');
            for (const chart of ['chart-views', 'chart-funnel-days', 'chart-swarm']) {
                assert.equal(await page.getAttribute(`#${chart}`, 'data-drawn'), 'true', chart);
                assert.equal(await page.locator(`#${chart} canvas`).count(), 1, chart);
            }
            const funnel = await tableRows(page, 'funnel');
            assert.deepEqual(funnel.find((r) => r[0] === today), [today, '0', '2', '3', '1', '1', '0', '1', '1', '1']);
            assert.deepEqual(funnel.find((r) => r[0] === isoDay(2)).slice(0, 2), [isoDay(2), '4']);
            assert.deepEqual(await tableRows(page, 'views'), [[isoDay(2), '4', '3', '0'], [isoDay(1), '2', '2', '1']]);
            assert.deepEqual(await tableRows(page, 'versions'), [[String(world.version), '2', '3', '1']]);
            assert.deepEqual(await tableRows(page, 'referrers'), [['example.org', '1'], ['news.example.com', '1']]);
            assert.deepEqual(await page.$$eval('#totals strong', (s) => s.map((n) => n.textContent)),
                ['6', '5', '1', '3', '1']);
            await page.screenshot({path: join(screenshots, 'dashboard-bundle.png'), fullPage: true});

            await page.goto(`${world.gateUrl}admin/campaigns/${world.campaignId}`);
            await page.waitForSelector('#chart-progress[data-drawn="true"]');
            // The line toward the goal starts from nothing on the first pledge's day.
            assert.deepEqual(await tableRows(page, 'progress'), [[today, '1', '1500', '1', '0', '—', 'true']]);
            await page.screenshot({path: join(screenshots, 'dashboard-campaign.png'), fullPage: true});
            assert.deepEqual(problems, []);
        } finally {
            await browser?.close();
            for (const host of hosts) {
                await host.stop();
            }
            await world.stop();
        }
    });
