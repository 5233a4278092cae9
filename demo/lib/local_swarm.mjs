// What lets a host on this machine find data without DHT or the Internet: a BEP 19 web seed
// (`/webseed/<id>/<path>`, the bundle's output folder served read-only with single byte ranges) and a small
// BitTorrent HTTP tracker (`/announce`, compact peer lists, IPv4 only) for torrents made on the fly (the media
// tests'); the world's bundle announces to opentracker (opentracker.mjs). Loopback only.
import {createReadStream, realpathSync, statSync} from 'node:fs';
import {createServer} from 'node:http';
import {join, sep} from 'node:path';

// The query's values byte for byte: info_hash and peer_id are raw bytes, which URLSearchParams would read
// as UTF-8 and mangle.
export function rawQuery(search) {
    const out = new Map();
    for (const part of search.replace(/^\?/, '').split('&')) {
        const eq = part.indexOf('=');
        if (eq > 0) {
            const bytes = [];
            const value = part.slice(eq + 1);
            for (let i = 0; i < value.length; ++i) {
                if (value[i] === '%' && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
                    bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
                    i += 2;
                } else {
                    bytes.push(value[i] === '+' ? 0x20 : value.charCodeAt(i) & 0xff);
                }
            }
            out.set(part.slice(0, eq), Buffer.from(bytes));
        }
    }
    return out;
}

const ANNOUNCE_INTERVAL_S = 30;
const PEER_EXPIRY_MS = (2 * ANNOUNCE_INTERVAL_S + 15) * 1000;

function bencode(value) {
    if (Buffer.isBuffer(value)) {
        return Buffer.concat([Buffer.from(`${value.length}:`), value]);
    }
    if (typeof value === 'number') {
        return Buffer.from(`i${Math.trunc(value)}e`);
    }
    if (typeof value === 'string') {
        return bencode(Buffer.from(value));
    }
    const keys = Object.keys(value).sort();
    return Buffer.concat([Buffer.from('d'), ...keys.flatMap((k) => [bencode(k), bencode(value[k])]), Buffer.from('e')]);
}

function ipv4(address) {
    const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address ?? '');
    return m ? Buffer.from(m.slice(1, 5).map(Number)) : null;
}

// Starts both on 127.0.0.1 (a free port); `folder` is what the web seed serves.
export async function startLocalSwarm({folder}) {
    const swarms = new Map(); // info-hash hex -> Map(peer id hex -> {ip, port, at})
    const root = realpathSync(folder);

    function announce(req, res, search) {
        const q = rawQuery(search);
        const infoHash = q.get('info_hash');
        const peerId = q.get('peer_id');
        const port = Number(q.get('port')?.toString());
        const ip = ipv4(req.socket.remoteAddress);
        if (!infoHash || infoHash.length !== 20 || !peerId || !(port > 0 && port < 65536)) {
            res.end(bencode({'failure reason': 'bad announce'}));
            return;
        }
        const swarm = swarms.get(infoHash.toString('hex')) ?? new Map();
        swarms.set(infoHash.toString('hex'), swarm);
        const self = peerId.toString('hex');
        if (q.get('event')?.toString() === 'stopped' || !ip) {
            swarm.delete(self);
        } else {
            swarm.set(self, {ip, port, at: Date.now()});
        }
        // A peer that stopped announcing (a session killed without saying so) is forgotten after two missed
        // intervals, as real trackers do, so that viewers are not sent to it for long.
        for (const [id, p] of swarm) {
            if (Date.now() - p.at > PEER_EXPIRY_MS) {
                swarm.delete(id);
            }
        }
        const peers = [...swarm].filter(([id]) => id !== self)
            .map(([, p]) => Buffer.concat([p.ip, Buffer.from([p.port >> 8, p.port & 0xff])]));
        res.end(bencode({interval: ANNOUNCE_INTERVAL_S, 'min interval': 5, peers: Buffer.concat(peers)}));
    }

    function webSeed(req, res, pathname) {
        let file;
        try {
            file = realpathSync(join(root, decodeURIComponent(pathname.slice('/webseed/'.length))));
        } catch {
            file = null;
        }
        // Only files inside the folder, whatever the path or a symbolic link says.
        const stat = file?.startsWith(root + sep) ? statSync(file, {throwIfNoEntry: false}) : null;
        if (!stat?.isFile()) {
            res.writeHead(404).end();
            return;
        }
        const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
        let start = 0;
        let end = stat.size - 1;
        if (range && (range[1] || range[2])) {
            start = range[1] ? Number(range[1]) : Math.max(0, stat.size - Number(range[2]));
            end = range[1] && range[2] ? Math.min(Number(range[2]), stat.size - 1) : stat.size - 1;
            if (start > end || start >= stat.size) {
                res.writeHead(416, {'Content-Range': `bytes */${stat.size}`}).end();
                return;
            }
        }
        const partial = range && (range[1] || range[2]);
        res.writeHead(partial ? 206 : 200, {
            'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes',
            'Content-Length': end - start + 1,
            ...(partial ? {'Content-Range': `bytes ${start}-${end}/${stat.size}`} : {}),
        });
        if (req.method === 'HEAD' || stat.size === 0) {
            res.end();
            return;
        }
        createReadStream(file, {start, end}).pipe(res);
    }

    const server = createServer((req, res) => {
        const q = req.url.indexOf('?');
        const pathname = q < 0 ? req.url : req.url.slice(0, q);
        if (pathname === '/announce' && req.method === 'GET') {
            res.setHeader('Content-Type', 'text/plain');
            announce(req, res, q < 0 ? '' : req.url.slice(q + 1));
        } else if (pathname.startsWith('/webseed/') && (req.method === 'GET' || req.method === 'HEAD')) {
            webSeed(req, res, pathname);
        } else {
            res.writeHead(404).end();
        }
    });
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
    });
    const base = `http://127.0.0.1:${server.address().port}`;
    return {
        tracker: `${base}/announce`,
        webSeed: `${base}/webseed/`,
        close: () => new Promise((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}
