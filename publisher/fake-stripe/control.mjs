// The fake's own control endpoints under /_fake/ (none of them exists at Stripe): webhook delivery
// behaviour, injected faults, the record of what happened, and completing a checkout without a browser.
// They take and answer JSON and need no key; the fake listens on loopback.
import {readBody, parseJsonObject, sendJson} from './http_util.mjs';

const COMPLETE_STATUS = {complete: 200, declined: 402, refused: 400, expired: 410, already_complete: 409, missing: 404};

class ControlError extends Error {
    constructor(status, message) {
        super(message);
        this.status = status;
    }
}

function check(condition, message) {
    if (!condition) {
        throw new ControlError(400, message);
    }
}

function parseWebhookSettings(body) {
    const {url, hold, duplicate, delayMs, staleSeconds} = body;
    check(url === undefined || typeof url === 'string', 'url must be a string');
    check(hold === undefined || typeof hold === 'boolean', 'hold must be true or false');
    check(duplicate === undefined || typeof duplicate === 'boolean', 'duplicate must be true or false');
    for (const [name, value] of [['delayMs', delayMs], ['staleSeconds', staleSeconds]]) {
        check(value === undefined || (Number.isFinite(value) && value >= 0), `${name} must be a number >= 0`);
    }
    return {url, hold, duplicate, delayMs, staleSeconds};
}

export function createControlHandler({webhooks, faults, complete, records, seed, latency}) {
    function configureWebhooks(body) {
        const {url, ...settings} = parseWebhookSettings(body);
        if (url !== undefined) {
            try {
                webhooks.setUrl(url);
            } catch (error) {
                throw new ControlError(400, error.message);
            }
        }
        webhooks.configure(settings);
        const status = webhooks.status();
        delete status.events;
        return status;
    }

    async function release(body) {
        try {
            return {released: await webhooks.release(body.order ?? 'fifo')};
        } catch (error) {
            throw new ControlError(400, error.message);
        }
    }

    async function redeliver(body) {
        check(typeof body.id === 'string', 'id must be an event id');
        const result = await webhooks.redeliver(body.id);
        if (!result) {
            throw new ControlError(404, `no event ${body.id}`);
        }
        return result;
    }

    function addFault(body) {
        try {
            return {fault: faults.add(body)};
        } catch (error) {
            throw new ControlError(400, error.message);
        }
    }

    function completeCheckout(sessionId, body) {
        check(typeof body.card === 'string', 'card must be a test card number');
        check(body.email === undefined || typeof body.email === 'string', 'email must be a string');
        const outcome = complete(sessionId, body.card, body.email);
        return [COMPLETE_STATUS[outcome.status], outcome];
    }

    const routes = {
        'GET /_fake/webhooks': () => webhooks.status(),
        'POST /_fake/webhooks': configureWebhooks,
        'POST /_fake/webhooks/release': release,
        'POST /_fake/webhooks/redeliver': redeliver,
        'GET /_fake/faults': () => ({faults: faults.list()}),
        'POST /_fake/faults': addFault,
        'GET /_fake/records': () => records(),
        'POST /_fake/latency': (body) => {
            check(Number.isFinite(body.ms) && body.ms >= 0, 'ms must be a number >= 0');
            latency.ms = body.ms;
            return {ms: latency.ms};
        },
        // Customers, each with a saved card, made at once: what a benchmark needs by the hundred thousand.
        'POST /_fake/seed': (body) => {
            check(Number.isInteger(body.customers) && body.customers > 0 && body.customers <= 1000000,
                'customers must be a whole number from 1 to 1000000');
            check(body.card === undefined || typeof body.card === 'string', 'card must be a test card number');
            return {customers: seed(body.customers, body.card ?? '4242424242424242')};
        },
    };

    async function answer(request, path) {
        const body = request.method === 'POST' ? parseJsonObject(await readBody(request)) : {};
        const completeMatch = /^\/_fake\/complete\/([^/]+)$/.exec(path);
        if (completeMatch && request.method === 'POST') {
            return completeCheckout(decodeURIComponent(completeMatch[1]), body);
        }
        const route = routes[`${request.method} ${path}`];
        if (!route) {
            throw new ControlError(404, `no control endpoint ${request.method} ${path}`);
        }
        return [200, await route(body)];
    }

    return async function handleControl(request, response, url) {
        try {
            const [status, value] = await answer(request, url.pathname);
            sendJson(response, status, value);
        } catch (error) {
            const status = error instanceof ControlError ? error.status : 400;
            sendJson(response, status, {error: {message: error.message}});
        }
    };
}
