// The one native-messaging port to sluice-host: JSON-RPC requests matched to replies by id, each with a
// timeout; host events handed to listeners; the connection's status for the UI; reconnection with backoff.
// Everything about the browser comes in through the constructor (connectNative, lastError), so node can
// drive it against the real host.
import {ExtensionError} from '../common/error_codes.js';

export const HOST_NAME = 'org.sluice.host';
export const PROTOCOL_VERSION = 1;

// Calls that wait on a creator's gate server or copy whole files get longer than the rest; so do the media
// calls, whose probe waits for a file's first and last pieces (a minute on a slow torrent).
const SLOW_METHODS = {
    'bundle.unlock': 120000, 'bundle.confirmEmail': 120000, 'bundle.pledge': 120000,
    'bundle.cancelPledge': 120000, 'bundle.updatePledgePayment': 120000, 'bundle.campaign': 120000,
    'bundle.redeem': 60000,
    'torrent.add': 60000, 'bundle.export': 600000,
    'media.probe': 90000, 'media.open': 90000,
};

// Chromium says "Specified native messaging host not found." (or "Failed to start native messaging host."
// when the manifest names a missing binary, "...forbidden." when it does not list us); Firefox says
// "No such native application org.sluice.host".
const NOT_INSTALLED = /not found|no such native application|failed to start|forbidden/i;

export class HostError extends Error {
    constructor(code, message, data) {
        super(message);
        this.code = code;
        if (data !== undefined) {
            this.data = data;
        }
    }
}

export class HostPort {
    constructor({
        connectNative, lastError = () => undefined, origin, clientVersion = '0',
        hostName = HOST_NAME, requestTimeoutMs = 30000, helloTimeoutMs = 15000,
        backoff = {initialMs: 1000, maxMs: 60000}, log = () => {},
    }) {
        this.connectNative = connectNative;
        this.lastError = lastError;
        this.origin = origin;
        this.clientVersion = clientVersion;
        this.hostName = hostName;
        this.requestTimeoutMs = requestTimeoutMs;
        this.helloTimeoutMs = helloTimeoutMs;
        this.backoff = backoff;
        this.log = log;
        this.nextDelayMs = backoff.initialMs;
        this.port = null;
        this.nextId = 1;
        this.pending = new Map();
        this.eventListeners = new Set();
        this.statusListeners = new Set();
        this.readyWaiters = new Set();
        this.reconnectTimer = null;
        this.hello = null;
        this.current = {status: 'connecting', message: 'starting the Sluice host'};
    }

    // {status, message, retryInSeconds?, version?, protocolVersion?}: what the state shows as `host`.
    get status() {
        return {...this.current};
    }

    // host.hello's result while ready (streamBaseUrl, capabilities...), else null.
    get helloResult() {
        return this.current.status === 'ready' ? this.hello : null;
    }

    onEvent(listener) {
        this.eventListeners.add(listener);
        return () => this.eventListeners.delete(listener);
    }

    onStatus(listener) {
        this.statusListeners.add(listener);
        return () => this.statusListeners.delete(listener);
    }

    start() {
        if (!this.port && !this.reconnectTimer) {
            this.connect();
        }
    }

    // Reconnects now instead of waiting for the backoff (also after an incompatible host was updated).
    retry() {
        if (this.current.status === 'ready' || (this.port && this.current.status === 'connecting')) {
            return;
        }
        clearTimeout(this.reconnectTimer);
        this.reconnectTimer = null;
        this.nextDelayMs = this.backoff.initialMs;
        this.connect();
    }

    // Closes the port for good: pending requests are rejected and nothing reconnects.
    stop() {
        clearTimeout(this.reconnectTimer);
        this.reconnectTimer = null;
        this.stopped = true;
        const port = this.port;
        this.port = null;
        this.hello = null;
        this.drop(new HostError(ExtensionError.HOST_CRASHED, 'the port was closed'));
        port?.disconnect();
        this.setStatus({status: 'crashed', message: 'the port was closed'});
    }

    // Resolves with the result, rejects with a HostError ({code, message, data?}): the host's own error, or
    // one of ExtensionError's when the host is missing, gone, incompatible or too slow. While the port is
    // still connecting, the request waits for it (within its timeout).
    async request(method, params = {}, {timeoutMs} = {}) {
        const limit = timeoutMs ?? SLOW_METHODS[method] ?? this.requestTimeoutMs;
        const started = Date.now();
        if (this.current.status !== 'ready') {
            await this.whenReady(limit);
        }
        return this.send(method, params, Math.max(1, limit - (Date.now() - started)));
    }

    whenReady(timeoutMs) {
        if (this.current.status === 'ready') {
            return Promise.resolve();
        }
        if (this.current.status !== 'connecting') {
            return Promise.reject(this.unavailable());
        }
        return new Promise((resolve, reject) => {
            const waiter = {
                settle: (error) => {
                    clearTimeout(waiter.timer);
                    this.readyWaiters.delete(waiter);
                    if (error) {
                        reject(error);
                    } else {
                        resolve();
                    }
                },
            };
            waiter.timer = setTimeout(() => waiter.settle(
                new HostError(ExtensionError.HOST_TIMEOUT, 'the Sluice host did not start in time')), timeoutMs);
            this.readyWaiters.add(waiter);
        });
    }

    unavailable() {
        const codes = {
            'not-installed': ExtensionError.HOST_NOT_INSTALLED,
            'incompatible': ExtensionError.HOST_INCOMPATIBLE,
        };
        return new HostError(codes[this.current.status] ?? ExtensionError.HOST_CRASHED, this.current.message);
    }

    send(method, params, timeoutMs) {
        if (!this.port) {
            return Promise.reject(this.unavailable());
        }
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                this.pending.delete(id);
                reject(new HostError(ExtensionError.HOST_TIMEOUT, `no answer to ${method} within ${timeoutMs} ms`));
            }, timeoutMs);
            this.pending.set(id, {resolve, reject, timer, method});
            try {
                this.port.postMessage({jsonrpc: '2.0', id, method, params});
            } catch (error) {
                clearTimeout(timer);
                this.pending.delete(id);
                reject(new HostError(ExtensionError.HOST_CRASHED, `cannot write to the Sluice host: ${error.message}`));
            }
        });
    }

    connect() {
        this.stopped = false;
        this.reconnectTimer = null;
        this.wasReady = false;
        this.setStatus({status: 'connecting', message: 'starting the Sluice host'});
        let port;
        try {
            port = this.connectNative(this.hostName);
        } catch (error) {
            this.onDisconnect(null, error?.message ?? String(error));
            return;
        }
        this.port = port;
        port.onMessage.addListener((message) => {
            if (this.port === port) {
                this.onMessage(message);
            }
        });
        port.onDisconnect.addListener((p) => {
            // Read at once: Chromium only sets lastError during this callback, Firefox puts it on the port.
            const error = this.lastError()?.message ?? p?.error?.message ?? port.error?.message;
            if (this.port === port) {
                this.onDisconnect(port, error);
            }
        });
        this.sayHello(port);
    }

    async sayHello(port) {
        const client = {name: 'sluice-extension', version: this.clientVersion};
        if (this.origin) {
            client.origin = this.origin;
        }
        let hello;
        try {
            hello = await this.send('host.hello', {protocolVersion: PROTOCOL_VERSION, client}, this.helloTimeoutMs);
        } catch (error) {
            if (this.port === port) {
                this.log(`host.hello failed: ${error.message}`);
                this.closePort(port, {status: 'crashed', message: `the Sluice host did not answer: ${error.message}`});
            }
            return;
        }
        if (this.port !== port) {
            return;
        }
        if (hello?.protocolVersion !== PROTOCOL_VERSION) {
            const older = hello?.protocolVersion < PROTOCOL_VERSION ? 'the Sluice host' : 'the extension';
            this.hello = null;
            this.port = null;
            this.drop(new HostError(ExtensionError.HOST_INCOMPATIBLE, 'incompatible host'));
            port.disconnect();
            // No automatic retry: the same binary would answer the same; host.retry tries again after an update.
            this.setStatus({status: 'incompatible', protocolVersion: hello?.protocolVersion, version: hello?.version,
                message: `the Sluice host speaks protocol ${hello?.protocolVersion}, the extension ${PROTOCOL_VERSION}: ` +
                    `update ${older}`});
            return;
        }
        this.hello = hello;
        this.wasReady = true;
        this.nextDelayMs = this.backoff.initialMs;
        this.setStatus({status: 'ready', message: 'connected', version: hello.version,
            protocolVersion: hello.protocolVersion});
    }

    onMessage(message) {
        if (message === null || typeof message !== 'object') {
            return;
        }
        if (Object.hasOwn(message, 'id') && message.id !== null) {
            const waiter = this.pending.get(message.id);
            if (!waiter) {
                return; // an answer after its timeout
            }
            this.pending.delete(message.id);
            clearTimeout(waiter.timer);
            if (message.error) {
                const {code, message: text, data} = message.error;
                waiter.reject(new HostError(code, String(text ?? ''), data));
            } else {
                waiter.resolve(message.result);
            }
            return;
        }
        if (typeof message.method === 'string') {
            for (const listener of this.eventListeners) {
                try {
                    listener(message.method, message.params ?? {});
                } catch (error) {
                    this.log(`event listener failed on ${message.method}: ${error.message}`);
                }
            }
            return;
        }
        // id null: the host could not tell which request a framing error belonged to.
        this.log(`host error without a request: ${JSON.stringify(message.error ?? message).slice(0, 300)}`);
    }

    onDisconnect(port, error) {
        const notInstalled = !this.wasReady && NOT_INSTALLED.test(error ?? '');
        const status = notInstalled ? 'not-installed' : 'crashed';
        const message = notInstalled
            ? `the Sluice host is not installed (${error})`
            : `the Sluice host ${this.wasReady ? 'stopped' : 'could not start'}${error ? ` (${error})` : ''}`;
        this.closePort(port, {status, message});
    }

    // Forgets everything about this connection and schedules the next one.
    closePort(port, {status, message}) {
        this.port = null;
        this.hello = null;
        this.wasReady = false;
        const code = status === 'not-installed' ? ExtensionError.HOST_NOT_INSTALLED : ExtensionError.HOST_CRASHED;
        this.drop(new HostError(code, message));
        try {
            port?.disconnect();
        } catch {
            // already gone
        }
        if (this.stopped) {
            return;
        }
        const delay = this.nextDelayMs;
        this.nextDelayMs = Math.min(this.backoff.maxMs, delay * 2);
        this.reconnectTimer = setTimeout(() => this.connect(), delay);
        this.setStatus({status, message, retryInSeconds: Math.ceil(delay / 1000)});
    }

    drop(error) {
        for (const waiter of this.pending.values()) {
            clearTimeout(waiter.timer);
            waiter.reject(error);
        }
        this.pending.clear();
    }

    setStatus(status) {
        this.current = status;
        if (status.status !== 'connecting') {
            for (const waiter of [...this.readyWaiters]) {
                waiter.settle(status.status === 'ready' ? null : this.unavailable());
            }
        }
        for (const listener of this.statusListeners) {
            try {
                listener(this.status);
            } catch (error) {
                this.log(`status listener failed: ${error.message}`);
            }
        }
    }
}
