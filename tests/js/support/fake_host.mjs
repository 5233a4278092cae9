// A stand-in for the background's HostPort: answers each method from a table the test fills, records every
// request, and lets the test play host events and status changes.
import {HostError} from '../../../extension/background/host_port.js';

export class FakeHost {
    constructor(answers = {}) {
        this.answers = answers;
        this.calls = [];
        this.eventListeners = new Set();
        this.statusListeners = new Set();
        this.status = {status: 'ready', message: 'connected', version: '0.1.0', protocolVersion: 1};
        this.retried = 0;
    }

    async request(method, params = {}) {
        this.calls.push({method, params: JSON.parse(JSON.stringify(params))});
        const answer = this.answers[method];
        if (answer === undefined) {
            throw new HostError(-32601, `no such method ${method}`);
        }
        if (answer instanceof HostError) {
            throw answer;
        }
        const value = typeof answer === 'function' ? answer(params) : JSON.parse(JSON.stringify(answer));
        if (value instanceof HostError) {
            throw value;
        }
        return value;
    }

    called(method) {
        return this.calls.filter((c) => c.method === method).map((c) => c.params);
    }

    onEvent(fn) {
        this.eventListeners.add(fn);
        return () => this.eventListeners.delete(fn);
    }

    onStatus(fn) {
        this.statusListeners.add(fn);
        return () => this.statusListeners.delete(fn);
    }

    emit(method, params) {
        this.eventListeners.forEach((fn) => fn(method, params));
    }

    retry() {
        this.retried += 1;
    }
}
