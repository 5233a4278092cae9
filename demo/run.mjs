// The demo (`make demo`): a creator's bundle "les-veilleurs" on this machine, ready for the extension.
// It makes the films, the bundle and its keys, serves the bundle's landing page and gate (email with a
// confirmation code, pay what you want and a pledge campaign through a fake Stripe), seeds the bundle from a
// sluice-host of its own, and registers sluice-host with the browsers found here. Everything stays on
// 127.0.0.1 and under build/demo-world. Ctrl-C stops it all.
import {join} from 'node:path';
import {defaultBinaries, startWorld} from './lib/world.mjs';
import {installHost} from './lib/host_install.mjs';

const root = new URL('../', import.meta.url).pathname;
const bin = defaultBinaries();
const dir = join(root, 'build/demo-world');
const extensionDir = join(root, 'extension');

const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const say = (line = '') => console.log(line);

let starting = null;
let stopping = false;
// A signal during the start waits for it to finish, so nothing it started is left running.
async function shutdown(signal) {
    if (stopping) {
        return;
    }
    stopping = true;
    say(`\n${signal}: stopping the seed, the gate and the fake payment provider…`);
    const world = await starting?.catch(() => null);
    await world?.stop();
    say('stopped.');
    process.exit(0);
}
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

starting = startWorld({
    dir, bin,
    log: (line) => say(`  ${line}`),
    // The demo's campaign is a real-sized one: 2,500.00 EUR, in the world's two tiers (15.00 and 40.00 EUR).
    pledge: {goalAmount: 250000},
    onMail: (mail) => {
        say(`\n${bold('✉ mail from the gate')} to ${mail.to}: ${mail.subject}`);
        say(`  confirmation code: ${bold(mail.code ?? '(none found)')}   (${mail.file})`);
    },
});
let world;
try {
    world = await starting;
} catch (error) {
    if (!stopping) {
        console.error(`\nthe demo could not start: ${error.message}`);
        process.exit(1);
    }
}
if (stopping) {
    await new Promise(() => {});
}

// `sluice-host install --user`: the same command a person runs after building from source.
const registered = installHost(bin.host);

say(`
${bold('Sluice demo')} — bundle "${world.bundleId}" version ${world.version}, served on this machine only.

${bold('1. The landing page')} (open it once the extension is loaded):
   ${world.landingUrl}

${bold('2. Load the extension')} from ${extensionDir}
   Chromium / Chrome: chrome://extensions → turn on "Developer mode" → "Load unpacked" → pick that folder.
   Firefox: about:debugging#/runtime/this-firefox → "Load Temporary Add-on…" → pick
            ${join(extensionDir, 'manifest.json')}

${bold('3. The native host')} (${bin.host}), by sluice-host install --user:`);
for (const line of registered.ok ? registered.lines : [registered.error]) {
    say(`   ${line}`);
}
say('   (sluice-host doctor checks it; sluice-host uninstall --user takes it back.)');
say(`
${bold('What to try')} (and what you should see)
   1. Open the landing page above. Within a few seconds a Sluice card appears under the title: "Les Veilleurs"
      by Atelier Nuit, its five items, and "Verified: signed by the key this page announced". No card? The
      toolbar button says whether the extension reaches sluice-host; sluice-host doctor says why not.
   2. Play the pilot: the player opens and plays at once from this machine's seed; French and English
      subtitles are in its menu, and seeking ahead works before the download ends.
   3. Unlock episode 1 with any email address: the gate mails a six-digit code, printed below as it arrives;
      type it into the card and episode 1 plays.
   4. Pay what you want for the booklet (at least 3.00 EUR): the payment provider's page opens in a tab. It is
      a FAKE Stripe on this machine (no real money) reached through the gate's real Stripe adapter: pick the
      test card 4242 4242 4242 4242 and the booklet unlocks for export; 4000 0000 0000 0002 is declined.
   5. Pledge for season 2 (campaign "${world.campaignId}", goal 2,500.00 EUR) in one of its two tiers: the
      season (15.00 EUR: episode 2) or the collector's edition (40.00 EUR, 100 places: episode 2 and its
      making-of). The provider's page saves a card (nothing is charged now); the card and the toolbar's list
      show the campaign's progress, the places left and the deadline. The card is charged only if the
      campaign is funded by its deadline, and then the tier's films unlock.
   6. The toolbar button lists the download with its progress, rate and peers.

   Any other Sluice session on this machine can also open the bundle from this magnet link (it names the
   seed, so it works without the tracker too):
   ${world.magnetWithPeer}

   seed:    ${world.seedPeer} (a sluice-host of the demo's own), web seed on loopback
   tracker: ${world.tracker} (opentracker)
   gate:    ${world.gateUrl}   mail: ${world.paths.mail}
   figures: build/dev/publisher/sluice-gate stats --data ${world.paths.gate}/data --bundle ${world.bundleId}
            or the dashboard, ${world.gateUrl}admin/ (its token: ${world.paths.gate}/admin.token)

${bold('Ctrl-C to stop.')}`);
