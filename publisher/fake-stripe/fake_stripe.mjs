// A FAKE Stripe for tests and the demo: an HTTP server that speaks the part of Stripe's v1 API the gate's
// Stripe adapter uses (Checkout Sessions, PaymentIntents, SetupIntents, PaymentMethods, Customers, Refunds),
// with Stripe's form encoding, errors, idempotency and signed webhooks, and a hosted checkout page offering
// Stripe's test cards. It is not Stripe and moves no money; see README.md beside it.
import {createServer} from 'node:http';
import {clearInterval, setInterval} from 'node:timers';
import {URL} from 'node:url';
import {createApiHandler} from './api_pipeline.mjs';
import {completeSession, seedCustomers} from './checkout_complete.mjs';
import {createControlHandler} from './control.mjs';
import {createEvent} from './events.mjs';
import {Faults} from './faults.mjs';
import {sendJson, send} from './http_util.mjs';
import {IdempotencyStore} from './idempotency.mjs';
import {base62} from './ids.mjs';
import {page} from './pay_page.mjs';
import {createPayHandler} from './pay_routes.mjs';
import {createPayments} from './payments.mjs';
import {records} from './records.mjs';
import {sweepExpired} from './sessions.mjs';
import {createStore} from './store.mjs';
import {createWebhooks} from './webhook_delivery.mjs';

const EXPIRY_SWEEP_MS = 10000;
const NO_REQUEST = {id: null, idempotency_key: null};

export const randomSecretKey = () => `sk_test_${base62(32)}`;
export const randomWebhookSecret = () => `whsec_${base62(32)}`;

// Only test-mode keys: a live key given to a fake by mistake must not be accepted, nor end up in its logs.
function checkSecretKey(key) {
    if (typeof key !== 'string' || !/^sk_test_[A-Za-z0-9_-]{8,}$/.test(key)) {
        throw new Error('the fake takes only a test-mode secret key: sk_test_ then at least 8 letters or digits');
    }
    return key;
}

function checkWebhookSecret(secret) {
    if (typeof secret !== 'string' || secret.length < 8) {
        throw new Error('the webhook signing secret must be a string of at least 8 characters');
    }
    return secret;
}

function baseUrl(server, host) {
    const {port} = server.address();
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`;
}

function indexPage() {
    return page('FAKE Stripe', `<h1>FAKE Stripe</h1>
<p>This server imitates part of Stripe's API for tests and the demo. It is not Stripe, it takes no real
card and moves no money. Its API is under <code>/v1/</code>, its checkout pages under <code>/pay/</code>
and its own controls under <code>/_fake/</code>.</p>`);
}

function listen(server, host, port) {
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
        });
    });
}

export async function startFakeStripe({host = '127.0.0.1', port = 0, secretKey = randomSecretKey(),
    webhookSecret = randomWebhookSecret(), webhookUrl = null, latencyMs = 0, log = () => {},
    webhookTls = {}} = {}) {
    checkSecretKey(secretKey);
    checkWebhookSecret(webhookSecret);
    const store = createStore();
    const payments = createPayments(store);
    const idempotency = new IdempotencyStore();
    const faults = new Faults();
    const webhooks = createWebhooks({secret: webhookSecret, url: webhookUrl, log, tls: webhookTls});
    const emit = (events) => webhooks.emit(events.map(({type, json}) => createEvent(type, json, NO_REQUEST)));

    // What POST /_fake/complete and the module's complete() do: the page's form submit, answered as JSON.
    function complete(sessionId, card, email = null) {
        const {events, ...outcome} = completeSession({store, payments}, sessionId, card, email);
        emit(events);
        return outcome;
    }
    const getRecords = () => records(store, idempotency);

    // Changeable while running (POST /_fake/latency): a benchmark seeds its customers fast, then measures.
    const latency = {ms: latencyMs};
    const server = createServer();
    await listen(server, host, port);
    const base = baseUrl(server, host);
    const handlers = {
        api: createApiHandler({secretKey, store, payments, base, idempotency, faults, webhooks, latency, log}),
        pay: createPayHandler({store, payments, webhooks}),
        control: createControlHandler({webhooks, faults, complete, records: getRecords,
            seed: (count, card) => seedCustomers(store, count, card), latency}),
    };
    server.on('request', (request, response) => dispatch(handlers, request, response, log));
    const sweep = setInterval(() => sweepExpired(store).forEach(emit), EXPIRY_SWEEP_MS);
    sweep.unref();

    return {
        base, secretKey, webhookSecret,
        setWebhookUrl: (url) => webhooks.setUrl(url),
        complete,
        records: getRecords,
        webhooks: {
            hold: (on = true) => webhooks.configure({hold: on}),
            duplicate: (on = true) => webhooks.configure({duplicate: on}),
            delay: (ms) => webhooks.configure({delayMs: ms}),
            stale: (seconds) => webhooks.configure({staleSeconds: seconds}),
            release: (order = 'fifo') => webhooks.release(order),
            redeliver: (id) => webhooks.redeliver(id),
            status: () => webhooks.status(),
            idle: () => webhooks.idle(),
        },
        fault: (path, mode, count = 1, delayMs = 0) => faults.add({path, mode, count, delayMs}),
        close: () => close(server, webhooks, sweep),
    };
}

function route(pathname) {
    if (pathname.startsWith('/v1/')) {
        return 'api';
    }
    if (pathname.startsWith('/pay/')) {
        return 'pay';
    }
    return pathname.startsWith('/_fake/') ? 'control' : null;
}

async function dispatch(handlers, request, response, log) {
    const url = new URL(request.url, 'http://fake-stripe.invalid');
    const kind = route(url.pathname);
    try {
        if (kind) {
            await handlers[kind](request, response, url);
        } else if (url.pathname === '/' && request.method === 'GET') {
            send(response, 200, indexPage(), {'Content-Type': 'text/html; charset=utf-8'});
        } else {
            sendJson(response, 404, {error: {message: `nothing at ${url.pathname}: this is a FAKE Stripe`}});
        }
    } catch (error) {
        log(`${request.method} ${url.pathname}: ${error.stack}`);
        if (!response.headersSent && !response.destroyed) {
            sendJson(response, 500, {error: {type: 'api_error', message: 'The fake payment provider failed.'}});
        } else {
            response.destroy();
        }
    }
}

// Stops accepting, cuts open connections (keep-alive ones included), and stops every webhook timer.
function close(server, webhooks, sweep) {
    clearInterval(sweep);
    webhooks.close();
    return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
    });
}
