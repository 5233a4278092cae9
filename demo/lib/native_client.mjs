// A minimal native-messaging client for Node: starts sluice-host the way a browser does (pipes on
// stdin/stdout, frames of a 32-bit native-endian length plus UTF-8 JSON) and matches replies to requests.
import {spawn} from 'node:child_process';
import {endianness} from 'node:os';

const littleEndian = endianness() === 'LE';

export function encodeFrame(message) {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    const header = Buffer.alloc(4);
    if (littleEndian) {
        header.writeUInt32LE(body.length);
    } else {
        header.writeUInt32BE(body.length);
    }
    return Buffer.concat([header, body]);
}

export class NativeClient {
    constructor(hostPath, {args = [], env = process.env, timeoutMs = 10000} = {}) {
        this.child = spawn(hostPath, args, {env, stdio: ['pipe', 'pipe', 'pipe']});
        this.timeoutMs = timeoutMs;
        this.pending = new Map();
        this.events = [];
        this.nextId = 1;
        this.buffer = Buffer.alloc(0);
        this.stderr = '';
        this.child.stdout.on('data', (chunk) => this.onData(chunk));
        this.child.stderr.on('data', (chunk) => { this.stderr += chunk.toString(); });
        this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    }

    onData(chunk) {
        this.buffer = Buffer.concat([this.buffer, chunk]);
        while (this.buffer.length >= 4) {
            const length = littleEndian ? this.buffer.readUInt32LE(0) : this.buffer.readUInt32BE(0);
            if (this.buffer.length < 4 + length) {
                return;
            }
            const message = JSON.parse(this.buffer.subarray(4, 4 + length).toString('utf8'));
            this.buffer = this.buffer.subarray(4 + length);
            const waiter = this.pending.get(message.id);
            if (waiter) {
                this.pending.delete(message.id);
                clearTimeout(waiter.timer);
                waiter.resolve(message);
            } else {
                this.events.push(message);
            }
        }
    }

    // Resolves with the whole reply (result or error), rejects on timeout.
    call(method, params = {}) {
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                this.pending.delete(id);
                reject(new Error(`no reply to ${method} within ${this.timeoutMs} ms; stderr: ${this.stderr}`));
            }, this.timeoutMs);
            this.pending.set(id, {resolve, timer});
            this.child.stdin.write(encodeFrame({jsonrpc: '2.0', id, method, params}));
        });
    }

    async close() {
        this.child.stdin.end();
        return this.exited;
    }
}
