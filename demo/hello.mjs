// The demo as far as the host goes today: start sluice-host the way a browser does, say hello, show a
// second "browser" attaching to the same session, then let both go and watch the session owner leave.
// Runs in its own data and runtime folders under build/demo-home, so it never touches a real session.
import {mkdirSync, writeFileSync, existsSync} from 'node:fs';
import {join} from 'node:path';
import {NativeClient} from './lib/native_client.mjs';

const root = new URL('../', import.meta.url).pathname;
const hostPath = process.env.SLUICE_HOST_BIN ?? join(root, 'build/dev/native-host/sluice-host');
const home = join(root, 'build/demo-home');
const dataDir = join(home, 'data', 'sluice');
mkdirSync(dataDir, {recursive: true});
mkdirSync(join(home, 'run'), {recursive: true, mode: 0o700});
if (!existsSync(join(dataDir, 'config.json'))) {
    // The demo stays on this machine: no DHT, LSD, UPnP or NAT-PMP, listening on loopback only.
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({
        session: {dht: false, lsd: false, upnp: false, natpmp: false, listenInterfaces: '127.0.0.1:0'},
    }, null, 4));
}
const env = {...process.env, XDG_RUNTIME_DIR: join(home, 'run'), XDG_DATA_HOME: join(home, 'data')};
const chromeOrigin = 'chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk/';

function show(title, value) {
    console.log(`\n== ${title}`);
    console.log(JSON.stringify(value, null, 2));
}

const chromium = new NativeClient(hostPath, {args: [chromeOrigin], env});
const hello = await chromium.call('host.hello', {protocolVersion: 1, client: {name: 'sluice-demo'}});
show('host.hello, as Chromium would send it', hello);

const firefox = new NativeClient(hostPath, {args: [join(home, 'org.sluice.host.json'), 'sluice@sluice-project.org'], env});
const second = await firefox.call('host.hello');
show('a second browser attaches to the same session', second.result.instance);
console.log(second.result.instance.sessionId === hello.result.instance.sessionId
    ? '-> one session, two browsers' : '-> two sessions: that is a bug');

const wrong = await chromium.call('host.hello', {protocolVersion: 'one'});
show('bad params get a structured error', wrong.error);

console.log(`\nChromium side exited with ${await chromium.close()}, Firefox side with ${await firefox.close()}.`);
console.log(`The session owner logs to ${join(dataDir, 'logs', 'host.log')}.`);
