// Starts Debian's Chromium with the extension loaded unpacked. Chromium reads user-level host manifests from
// <user-data-dir>/NativeMessagingHosts/: with the default profile of the test's HOME (~/.config/chromium),
// that is where `sluice-host install --user` wrote it. The host inherits the browser's environment, so
// XDG_RUNTIME_DIR and XDG_DATA_HOME keep its session inside the test's folder.
import {chromium} from 'playwright-core';

export const extensionDir = new URL('../../../extension/', import.meta.url).pathname.replace(/\/$/, '');
export {chromeExtensionId} from '../../../demo/lib/host_install.mjs';

const chromiumBinary = process.env.CHROMIUM_BIN ?? '/usr/lib/chromium/chromium';

// `userAgent`, when given, replaces headless Chromium's own (which names it headless, as robots' do).
export async function launchChromium({profileDir, env, userAgent}) {
    const context = await chromium.launchPersistentContext(profileDir, {
        executablePath: chromiumBinary,
        headless: true,
        env,
        ...(userAgent ? {userAgent} : {}),
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
