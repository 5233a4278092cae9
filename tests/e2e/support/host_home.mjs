// A folder for one test's host sessions and browsers: the demo's loopback-only config, data and runtime
// folders (the host keeps its session, config and single-instance socket there), and a HOME of its own
// where `sluice-host install --user` registers the host, exactly where a browser run with that HOME looks.
import {join} from 'node:path';
import {writeHostConfig} from '../../../demo/lib/world.mjs';
import {installHost} from '../../../demo/lib/host_install.mjs';

const root = new URL('../../../', import.meta.url).pathname;
export const hostBinary = process.env.SLUICE_HOST_BIN ?? join(root, 'build/dev/native-host/sluice-host');

export function makeHostHome(folder, extra = {}) {
    const home = join(folder, 'home');
    const env = {...writeHostConfig(folder, extra), HOME: home, XDG_CONFIG_HOME: join(home, '.config')};
    return {
        env,
        home,
        // Chromium's default profile under that HOME: its NativeMessagingHosts is where install writes.
        chromiumProfile: join(home, '.config', 'chromium'),
        install(browser) {
            const r = installHost(hostBinary, {env, browsers: [browser]});
            if (!r.ok) {
                throw new Error(`sluice-host install --browser ${browser} failed: ${r.error}`);
            }
            return r.lines;
        },
    };
}
