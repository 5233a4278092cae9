// The background's native port, driven against the real sluice-host (started as Chromium starts it) and,
// for what the real host cannot be made to do on cue (a browser's own error texts, another protocol
// version), against a scripted port. SLUICE_HOST_BIN names the binary.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {HostPort} from '../../extension/background/host_port.js';
import {chromiumOrigin, hostPath, makeHostHome, nativeConnector} from './support/native_port.mjs';

function waitForStatus(port, wanted, timeoutMs = 10000) {
    if (port.status.status === wanted) {
        return Promise.resolve(port.status);
    }
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            off();
            reject(new Error(`status stayed ${port.status.status}, wanted ${wanted}`));
        }, timeoutMs);
        const off = port.onStatus((status) => {
            if (status.status === wanted) {
                clearTimeout(timer);
                off();
                resolve(status);
            }
        });
    });
}

function alive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

async function waitUntil(check, timeoutMs, what) {
    const end = Date.now() + timeoutMs;
    while (!check()) {
        if (Date.now() > end) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise((r) => setTimeout(r, 50));
    }
}

test('the real host: hello, a request, a timeout, a crash and the way back', async () => {
    assert.ok(existsSync(hostPath), `${hostPath} is not built`);
    const sandbox = makeHostHome();
    const children = [];
    const port = new HostPort({
        connectNative: nativeConnector({env: sandbox.env, children}),
        origin: chromiumOrigin, clientVersion: '0.1.0', backoff: {initialMs: 200, maxMs: 1000},
    });
    const statuses = [];
    port.onStatus((s) => statuses.push(s.status));
    let ownerPid;
    try {
        port.start();
        assert.equal(port.status.status, 'connecting');
        const ready = await waitForStatus(port, 'ready');
        assert.equal(ready.protocolVersion, 1);
        assert.match(ready.version, /^\d+\.\d+\.\d+/);
        assert.match(port.helloResult.streamBaseUrl, /^http:\/\/127\.0\.0\.1:\d+\/s\/[0-9a-f]{32}\/$/);
        ownerPid = port.helloResult.instance.pid;

        const settings = await port.request('settings.get');
        assert.ok(settings.downloadFolder.endsWith('/downloads'), settings.downloadFolder);
        await assert.rejects(port.request('torrent.files', {infoHash: 'a'.repeat(40)}),
            (e) => e.code === 1003 && e.message.length > 0);

        // A relay that stops reading answers nothing: the request times out, and the late answer is ignored.
        const relay = children.at(-1);
        relay.kill('SIGSTOP');
        await assert.rejects(port.request('torrent.list', {}, {timeoutMs: 300}), (e) => e.code === 2003);
        relay.kill('SIGCONT');
        assert.deepEqual(Object.keys(await port.request('torrent.list')), ['torrents']);
        assert.equal(port.status.status, 'ready');

        // Killed with a request in flight: the request fails at once, the status says crashed, then back.
        relay.kill('SIGSTOP');
        const inFlight = port.request('torrent.list', {}, {timeoutMs: 20000});
        const crashed = waitForStatus(port, 'crashed');
        relay.kill('SIGKILL');
        await assert.rejects(inFlight, (e) => e.code === 2002);
        assert.ok((await crashed).retryInSeconds >= 1);
        await waitForStatus(port, 'ready');
        assert.equal(children.length, 2);
        assert.deepEqual(statuses.slice(0, 5), ['connecting', 'ready', 'crashed', 'connecting', 'ready']);
        ownerPid = port.helloResult.instance.pid;
        assert.deepEqual(Object.keys(await port.request('torrent.list')), ['torrents']);
    } finally {
        port.stop();
        for (const child of children) {
            if (child.exitCode === null && child.signalCode === null) {
                await new Promise((resolve) => child.on('exit', resolve));
            }
        }
        // The owner leaves once its last relay is gone; it was started for this test, so it must not stay.
        if (ownerPid) {
            await waitUntil(() => !alive(ownerPid), 10000, 'the session owner to exit').catch((error) => {
                process.kill(ownerPid, 'SIGTERM');
                throw error;
            });
        }
        sandbox.remove();
    }
});

test('a missing host binary is not-installed, and requests say so', async () => {
    const sandbox = makeHostHome();
    const port = new HostPort({
        connectNative: nativeConnector({binary: '/nonexistent/sluice-host', env: sandbox.env}),
        origin: chromiumOrigin, backoff: {initialMs: 60000, maxMs: 60000},
    });
    try {
        port.start();
        const status = await waitForStatus(port, 'not-installed');
        assert.equal(status.retryInSeconds, 60);
        await assert.rejects(port.request('torrent.list'), (e) => e.code === 2001);
    } finally {
        port.stop();
        sandbox.remove();
    }
});

// A port whose other end the test plays: it records what was posted and answers by hand.
function scriptedPort() {
    const make = () => {
        const sets = {message: new Set(), disconnect: new Set()};
        const port = {
            posted: [],
            postMessage: (m) => port.posted.push(m),
            disconnect: () => { port.closed = true; },
            onMessage: {addListener: (fn) => sets.message.add(fn)},
            onDisconnect: {addListener: (fn) => sets.disconnect.add(fn)},
            reply: (message) => sets.message.forEach((fn) => fn(message)),
            end: () => sets.disconnect.forEach((fn) => fn(port)),
        };
        return port;
    };
    const ports = [];
    return {ports, connectNative: () => { const p = make(); ports.push(p); return p; }};
}

test("Chromium's lastError on a port that never opened means not-installed", async () => {
    const script = scriptedPort();
    let lastError;
    const port = new HostPort({connectNative: script.connectNative, lastError: () => lastError,
        origin: chromiumOrigin, backoff: {initialMs: 60000, maxMs: 60000}});
    port.start();
    const hello = script.ports[0].posted[0];
    assert.equal(hello.method, 'host.hello');
    assert.deepEqual(hello.params, {protocolVersion: 1,
        client: {name: 'sluice-extension', version: '0', origin: chromiumOrigin}});
    lastError = {message: 'Specified native messaging host not found.'};
    script.ports[0].end();
    lastError = undefined;
    assert.equal(port.status.status, 'not-installed');
    port.stop();
});

test('another protocol version is incompatible, not retried, and names the side to update', async () => {
    const script = scriptedPort();
    const port = new HostPort({connectNative: script.connectNative, backoff: {initialMs: 10, maxMs: 10}});
    port.start();
    const waiting = port.request('torrent.list');
    const hello = script.ports[0].posted[0];
    script.ports[0].reply({jsonrpc: '2.0', id: hello.id, result: {protocolVersion: 2, version: '9.0.0'}});
    await assert.rejects(waiting, (e) => e.code === 2004);
    assert.equal(port.status.status, 'incompatible');
    assert.match(port.status.message, /update the extension/);
    assert.ok(script.ports[0].closed);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(script.ports.length, 1);
    port.retry();
    assert.equal(script.ports.length, 2);
    port.stop();
});

test('events go to listeners; replies go to their request by id, whatever the order', async () => {
    const script = scriptedPort();
    const port = new HostPort({connectNative: script.connectNative});
    const events = [];
    port.onEvent((method, params) => events.push([method, params]));
    port.start();
    const p = script.ports[0];
    p.reply({jsonrpc: '2.0', id: p.posted[0].id, result: {protocolVersion: 1, version: '0.1.0'}});
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(port.status.status, 'ready');
    const first = port.request('torrent.pause', {infoHash: 'a'.repeat(40)});
    const second = port.request('torrent.resume', {infoHash: 'b'.repeat(40)});
    await new Promise((r) => setTimeout(r, 0));
    const [, a, b] = p.posted;
    p.reply({jsonrpc: '2.0', method: 'torrent.finished', params: {infoHash: 'c'.repeat(40), name: 'x'}});
    p.reply({jsonrpc: '2.0', id: b.id, error: {code: 1003, message: 'no such torrent', data: {detail: 'd'}}});
    p.reply({jsonrpc: '2.0', id: a.id, result: {infoHash: 'a'.repeat(40)}});
    assert.deepEqual(await first, {infoHash: 'a'.repeat(40)});
    await assert.rejects(second, (e) => e.code === 1003 && e.data.detail === 'd');
    assert.deepEqual(events, [['torrent.finished', {infoHash: 'c'.repeat(40), name: 'x'}]]);
    port.stop();
});
