// Firefox ESR runs the same extension tree: headless, its background reaches the host through the manifest
// under $HOME/.mozilla, and the toolbar popup lists a torrent the session holds.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, mkdirSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {randomBytes} from 'node:crypto';
import {NativeClient} from '../../demo/lib/native_client.mjs';
import {waitForExit} from '../../demo/lib/world.mjs';
import {launchFirefox, firefoxExtensionUuid} from './support/firefox.mjs';
import {hostBinary, makeHostHome} from './support/host_home.mjs';
import {until} from './support/until.mjs';

const origin = `moz-extension://${firefoxExtensionUuid}`;

test('Firefox ESR: the extension reaches the host and its popup lists a torrent', {timeout: 120000}, async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sluice-firefox-'));
    const home = makeHostHome(folder);
    // The session's owner: a host the test starts first; the one Firefox starts attaches to it.
    const seeds = join(folder, 'seeds');
    mkdirSync(seeds);
    writeFileSync(join(seeds, 'ferry-crossing.webm'), randomBytes(3 * 1024 * 1024));
    execFileSync('mktorrent', ['-l', '16', '-o', join(folder, 'ferry.torrent'), join(seeds, 'ferry-crossing.webm')],
        {stdio: 'ignore'});
    const owner = new NativeClient(hostBinary, {args: ['chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk/'],
        env: home.env});
    let firefox;
    let ownerPid = null;
    try {
        ownerPid = (await owner.call('host.hello', {protocolVersion: 1})).result.instance.pid;
        const added = await owner.call('torrent.add', {uri: join(folder, 'ferry.torrent'), savePath: seeds});
        assert.ok(added.result, JSON.stringify(added));
        home.install('firefox');
        firefox = await launchFirefox({folder, env: home.env});
        const {session} = firefox;
        // A web-accessible page is the one extension page a fresh tab may open; from there the extension's own
        // pages are reachable, as they are for a person clicking the toolbar button.
        const [tab] = await session.contexts();
        await session.evaluate(tab.context, `(location.href = '${origin}/player/player.html', true)`);
        await until(async () => (await session.contexts()).some((c) => c.url.startsWith(origin)), 15000);
        await session.evaluate(tab.context, `(location.href = '${origin}/popup/popup.html', true)`);
        await until(async () => (await session.contexts()).some((c) => c.url === `${origin}/popup/popup.html`),
            15000);

        const state = await until(async () => {
            const s = await session.evaluate(tab.context, 'browser.runtime.sendMessage({intent: "state.get"})');
            return s?.ok && s.result.host.status === 'ready' && s.result.torrents.length > 0 ? s : null;
        }, 30000);
        assert.equal(state.result.torrents[0].infoHash, added.result.infoHash);
        assert.equal(state.result.torrents[0].name, 'ferry-crossing.webm');
        await until(() => session.evaluate(tab.context, 'document.body.innerText.includes("ferry-crossing.webm")'),
            15000);

        // The host saw a Firefox client: the session now counts two.
        const hello = await owner.call('host.hello', {protocolVersion: 1});
        assert.ok(hello.result.instance.clients >= 2, JSON.stringify(hello.result.instance));
    } finally {
        await firefox?.stop();
        await owner.close();
        // The session owner outlives its last client by a moment (it saves resume data): let it finish.
        if (ownerPid) {
            await waitForExit(ownerPid);
        }
        rmSync(folder, {recursive: true, force: true, maxRetries: 20, retryDelay: 250});
    }
});
