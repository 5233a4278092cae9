// Debian's opentracker, the world's BitTorrent tracker, on 127.0.0.1 in a folder of its own. Debian builds it
// to track only the info-hashes of its whitelist: the world gives it the bundle's (`sluice-gate
// tracker-whitelist`). Under root it chroots into the folder and runs as `nobody`.
import {spawn} from 'node:child_process';
import {closeSync, mkdirSync, openSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

const BINARY = process.env.OPENTRACKER_BIN ?? '/usr/bin/opentracker';

// A scrape's counts of one hash (40 hex digits), read off its bencoded answer: {complete, incomplete,
// downloaded}, or null when the tracker does not list the hash.
function countsOf(body, hash) {
    const key = Buffer.concat([Buffer.from('20:'), Buffer.from(hash, 'hex')]);
    const at = body.indexOf(key);
    if (at < 0) {
        return null;
    }
    const entry = body.subarray(at + key.length).toString('latin1');
    const count = (name) => Number(new RegExp(`${name.length}:${name}i(\\d+)e`).exec(entry)?.[1] ?? 0);
    return {complete: count('complete'), incomplete: count('incomplete'), downloaded: count('downloaded')};
}

// Starts it; the world waits for it to answer (`answers`) and stops it as it stops its other children.
export function spawnOpentracker({folder, port, hashes, log = () => {}}) {
    mkdirSync(folder, {recursive: true});
    writeFileSync(join(folder, 'whitelist.txt'), hashes.map((h) => `${h}\n`).join(''));
    const root = process.getuid?.() === 0;
    const logFile = join(folder, 'opentracker.log');
    const out = openSync(logFile, 'a');
    const child = spawn(BINARY, ['-i', '127.0.0.1', '-p', String(port), '-P', String(port), '-d', folder,
        '-u', 'nobody', '-w', root ? '/whitelist.txt' : join(folder, 'whitelist.txt')],
    {stdio: ['ignore', out, out]});
    closeSync(out);
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    child.once('error', (error) => log(`opentracker: ${error.message}`));
    const base = `http://127.0.0.1:${port}`;
    return {
        child,
        exited,
        announce: `${base}/announce`,
        output: () => readFileSync(logFile, 'utf8').slice(-2000),
        answers: () => fetch(`${base}/scrape`).then((r) => r.ok, () => false),
        async scrape(hash) {
            const query = hash.match(/../g).map((b) => `%${b}`).join('');
            const reply = await fetch(`${base}/scrape?info_hash=${query}`);
            return countsOf(Buffer.from(await reply.arrayBuffer()), hash);
        },
    };
}
