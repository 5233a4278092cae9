// Streams a magnet link (or a .torrent URL or path) with sluice-host alone, no browser:
//   node demo/stream.mjs 'magnet:?xt=urn:btih:...'
// It starts the host as a browser would, adds the torrent, waits for its file list and prints a stream
// URL for each file; open one in any player (mpv, VLC, a browser tab) and seek freely while it downloads.
// Ctrl-C stops it; the host keeps the download and resumes it next time.
import {join} from 'node:path';
import {NativeClient} from './lib/native_client.mjs';

const root = new URL('../', import.meta.url).pathname;
const hostPath = process.env.SLUICE_HOST_BIN ?? join(root, 'build/dev/native-host/sluice-host');
const uri = process.argv[2];
if (!uri) {
    console.error('usage: node demo/stream.mjs MAGNET-OR-TORRENT-URL-OR-PATH [SAVE-FOLDER]');
    process.exit(2);
}
const params = {uri};
if (process.argv[3]) {
    params.savePath = process.argv[3];
}

const host = new NativeClient(hostPath, {timeoutMs: 30000});
process.on('SIGINT', async () => {
    console.log('\nstopping');
    process.exit(await host.close());
});

const added = await host.call('torrent.add', params);
if (added.error) {
    console.error(`could not add it: ${added.error.message} (${added.error.data?.detail ?? ''})`);
    process.exit(1);
}
const infoHash = added.result.infoHash;
console.log(`${added.result.duplicate ? 'already there' : 'added'}: ${infoHash}`);

let files;
for (;;) {
    const reply = await host.call('torrent.files', {infoHash});
    if (!reply.result.metadataPending) {
        files = reply.result.files;
        break;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
}
for (const file of files) {
    console.log(`${file.path}  (${file.mime}, ${file.size} bytes)\n    ${file.streamUrl}`);
}
console.log('\nOpen a URL in a player; progress follows. Ctrl-C to stop.');
setInterval(async () => {
    const list = await host.call('torrent.list');
    const t = list.result.torrents.find((x) => x.infoHash === infoHash);
    if (t) {
        process.stdout.write(`\r${t.state} ${(t.progress * 100).toFixed(1)}%  ` +
            `${(t.downloadRate / 1e6).toFixed(2)} MB/s  ${t.peers} peers   `);
    }
}, 1000);
