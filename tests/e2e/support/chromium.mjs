// Starts Debian's Chromium with the extension loaded unpacked and the native host registered the way the
// browser looks for it with a custom profile: <user-data-dir>/NativeMessagingHosts/. The host inherits the
// browser's environment, so XDG_RUNTIME_DIR and XDG_DATA_HOME keep its session inside the test's folder.
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {chromium} from 'playwright-core';

export const extensionDir = new URL('../../../extension/', import.meta.url).pathname.replace(/\/$/, '');
export {chromeExtensionId} from '../../../demo/lib/register_host.mjs';

const chromiumBinary = process.env.CHROMIUM_BIN ?? '/usr/lib/chromium/chromium';

export async function launchChromium({profileDir, hostManifest, env}) {
    mkdirSync(join(profileDir, 'NativeMessagingHosts'), {recursive: true});
    if (hostManifest) {
        writeFileSync(join(profileDir, 'NativeMessagingHosts', 'org.sluice.host.json'),
            JSON.stringify(hostManifest, null, 4));
    }
    const context = await chromium.launchPersistentContext(profileDir, {
        executablePath: chromiumBinary,
        headless: true,
        env,
        viewport: {width: 1100, height: 900},
        ignoreDefaultArgs: ['--disable-extensions'],
        args: [
            '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync',
            `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`,
        ],
    });
    let [worker] = context.serviceWorkers();
    worker ??= await context.waitForEvent('serviceworker', {timeout: 15000});
    return {context, worker};
}
