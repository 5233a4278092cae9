// A browser's native-messaging port, made in node: connectNative() spawns sluice-host the way Chromium does
// (one argument, the extension's origin; pipes; 32-bit native-endian length frames) and hands back an object
// with the port's shape: postMessage, disconnect, onMessage and onDisconnect. A host that cannot be started
// ends the port with Firefox's error (port.error), as the browser would.
import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {endianness, tmpdir} from 'node:os';
import {join} from 'node:path';
import {encodeFrame} from '../../../demo/lib/native_client.mjs';

const littleEndian = endianness() === 'LE';
const root = new URL('../../../', import.meta.url).pathname;
export const hostPath = process.env.SLUICE_HOST_BIN ?? join(root, 'build/dev/native-host/sluice-host');
export const chromiumOrigin = 'chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk';

function listeners() {
    const set = new Set();
    return {
        addListener: (fn) => set.add(fn),
        removeListener: (fn) => set.delete(fn),
        emit: (...args) => [...set].forEach((fn) => fn(...args)),
    };
}

// A temporary home for the host: its data and runtime folders and a config that keeps it off the network.
export function makeHostHome() {
    const home = mkdtempSync(join(tmpdir(), 'sluice-port-'));
    mkdirSync(join(home, 'data', 'sluice'), {recursive: true});
    mkdirSync(join(home, 'run'), {recursive: true, mode: 0o700});
    writeFileSync(join(home, 'data', 'sluice', 'config.json'), JSON.stringify({
        session: {dht: false, lsd: false, upnp: false, natpmp: false, listenInterfaces: '127.0.0.1:0'},
        downloadFolder: join(home, 'downloads'),
    }));
    mkdirSync(join(home, 'downloads'));
    return {
        home,
        env: {...process.env, XDG_RUNTIME_DIR: join(home, 'run'), XDG_DATA_HOME: join(home, 'data')},
        remove: () => rmSync(home, {recursive: true, force: true}),
    };
}

// children: every host process started, so a test can kill one and clean up the rest.
export function nativeConnector({binary = hostPath, env, children = []}) {
    return function connectNative(_name) {
        const onMessage = listeners();
        const onDisconnect = listeners();
        const child = spawn(binary, [`${chromiumOrigin}/`], {env, stdio: ['pipe', 'pipe', 'pipe']});
        children.push(child);
        let buffer = Buffer.alloc(0);
        let open = true;
        const port = {
            name: _name,
            error: null,
            onMessage,
            onDisconnect,
            postMessage(message) {
                if (!open) {
                    throw new Error('Attempt to postMessage on disconnected port');
                }
                child.stdin.write(encodeFrame(message));
            },
            disconnect() {
                open = false;
                child.stdin.end();
            },
        };
        const end = (message) => {
            if (!open) {
                return;
            }
            open = false;
            port.error = message ? {message} : null;
            onDisconnect.emit(port);
        };
        child.stdin.on('error', () => {});
        child.stderr.resume();
        child.on('error', (error) => end(error.code === 'ENOENT' ? `No such native application ${_name}` : error.message));
        child.on('exit', () => end('Native application tried to send a message of 0 bytes, or exited'));
        child.stdout.on('data', (chunk) => {
            buffer = Buffer.concat([buffer, chunk]);
            while (buffer.length >= 4) {
                const length = littleEndian ? buffer.readUInt32LE(0) : buffer.readUInt32BE(0);
                if (buffer.length < 4 + length) {
                    return;
                }
                const message = JSON.parse(buffer.subarray(4, 4 + length).toString('utf8'));
                buffer = buffer.subarray(4 + length);
                if (open) {
                    onMessage.emit(message, port);
                }
            }
        });
        return port;
    };
}
