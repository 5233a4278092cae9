// Starts Firefox ESR headless with the extension installed as an unsigned add-on in a fresh profile (ESR
// honours xpinstall.signatures.required=false), the native host registered under $HOME/.mozilla (HOME is the
// test's folder), and WebDriver BiDi on a free port.
import {spawn, execFileSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {BidiSession} from './bidi.mjs';
import {extensionDir} from './chromium.mjs';

import {firefoxAddonId} from '../../../demo/lib/host_install.mjs';
// Fixed so a test knows the add-on's moz-extension:// origin (Firefox otherwise picks one per profile).
export const firefoxExtensionUuid = '5b0c7d2e-6f3a-4c1e-9a55-2d8e4f1b7c60';

const firefoxBinary = process.env.FIREFOX_BIN ?? '/usr/bin/firefox-esr';
const webExt = new URL('../../../node_modules/.bin/web-ext', import.meta.url).pathname;

const preferences = {
    'xpinstall.signatures.required': false,
    'extensions.autoDisableScopes': 0,
    'extensions.enabledScopes': 15,
    'extensions.webextensions.uuids': JSON.stringify({[firefoxAddonId]: firefoxExtensionUuid}),
    'browser.shell.checkDefaultBrowser': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.reportingpolicy.firstRun': false,
    'browser.startup.homepage_override.mstone': 'ignore',
};

// `env.HOME` is the test's: `sluice-host install --user --browser firefox` registered the host in its
// ~/.mozilla/native-messaging-hosts, where Firefox looks. `prefs` are more of user.js's (they win over ours);
// `addons` maps more add-ons' ids to their .xpi files, installed beside ours.
export async function launchFirefox({folder, env, prefs = {}, addons = {}}) {
    const profile = join(folder, 'profile');
    mkdirSync(join(profile, 'extensions'), {recursive: true});
    writeFileSync(join(profile, 'user.js'), Object.entries({...preferences, ...prefs})
        .map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});\n`).join(''));
    execFileSync(webExt, ['build', '--source-dir', extensionDir, '--artifacts-dir', folder,
        '--filename', 'sluice.xpi', '--overwrite-dest', '--ignore-files', 'README.md', 'icons/render.sh'],
    {stdio: 'ignore'});
    for (const [id, xpi] of Object.entries({...addons, [firefoxAddonId]: join(folder, 'sluice.xpi')})) {
        execFileSync('cp', [xpi, join(profile, 'extensions', `${id}.xpi`)]);
    }

    const child = spawn(firefoxBinary, ['--headless', '--no-remote', '--profile', profile,
        '--remote-debugging-port', '0'], {env, stdio: ['ignore', 'ignore', 'pipe']});
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const endpoint = await new Promise((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`Firefox did not start BiDi:\n${text}`)), 30000);
        child.stderr.on('data', (chunk) => {
            text += chunk;
            const found = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(text);
            if (found) {
                clearTimeout(timer);
                resolve(found[1]);
            }
        });
        child.on('exit', () => reject(new Error(`Firefox exited:\n${text}`)));
    });
    const session = await BidiSession.connect(`${endpoint}/session`);
    return {
        session,
        async stop() {
            session.close();
            child.kill('SIGTERM');
            await exited;
        },
    };
}
