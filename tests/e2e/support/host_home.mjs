// A folder for one test's host sessions: the demo's loopback-only config and data/runtime folders (the host
// keeps its session, config and single-instance socket there), and the native-messaging manifests a browser
// reads to start the host.
import {join} from 'node:path';
import {writeHostConfig} from '../../../demo/lib/world.mjs';
import {chromiumManifest, firefoxManifest} from '../../../demo/lib/register_host.mjs';

const root = new URL('../../../', import.meta.url).pathname;
export const hostBinary = process.env.SLUICE_HOST_BIN ?? join(root, 'build/dev/native-host/sluice-host');

export function makeHostHome(folder, extra = {}) {
    return {
        env: writeHostConfig(folder, extra),
        chromiumManifest: chromiumManifest(hostBinary),
        firefoxManifest: firefoxManifest(hostBinary),
    };
}
