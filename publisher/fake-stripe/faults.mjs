// Injected faults (fake only) for the next N API requests on a path: `drop_response` executes the request
// (its answer kept under its idempotency key) and then cuts the connection without answering, the lost
// answer a client must retry safely; `error_500` answers a 500 api_error without executing; `delay` waits
// before executing. Faults on one path are used in the order they were added.
const MODES = ['drop_response', 'error_500', 'delay'];

export function parseFault({path, mode, count = 1, delayMs = 0, method = null}) {
    if (typeof path !== 'string' || !path.startsWith('/')) {
        throw new Error('path must be a URL path such as /v1/payment_intents');
    }
    if (!MODES.includes(mode)) {
        throw new Error(`mode must be one of ${MODES.join(', ')}`);
    }
    if (!Number.isInteger(count) || count < 1) {
        throw new Error('count must be a positive integer');
    }
    if (!Number.isFinite(delayMs) || delayMs < 0) {
        throw new Error('delayMs must be a number of milliseconds');
    }
    if (method !== null && typeof method !== 'string') {
        throw new Error('method must be an HTTP method such as POST');
    }
    return {path, mode, remaining: count, delayMs, method: method?.toUpperCase() ?? null};
}

export class Faults {
    constructor() {
        this.pending = [];
    }

    add(fields) {
        const fault = parseFault(fields);
        this.pending.push(fault);
        return fault;
    }

    // The fault for this request, if one is waiting for it; each use counts down.
    take(method, path) {
        const index = this.pending.findIndex((fault) => fault.path === path &&
            (!fault.method || fault.method === method));
        if (index < 0) {
            return null;
        }
        const fault = this.pending[index];
        fault.remaining -= 1;
        if (fault.remaining === 0) {
            this.pending.splice(index, 1);
        }
        return fault;
    }

    list() {
        return this.pending.map(({path, mode, remaining, delayMs, method}) =>
            ({path, mode, remaining, delayMs, method}));
    }
}
