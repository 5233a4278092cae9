// The real sluice-host, started as a browser starts it, answers host.hello with a reply that the
// extension-side validator accepts. SLUICE_HOST_BIN names the binary (make test sets it).
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import {NativeClient} from '../../demo/lib/native_client.mjs';
import {waitForExit} from '../../demo/lib/world.mjs';

const root = new URL('../../', import.meta.url).pathname;
const hostPath = process.env.SLUICE_HOST_BIN ?? join(root, 'build/dev/native-host/sluice-host');
const schema = JSON.parse(readFileSync(join(root, 'protocol/schema/native-messaging.json'), 'utf8'));
const ajv = new Ajv2020({strict: true, strictRequired: false, allErrors: true});
ajv.addSchema(schema);

test('sluice-host answers host.hello as the schema says', async () => {
    assert.ok(existsSync(hostPath), `${hostPath} is not built`);
    const home = mkdtempSync(join(tmpdir(), 'sluice-js-'));
    let ownerPid = null;
    try {
        mkdirSync(join(home, 'data', 'sluice'), {recursive: true});
        writeFileSync(join(home, 'data', 'sluice', 'config.json'), JSON.stringify({
            session: {dht: false, lsd: false, upnp: false, natpmp: false, listenInterfaces: '127.0.0.1:0'},
        }));
        const env = {...process.env, XDG_RUNTIME_DIR: join(home, 'run'), XDG_DATA_HOME: join(home, 'data')};
        const client = new NativeClient(hostPath, {args: ['chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk/'], env});
        const reply = await client.call('host.hello', {protocolVersion: 1, client: {name: 'node-test'}});
        ownerPid = reply.result?.instance?.pid ?? null;
        const envelope = ajv.getSchema(schema.$id);
        assert.ok(envelope(reply), JSON.stringify(envelope.errors));
        const result = ajv.getSchema(`${schema.$id}#/$defs/host.hello.result`);
        assert.ok(result(reply.result), JSON.stringify(result.errors));
        const missing = await client.call('torrent.fly');
        assert.equal(missing.error.code, -32601);
        assert.equal(await client.close(), 0);
    } finally {
        // The session owner detaches and outlives its last client while it saves resume data.
        if (ownerPid) {
            await waitForExit(ownerPid);
        }
        rmSync(home, {recursive: true, force: true, maxRetries: 20, retryDelay: 250});
    }
});
