// A folder for one test's host sessions: data and runtime directories (the host keeps its session, config
// and single-instance socket there), a config that keeps the session on loopback, and the native-messaging
// manifests a browser reads to start the host.
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {chromeExtensionId} from './chromium.mjs';
import {firefoxAddonId} from './firefox.mjs';

const root = new URL('../../../', import.meta.url).pathname;
export const hostBinary = process.env.SLUICE_HOST_BIN ?? join(root, 'build/dev/native-host/sluice-host');

export function makeHostHome(folder, extra = {}) {
    const data = join(folder, 'data');
    const run = join(folder, 'run');
    mkdirSync(join(data, 'sluice'), {recursive: true});
    mkdirSync(run, {recursive: true, mode: 0o700});
    writeFileSync(join(data, 'sluice', 'config.json'), JSON.stringify({
        session: {dht: false, lsd: false, upnp: false, natpmp: false, utp: false,
            listenInterfaces: '127.0.0.1:0'},
        downloadFolder: join(folder, 'downloads'),
        ...extra,
    }, null, 4));
    return {
        env: {...process.env, XDG_DATA_HOME: data, XDG_RUNTIME_DIR: run},
        chromiumManifest: {
            name: 'org.sluice.host', description: 'Sluice', path: hostBinary, type: 'stdio',
            allowed_origins: [`chrome-extension://${chromeExtensionId}/`],
        },
        firefoxManifest: {
            name: 'org.sluice.host', description: 'Sluice', path: hostBinary, type: 'stdio',
            allowed_extensions: [firefoxAddonId],
        },
    };
}
