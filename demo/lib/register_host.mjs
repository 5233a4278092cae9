// Registers sluice-host with the browsers of this machine, for the current user: one native-messaging
// manifest per browser, in the folder where that browser looks for it. Minimal on purpose: it knows Linux
// and macOS user folders, and registers a browser when its program or its configuration folder is there.
import {existsSync, mkdirSync, writeFileSync} from 'node:fs';
import {homedir, platform} from 'node:os';
import {delimiter, join} from 'node:path';

export const hostName = 'org.sluice.host';
// Fixed by extension/manifest.json (`key`, browser_specific_settings.gecko.id), and accepted by the host's
// caller check (native-host/src/native_messaging/caller_check.hpp).
export const chromeExtensionId = 'ljkaphncpbkfgfeoncgogkmhcmcompjk';
export const firefoxAddonId = 'sluice@sluice-project.org';

export function chromiumManifest(hostPath) {
    return {name: hostName, description: 'Sluice: BitTorrent streaming and bundle unlocks', path: hostPath,
        type: 'stdio', allowed_origins: [`chrome-extension://${chromeExtensionId}/`]};
}

export function firefoxManifest(hostPath) {
    return {name: hostName, description: 'Sluice: BitTorrent streaming and bundle unlocks', path: hostPath,
        type: 'stdio', allowed_extensions: [firefoxAddonId]};
}

function writeManifest(folder, manifest) {
    mkdirSync(folder, {recursive: true});
    const file = join(folder, `${hostName}.json`);
    writeFileSync(file, `${JSON.stringify(manifest, null, 4)}\n`);
    return file;
}

// The Chromium-family manifest in `folder` (a test browser's <user-data-dir>/NativeMessagingHosts).
export function writeChromiumManifest(folder, hostPath) {
    return writeManifest(folder, chromiumManifest(hostPath));
}

export function writeFirefoxManifest(folder, hostPath) {
    return writeManifest(folder, firefoxManifest(hostPath));
}

// Where each browser reads user-level manifests: [name, kind, folder under home, config folder, programs].
function browserTable(os) {
    if (os === 'darwin') {
        const support = 'Library/Application Support';
        return [
            ['Chromium', 'chromium', `${support}/Chromium/NativeMessagingHosts`, `${support}/Chromium`, []],
            ['Google Chrome', 'chromium', `${support}/Google/Chrome/NativeMessagingHosts`, `${support}/Google/Chrome`,
                []],
            ['Brave', 'chromium', `${support}/BraveSoftware/Brave-Browser/NativeMessagingHosts`,
                `${support}/BraveSoftware/Brave-Browser`, []],
            ['Microsoft Edge', 'chromium', `${support}/Microsoft Edge/NativeMessagingHosts`,
                `${support}/Microsoft Edge`, []],
            ['Firefox', 'firefox', `${support}/Mozilla/NativeMessagingHosts`, `${support}/Firefox`, []],
        ];
    }
    return [
        ['Chromium', 'chromium', '.config/chromium/NativeMessagingHosts', '.config/chromium',
            ['chromium', 'chromium-browser']],
        ['Google Chrome', 'chromium', '.config/google-chrome/NativeMessagingHosts', '.config/google-chrome',
            ['google-chrome', 'google-chrome-stable']],
        ['Brave', 'chromium', '.config/BraveSoftware/Brave-Browser/NativeMessagingHosts',
            '.config/BraveSoftware/Brave-Browser', ['brave-browser', 'brave']],
        ['Microsoft Edge', 'chromium', '.config/microsoft-edge/NativeMessagingHosts', '.config/microsoft-edge',
            ['microsoft-edge', 'microsoft-edge-stable']],
        ['Vivaldi', 'chromium', '.config/vivaldi/NativeMessagingHosts', '.config/vivaldi', ['vivaldi']],
        ['Firefox', 'firefox', '.mozilla/native-messaging-hosts', '.mozilla', ['firefox', 'firefox-esr']],
    ];
}

function onPath(program, pathVariable) {
    return (pathVariable ?? '').split(delimiter).some((folder) => folder && existsSync(join(folder, program)));
}

// Writes a manifest for each browser found; returns [{browser, file}] for what was written.
export function registerHost(hostPath, {home = homedir(), os = platform(), pathVariable = process.env.PATH} = {}) {
    const written = [];
    for (const [browser, kind, folder, config, programs] of browserTable(os)) {
        const found = existsSync(join(home, config)) || programs.some((p) => onPath(p, pathVariable));
        if (found) {
            const manifest = kind === 'firefox' ? firefoxManifest(hostPath) : chromiumManifest(hostPath);
            written.push({browser, file: writeManifest(join(home, folder), manifest)});
        }
    }
    return written;
}
