// Registers sluice-host with this user's browsers by running `sluice-host install --user`: the host's own
// browser x OS table (native-host/src/install/browser_table.cpp) is the only list of where browsers look.
import {spawnSync} from 'node:child_process';

export const hostName = 'org.sluice.host';
// Fixed by extension/manifest.json (`key`, browser_specific_settings.gecko.id), and accepted by the host's
// caller check (protocol/src/sluice/protocol/extension_ids.hpp).
export const chromeExtensionId = 'ljkaphncpbkfgfeoncgogkmhcmcompjk';
export const firefoxAddonId = 'sluice@sluice-project.org';

// Runs the install for `browsers` (keys such as 'chromium'; none: the browsers found) with `env` (HOME,
// XDG_CONFIG_HOME and XDG_DATA_HOME decide the folders). The host answers on stderr (its stdout is only ever
// the native-messaging channel): what it did line by line, and its errors prefixed with "sluice-host:".
export function installHost(hostPath, {env = process.env, browsers = []} = {}) {
    const args = ['install', '--user', ...browsers.flatMap((b) => ['--browser', b])];
    const r = spawnSync(hostPath, args, {env, encoding: 'utf8'});
    const printed = (r.stderr ?? '').split('\n').filter(Boolean);
    const errors = printed.filter((line) => line.startsWith('sluice-host: '));
    return {ok: r.status === 0, lines: printed.filter((line) => !errors.includes(line)), error: errors.join('\n')};
}
