// Registers sluice-host with this user's browsers by running `sluice-host install --user`: the host's own
// browser x OS table (native-host/src/install/browser_table.cpp) is the only list of where browsers look.
import {spawnSync} from 'node:child_process';

export const hostName = 'org.sluice.host';
// Fixed by extension/manifest.json (`key`, browser_specific_settings.gecko.id), and accepted by the host's
// caller check (native-host/src/native_messaging/caller_check.hpp).
export const chromeExtensionId = 'ljkaphncpbkfgfeoncgogkmhcmcompjk';
export const firefoxAddonId = 'sluice@sluice-project.org';

// Runs the install for `browsers` (keys such as 'chromium'; none: the browsers found) with `env` (HOME,
// XDG_CONFIG_HOME and XDG_DATA_HOME decide the folders). Returns what it printed, line by line.
export function installHost(hostPath, {env = process.env, browsers = []} = {}) {
    const args = ['install', '--user', ...browsers.flatMap((b) => ['--browser', b])];
    const r = spawnSync(hostPath, args, {env, encoding: 'utf8'});
    return {ok: r.status === 0, lines: (r.stdout ?? '').split('\n').filter(Boolean), error: (r.stderr ?? '').trim()};
}
