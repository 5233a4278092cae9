// Stripe's idempotent requests: the first answer given under a key (status and body) is kept and given again,
// byte for byte, to a repeat of the same request, which is not executed again. A key is scoped to the
// secret key that used it. A repeat with other parameters, or on another path, is refused; a repeat while
// the first is still running gets 409. As Stripe documents, an answer is kept only once the endpoint began
// executing: a request refused by parameter validation, or a fault injected before execution, keeps nothing
// and may be retried under the same key.
import {createHash} from 'node:crypto';

export const MAX_KEY_LENGTH = 255;

// Keys sorted at every level: `a=1&b=2` and `b=2&a=1` are the same parameters.
function canonical(value) {
    if (Array.isArray(value)) {
        return `[${value.map(canonical).join(',')}]`;
    }
    if (value && typeof value === 'object') {
        const keys = Object.keys(value).sort();
        return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
    }
    return JSON.stringify(value);
}

// A digest rather than the parameters themselves: 250,000 kept answers should not also keep their requests.
export function fingerprint(method, path, params) {
    return createHash('sha256').update(`${method} ${path} ${canonical(params)}`).digest('base64');
}

export class IdempotencyStore {
    constructor() {
        this.entries = new Map();
        this.kept = 0;
    }

    // Answers one of {kind: 'replay', entry} | {kind: 'mismatch'} | {kind: 'in_use'} | {kind: 'fresh'}; a fresh
    // key is taken by this request until keep() or forget().
    claim(scope, key, print) {
        const name = `${scope}\u0000${key}`;
        const entry = this.entries.get(name);
        if (!entry) {
            this.entries.set(name, {state: 'running', print});
            return {kind: 'fresh'};
        }
        if (entry.state === 'running') {
            return {kind: 'in_use'};
        }
        return entry.print === print ? {kind: 'replay', entry} : {kind: 'mismatch'};
    }

    // `answer`: {status, body, requestId}.
    keep(scope, key, answer) {
        const entry = this.entries.get(`${scope}\u0000${key}`);
        Object.assign(entry, answer, {state: 'done'});
        this.kept += 1;
    }

    forget(scope, key) {
        this.entries.delete(`${scope}\u0000${key}`);
    }
}
