// The FAKE Stripe (publisher/fake-stripe) held to Stripe's wire format: authentication, form decoding,
// errors, idempotency, the hosted page, the test cards, refunds, lists, and webhooks with their signatures
// and the fake's delivery controls. A small HTTP server in the test stands for the gate's webhook endpoint.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {Buffer} from 'node:buffer';
import {spawn} from 'node:child_process';
import {createHmac, timingSafeEqual} from 'node:crypto';
import {createServer} from 'node:http';
import {once} from 'node:events';
import {URLSearchParams} from 'node:url';
import {setTimeout as sleep} from 'node:timers/promises';
import {startFakeStripe} from '../../publisher/fake-stripe/fake_stripe.mjs';

const serverScript = new URL('../../publisher/fake-stripe/server.mjs', import.meta.url).pathname;
const CARDS = {
    visa: '4242424242424242', declined: '4000000000000002', insufficient: '4000000000009995',
    chargeFails: '4000000000000341', needsAuth: '4000002760003184', failsFirst: '4000000000003055',
};

// ---- a webhook endpoint -------------------------------------------------------------------------------

async function startReceiver() {
    const received = [];
    const waiters = [];
    let failuresLeft = 0;
    const server = createServer((request, response) => {
        const chunks = [];
        request.on('data', (chunk) => chunks.push(chunk));
        request.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            const status = failuresLeft > 0 ? 500 : 200;
            failuresLeft = Math.max(0, failuresLeft - 1);
            received.push({headers: request.headers, body, event: JSON.parse(body), status, at: Date.now()});
            response.writeHead(status, {'Content-Type': 'application/json'}).end('{}');
            waiters.forEach((check) => check());
        });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return {
        url: `http://127.0.0.1:${server.address().port}/webhook`,
        received,
        failNext: (count) => {
            failuresLeft = count;
        },
        // Resolves with the deliveries that pass `filter` once there are at least `count` of them.
        waitFor(filter, count = 1, timeoutMs = 4000) {
            return new Promise((resolve, reject) => {
                const check = () => {
                    const matching = received.filter(filter);
                    if (matching.length >= count) {
                        waiters.splice(waiters.indexOf(check), 1);
                        clearTimeout(timer);
                        resolve(matching);
                    }
                };
                const timer = setTimeout(() => {
                    waiters.splice(waiters.indexOf(check), 1);
                    reject(new Error(`waited for ${count} webhooks, got ${received.filter(filter).length}`));
                }, timeoutMs);
                waiters.push(check);
                check();
            });
        },
        close: () => new Promise((resolve) => {
            server.closeAllConnections();
            server.close(resolve);
        }),
    };
}

// Stripe's scheme, checked as a receiver would: HMAC-SHA256 keyed with the whole secret over "<t>.<body>".
function verifySignature(header, body, secret) {
    const fields = Object.fromEntries(header.split(',').map((part) => part.split('=')));
    if (!/^\d+$/.test(fields.t ?? '') || !/^[0-9a-f]{64}$/.test(fields.v1 ?? '')) {
        return false;
    }
    const expected = createHmac('sha256', secret).update(`${fields.t}.${body}`).digest();
    return timingSafeEqual(expected, Buffer.from(fields.v1, 'hex'));
}

const signedAt = (delivery) => Number(/t=(\d+)/.exec(delivery.headers['stripe-signature'])[1]);
const aboutObject = (id) => (delivery) => delivery.event.data.object.id === id;

// ---- talking to the fake ------------------------------------------------------------------------------

// Stripe's bracket notation, from a nested object.
function encodeForm(value, prefix = '', pairs = []) {
    if (Array.isArray(value)) {
        value.forEach((item, index) => encodeForm(item, `${prefix}[${index}]`, pairs));
    } else if (value !== null && typeof value === 'object') {
        for (const [key, item] of Object.entries(value)) {
            encodeForm(item, prefix ? `${prefix}[${key}]` : key, pairs);
        }
    } else {
        pairs.push([prefix, String(value)]);
    }
    return pairs;
}

let fake;
let receiver;

async function call(method, path, params = {}, {key = fake.secretKey, idempotencyKey, raw} = {}) {
    const headers = {};
    if (key !== null) {
        headers.Authorization = `Bearer ${key}`;
    }
    if (idempotencyKey !== undefined) {
        headers['Idempotency-Key'] = idempotencyKey;
    }
    const form = raw ?? new URLSearchParams(encodeForm(params)).toString();
    let url = new URL(path.slice(1), fake.base).href;
    let body;
    if (method === 'GET') {
        url += form ? `?${form}` : '';
    } else {
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
        body = form;
    }
    const response = await fetch(url, {method, headers, body});
    const text = await response.text();
    return {status: response.status, headers: response.headers, text, json: JSON.parse(text)};
}

const post = (path, params, options) => call('POST', path, params, options);
const get = (path, params, options) => call('GET', path, params, options);

async function control(path, body) {
    const response = await fetch(new URL(path.slice(1), fake.base), {
        method: body === undefined ? 'GET' : 'POST', body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {status: response.status, json: await response.json()};
}

function paymentSession(extra = {}) {
    return post('/v1/checkout/sessions', {
        mode: 'payment',
        success_url: 'http://gate.test/paid?session={CHECKOUT_SESSION_ID}',
        cancel_url: 'http://gate.test/cancelled',
        line_items: [{
            price_data: {currency: 'eur', unit_amount: 1500, product_data: {name: 'Les Veilleurs — booklet'}},
            quantity: 1,
        }],
        payment_intent_data: {metadata: {payment_id: 'pay_1'}, description: 'Booklet, pay what you want'},
        ...extra,
    });
}

function setupSession(extra = {}) {
    return post('/v1/checkout/sessions', {
        mode: 'setup', currency: 'eur', success_url: 'http://gate.test/saved?s={CHECKOUT_SESSION_ID}',
        metadata: {description: 'Pledge of 15.00 EUR to Les Veilleurs'},
        setup_intent_data: {metadata: {pledge_id: 'pl_1'}},
        ...extra,
    });
}

// A card saved as a backer saves one: a setup-mode session completed on the page.
async function saveCard(number, email = 'backer@example.test') {
    const session = (await setupSession()).json;
    const outcome = fake.complete(session.id, number, email);
    assert.equal(outcome.status, 'complete');
    const setupIntent = (await get(`/v1/setup_intents/${session.setup_intent}`)).json;
    return {customer: setupIntent.customer, paymentMethod: setupIntent.payment_method, session};
}

function chargeOffSession(saved, options = {}, amount = 1500) {
    return post('/v1/payment_intents', {
        amount, currency: 'eur', customer: saved.customer, payment_method: saved.paymentMethod,
        confirm: true, off_session: true, metadata: {pledge_id: 'pl_1'},
    }, options);
}

before(async () => {
    receiver = await startReceiver();
    fake = await startFakeStripe({webhookUrl: receiver.url});
});

after(async () => {
    await fake.close();
    await receiver.close();
});

// ---- the tests ----------------------------------------------------------------------------------------

test('authentication: none, a wrong key (named back masked), Bearer and Basic with the right one', async () => {
    const none = await post('/v1/customers', {email: 'a@example.test'}, {key: null});
    assert.equal(none.status, 401);
    assert.equal(none.json.error.type, 'invalid_request_error');

    const wrong = await post('/v1/customers', {email: 'a@example.test'}, {key: 'sk_test_notTheRightKeyabcd'});
    assert.equal(wrong.status, 401);
    assert.match(wrong.json.error.message, /^Invalid API Key provided: sk_test_\*+abcd$/);
    assert.ok(!wrong.text.includes('notTheRight'));
    assert.match(wrong.headers.get('request-id'), /^req_[A-Za-z0-9]{14}$/);

    const bearer = await post('/v1/customers', {email: 'a@example.test'});
    assert.equal(bearer.status, 200);
    const basic = await fetch(new URL(`v1/customers/${bearer.json.id}`, fake.base), {
        headers: {Authorization: `Basic ${Buffer.from(`${fake.secretKey}:`).toString('base64')}`},
    });
    assert.equal(basic.status, 200);
    assert.equal((await basic.json()).email, 'a@example.test');
    // Only the API needs the key.
    assert.equal((await fetch(new URL('pay/cs_test_unknown', fake.base))).status, 404);
});

test('form decoding: bracket notation becomes hashes and arrays, in bodies and query strings', async () => {
    const raw = 'email=b%40example.test&metadata[pledge_id]=pl_42&metadata[note]=two+words&expand[]=x';
    const customer = await post('/v1/customers', {}, {raw});
    assert.equal(customer.status, 200);
    assert.deepEqual(customer.json.metadata, {pledge_id: 'pl_42', note: 'two words'});
    assert.match(customer.json.id, /^cus_[A-Za-z0-9]{14}$/);
    assert.equal(customer.json.object, 'customer');
    assert.equal(customer.json.livemode, false);

    const session = await post('/v1/checkout/sessions', {
        mode: 'payment', success_url: 'http://gate.test/ok',
        line_items: [
            {price_data: {currency: 'EUR', unit_amount: 1000, product_data: {name: 'A'}}, quantity: 2},
            {price_data: {currency: 'eur', unit_amount: 250, product_data: {name: 'B'}}, quantity: 1},
        ],
    });
    assert.equal(session.status, 200);
    assert.equal(session.json.amount_total, 2250);
    assert.equal(session.json.currency, 'eur');
    assert.match(session.json.id, /^cs_test_[A-Za-z0-9]+$/);

    const list = await get('/v1/payment_intents', {limit: 1, created: {gte: 0}});
    assert.equal(list.status, 200);
    assert.equal(list.json.object, 'list');
});

test('validation errors name the parameter as Stripe does', async () => {
    const cases = [
        [{mode: 'payment'}, 'parameter_missing', 'success_url'],
        [{mode: 'setup', success_url: 'http://gate.test/'}, 'parameter_missing', 'currency'],
        [{mode: 'payment', success_url: 'http://gate.test/'}, 'parameter_missing', 'line_items'],
        [{mode: 'payment', success_url: 'http://gate.test/', line_items: [{price_data: {currency: 'eur',
            unit_amount: 'ten', product_data: {name: 'A'}}, quantity: 1}]},
        'parameter_invalid_integer', 'line_items[0][price_data][unit_amount]'],
        [{mode: 'payment', success_url: 'http://gate.test/', line_items: [{price_data: {currency: 'eur',
            unit_amount: 100, product_data: {name: 'A'}, colour: 'red'}, quantity: 1}]},
        'parameter_unknown', 'line_items[0][price_data][colour]'],
    ];
    for (const [params, code, param] of cases) {
        const answer = await post('/v1/checkout/sessions', params);
        assert.equal(answer.status, 400, JSON.stringify(params));
        assert.equal(answer.json.error.type, 'invalid_request_error');
        assert.equal(answer.json.error.code, code);
        assert.equal(answer.json.error.param, param);
    }
    const badMode = await post('/v1/checkout/sessions', {mode: 'pay', success_url: 'http://gate.test/'});
    assert.equal(badMode.status, 400);
    assert.equal(badMode.json.error.param, 'mode');

    const missing = await get('/v1/payment_intents/pi_nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, 'resource_missing');
    assert.equal(missing.json.error.message, 'No such payment_intent: \'pi_nope\'');

    const unknown = await post('/v1/foo', {});
    assert.equal(unknown.status, 404);
    assert.match(unknown.json.error.message, /^Unrecognized request URL \(POST: \/v1\/foo\)\./);

    const json = await fetch(new URL('v1/customers', fake.base), {method: 'POST', body: '{"email":"x@y.z"}',
        headers: {Authorization: `Bearer ${fake.secretKey}`, 'Content-Type': 'application/json'}});
    assert.equal(json.status, 400);
});

test('payment mode: the page, a decline, then a payment; redirect and signed webhooks', async () => {
    const session = (await paymentSession({client_reference_id: 'pay_1', metadata: {bundle: 'les-veilleurs'}})).json;
    assert.equal(session.status, 'open');
    assert.equal(session.payment_status, 'unpaid');
    assert.equal(session.payment_intent, null);
    assert.equal(session.url, `${fake.base}pay/${session.id}`);
    assert.equal(session.expires_at - session.created, 24 * 3600);

    const pageResponse = await fetch(session.url);
    const html = await pageResponse.text();
    assert.equal(pageResponse.status, 200);
    assert.match(pageResponse.headers.get('content-type'), /^text\/html; charset=utf-8/);
    assert.match(pageResponse.headers.get('content-security-policy'), /default-src 'none'.*form-action 'self'/);
    assert.ok(html.includes('lang="en"'));
    assert.ok(html.includes('FAKE payment provider for tests and the demo — no real money, not Stripe'));
    assert.ok(html.includes('Les Veilleurs — booklet'));
    assert.ok(html.includes('€15.00'));
    assert.ok(html.includes('<label for="email">'));
    for (const number of Object.values(CARDS)) {
        assert.ok(html.includes(`data-card="${number}"`), number);
    }

    const pay = (card) => fetch(session.url, {method: 'POST', redirect: 'manual',
        headers: {'Content-Type': 'application/x-www-form-urlencoded'},
        body: new URLSearchParams({card, email: 'backer@example.test'})});
    const declined = await pay(CARDS.declined);
    assert.equal(declined.status, 402);
    assert.match(await declined.text(), /Your card was declined/);
    assert.equal((await get(`/v1/checkout/sessions/${session.id}`)).json.status, 'open');
    const notATestCard = await pay('5555555555554444');
    assert.equal(notATestCard.status, 400);
    assert.match(await notATestCard.text(), /not in the fake&#39;s test list/);

    const paid = await pay(CARDS.visa);
    assert.equal(paid.status, 303);
    assert.equal(paid.headers.get('location'), `http://gate.test/paid?session=${session.id}`);

    const done = (await get(`/v1/checkout/sessions/${session.id}`)).json;
    assert.equal(done.status, 'complete');
    assert.equal(done.payment_status, 'paid');
    assert.match(done.payment_intent, /^pi_[A-Za-z0-9]{24}$/);
    const paymentIntent = (await get(`/v1/payment_intents/${done.payment_intent}`)).json;
    assert.equal(paymentIntent.status, 'succeeded');
    assert.equal(paymentIntent.amount_received, 1500);
    assert.deepEqual(paymentIntent.metadata, {payment_id: 'pay_1'});
    assert.equal(paymentIntent.description, 'Booklet, pay what you want');

    const [failed] = await receiver.waitFor((d) => d.event.type === 'payment_intent.payment_failed' &&
        d.event.data.object.id === done.payment_intent);
    assert.equal(failed.event.data.object.last_payment_error.decline_code, 'generic_decline');
    const [succeeded] = await receiver.waitFor((d) => d.event.type === 'payment_intent.succeeded' &&
        d.event.data.object.id === done.payment_intent);
    const [completed] = await receiver.waitFor((d) => d.event.type === 'checkout.session.completed' &&
        d.event.data.object.id === session.id);
    assert.ok(succeeded.at <= completed.at, 'the charge is told before the session');
    for (const delivery of [failed, succeeded, completed]) {
        assert.match(delivery.event.id, /^evt_[A-Za-z0-9]{24}$/);
        assert.equal(delivery.event.object, 'event');
        assert.equal(delivery.event.api_version, '2024-06-20');
        assert.equal(delivery.event.livemode, false);
        assert.deepEqual(delivery.event.request, {id: null, idempotency_key: null});
        assert.match(delivery.headers['content-type'], /^application\/json; charset=utf-8$/);
        assert.ok(verifySignature(delivery.headers['stripe-signature'], delivery.body, fake.webhookSecret));
        assert.ok(Math.abs(signedAt(delivery) - Date.now() / 1000) < 5);
    }
    const tampered = completed.body.replace('"paid"', '"unpaid"');
    assert.notEqual(tampered, completed.body);
    assert.ok(!verifySignature(completed.headers['stripe-signature'], tampered, fake.webhookSecret));
    assert.ok(!verifySignature(completed.headers['stripe-signature'], completed.body, 'whsec_other'));
    assert.equal(completed.event.data.object.payment_status, 'paid');
    assert.equal(completed.event.data.object.payment_intent, done.payment_intent);
    assert.equal(completed.event.data.object.client_reference_id, 'pay_1');
    assert.deepEqual(completed.event.data.object.metadata, {bundle: 'les-veilleurs'});

    const again = await fetch(session.url);
    assert.match(await again.text(), /This checkout is complete/);
    const attempts = fake.records().chargeAttempts.filter((a) => a.paymentIntent === done.payment_intent);
    assert.deepEqual(attempts.map((a) => a.outcome), ['generic_decline', 'succeeded']);
});

test('setup mode: the card is saved on a new customer; setup_intent.succeeded carries it', async () => {
    const session = (await setupSession({customer_email: 'saver@example.test'})).json;
    assert.equal(session.mode, 'setup');
    assert.equal(session.payment_status, 'no_payment_required');
    assert.equal(session.amount_total, null);
    const pending = (await get(`/v1/setup_intents/${session.setup_intent}`)).json;
    assert.equal(pending.status, 'requires_payment_method');
    assert.equal(pending.usage, 'off_session');
    assert.deepEqual(pending.metadata, {pledge_id: 'pl_1'});

    const html = await (await fetch(session.url)).text();
    assert.ok(html.includes('Save a card for a later charge'));
    assert.ok(html.includes('Pledge of 15.00 EUR to Les Veilleurs'));

    const outcome = await control(`/_fake/complete/${session.id}`, {card: CARDS.visa});
    assert.equal(outcome.status, 200);
    assert.deepEqual(outcome.json, {status: 'complete', redirect: `http://gate.test/saved?s=${session.id}`});

    const [saved] = await receiver.waitFor((d) => d.event.type === 'setup_intent.succeeded' &&
        d.event.data.object.id === session.setup_intent);
    const setupIntent = saved.event.data.object;
    assert.equal(setupIntent.status, 'succeeded');
    assert.match(setupIntent.payment_method, /^pm_/);
    assert.match(setupIntent.customer, /^cus_/);
    assert.deepEqual(setupIntent.metadata, {pledge_id: 'pl_1'});
    const [completed] = await receiver.waitFor((d) => d.event.type === 'checkout.session.completed' &&
        d.event.data.object.id === session.id);
    assert.equal(completed.event.data.object.customer, setupIntent.customer);
    assert.equal(completed.event.data.object.setup_intent, setupIntent.id);
    assert.ok(verifySignature(saved.headers['stripe-signature'], saved.body, fake.webhookSecret));

    const paymentMethod = (await get(`/v1/payment_methods/${setupIntent.payment_method}`)).json;
    assert.equal(paymentMethod.customer, setupIntent.customer);
    assert.deepEqual([paymentMethod.type, paymentMethod.card.brand, paymentMethod.card.last4],
        ['card', 'visa', '4242']);
    const customer = (await get(`/v1/customers/${setupIntent.customer}`)).json;
    assert.equal(customer.email, 'saver@example.test');
    const second = await control(`/_fake/complete/${session.id}`, {card: CARDS.visa});
    assert.equal(second.status, 409);
});

test('off-session charges: each test card answers as Stripe documents', async () => {
    const visa = await saveCard(CARDS.visa);
    const ok = await chargeOffSession(visa);
    assert.equal(ok.status, 200);
    assert.equal(ok.json.object, 'payment_intent');
    assert.equal(ok.json.status, 'succeeded');
    assert.equal(ok.json.amount_received, 1500);
    assert.equal(ok.json.customer, visa.customer);
    assert.equal(ok.json.payment_method, visa.paymentMethod);
    assert.match(ok.json.latest_charge, /^ch_/);
    assert.deepEqual(ok.json.metadata, {pledge_id: 'pl_1'});

    const declines = [
        [CARDS.declined, 'card_declined', 'generic_decline', 'Your card was declined.'],
        [CARDS.insufficient, 'card_declined', 'insufficient_funds', 'Your card has insufficient funds.'],
        [CARDS.chargeFails, 'card_declined', 'generic_decline', 'Your card was declined.'],
        [CARDS.needsAuth, 'authentication_required', 'authentication_required',
            'Your card was declined. This transaction requires authentication.'],
    ];
    for (const [number, code, declineCode, message] of declines) {
        const saved = await saveCard(number);
        const answer = await chargeOffSession(saved);
        assert.equal(answer.status, 402, number);
        const {error} = answer.json;
        assert.deepEqual([error.type, error.code, error.decline_code, error.message],
            ['card_error', code, declineCode, message]);
        assert.match(error.charge, /^ch_/);
        assert.equal(error.payment_intent.status, 'requires_payment_method');
        assert.equal(error.payment_intent.last_payment_error.decline_code, declineCode);
        await receiver.waitFor((d) => d.event.type === 'payment_intent.payment_failed' &&
            d.event.data.object.id === error.payment_intent.id);
    }
    await receiver.waitFor((d) => d.event.type === 'payment_intent.succeeded' && d.event.data.object.id === ok.json.id);
});

test('the fake-only card 4000000000003055 fails its first off-session charge, then succeeds', async () => {
    const saved = await saveCard(CARDS.failsFirst);
    const first = await chargeOffSession(saved);
    assert.equal(first.status, 402);
    assert.equal(first.json.error.decline_code, 'insufficient_funds');
    const second = await chargeOffSession(saved);
    assert.equal(second.status, 200);
    assert.equal(second.json.status, 'succeeded');
    assert.equal((await chargeOffSession(saved)).status, 200);
});

test('saved cards: detached, another customer\'s, or unknown are refused', async () => {
    const saved = await saveCard(CARDS.visa);
    const other = await saveCard(CARDS.visa, 'other@example.test');
    const wrongOwner = await chargeOffSession({customer: other.customer, paymentMethod: saved.paymentMethod});
    assert.equal(wrongOwner.status, 400);
    assert.equal(wrongOwner.json.error.param, 'payment_method');
    const unknown = await chargeOffSession({customer: saved.customer, paymentMethod: 'pm_doesNotExist'});
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.error.code, 'resource_missing');

    const detached = await post(`/v1/payment_methods/${saved.paymentMethod}/detach`);
    assert.equal(detached.status, 200);
    assert.equal(detached.json.customer, null);
    const after = await chargeOffSession(saved);
    assert.equal(after.status, 400);
    assert.equal(after.json.error.type, 'invalid_request_error');
    assert.match(after.json.error.message, /previously used .*detached/);
});

test('idempotency: a replay is the same bytes and charges nothing; other parameters or a busy key are refused',
    async () => {
        const saved = await saveCard(CARDS.visa);
        const first = await chargeOffSession(saved, {idempotencyKey: 'charge-pl_1-1'});
        const replay = await chargeOffSession(saved, {idempotencyKey: 'charge-pl_1-1'});
        assert.equal(first.status, 200);
        assert.equal(replay.status, 200);
        assert.equal(replay.text, first.text);
        assert.equal(replay.headers.get('idempotent-replayed'), 'true');
        assert.equal(first.headers.get('idempotent-replayed'), null);
        assert.equal(replay.headers.get('original-request'), first.headers.get('request-id'));
        assert.equal(fake.records().chargeAttempts.filter((a) => a.idempotencyKey === 'charge-pl_1-1').length, 1);

        const declined = await saveCard(CARDS.declined);
        const failedFirst = await chargeOffSession(declined, {idempotencyKey: 'charge-declined'});
        const failedAgain = await chargeOffSession(declined, {idempotencyKey: 'charge-declined'});
        assert.equal(failedAgain.status, 402);
        assert.equal(failedAgain.text, failedFirst.text);

        const other = await chargeOffSession(saved, {idempotencyKey: 'charge-pl_1-1'}, 2000);
        assert.equal(other.status, 400);
        assert.equal(other.json.error.type, 'idempotency_error');
        assert.match(other.json.error.message,
            /^Keys for idempotent requests can only be used with the same parameters/);

        const tooLong = await chargeOffSession(saved, {idempotencyKey: 'k'.repeat(256)});
        assert.equal(tooLong.status, 400);

        // A request refused by validation keeps nothing: the key can then be used for the corrected request.
        const invalid = await post('/v1/payment_intents', {currency: 'eur'}, {idempotencyKey: 'fix-me'});
        assert.equal(invalid.json.error.code, 'parameter_missing');
        const fixed = await chargeOffSession(saved, {idempotencyKey: 'fix-me'});
        assert.equal(fixed.status, 200);
        assert.equal(fixed.headers.get('idempotent-replayed'), null);

        fake.fault('/v1/payment_intents', 'delay', 1, 400);
        const slow = chargeOffSession(saved, {idempotencyKey: 'busy-key'});
        await sleep(100);
        const busy = await chargeOffSession(saved, {idempotencyKey: 'busy-key'});
        assert.equal(busy.status, 409);
        assert.equal(busy.json.error.type, 'idempotency_error');
        assert.equal(busy.json.error.code, 'idempotency_key_in_use');
        assert.equal((await slow).status, 200);
        assert.equal(fake.records().chargeAttempts.filter((a) => a.idempotencyKey === 'busy-key').length, 1);
    });

test('faults: a dropped answer is kept under its key; a 500 keeps nothing', async () => {
    const saved = await saveCard(CARDS.visa);
    fake.fault('/v1/payment_intents', 'drop_response', 1);
    await assert.rejects(chargeOffSession(saved, {idempotencyKey: 'lost-answer'}));
    const charged = fake.records().chargeAttempts.filter((a) => a.idempotencyKey === 'lost-answer');
    assert.equal(charged.length, 1);
    assert.equal(charged[0].outcome, 'succeeded');

    const retry = await chargeOffSession(saved, {idempotencyKey: 'lost-answer'});
    assert.equal(retry.status, 200);
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.equal(retry.json.id, charged[0].paymentIntent);
    assert.equal(fake.records().chargeAttempts.filter((a) => a.idempotencyKey === 'lost-answer').length, 1);

    const faulted = await control('/_fake/faults', {path: '/v1/payment_intents', mode: 'error_500', count: 1});
    assert.equal(faulted.status, 200);
    const error = await chargeOffSession(saved, {idempotencyKey: 'server-error'});
    assert.equal(error.status, 500);
    assert.equal(error.json.error.type, 'api_error');
    assert.equal(fake.records().chargeAttempts.filter((a) => a.idempotencyKey === 'server-error').length, 0);
    const afterError = await chargeOffSession(saved, {idempotencyKey: 'server-error'});
    assert.equal(afterError.status, 200);
    assert.equal(afterError.headers.get('idempotent-replayed'), null);
});

test('refunds: partial, the rest, then nothing left; too large; charge.refunded and refund.created', async () => {
    const saved = await saveCard(CARDS.visa);
    const paymentIntent = (await chargeOffSession(saved)).json;
    const partial = await post('/v1/refunds', {payment_intent: paymentIntent.id, amount: 500,
        reason: 'requested_by_customer', metadata: {why: 'goal missed'}});
    assert.equal(partial.status, 200);
    assert.match(partial.json.id, /^re_/);
    assert.deepEqual([partial.json.object, partial.json.amount, partial.json.status, partial.json.charge],
        ['refund', 500, 'succeeded', paymentIntent.latest_charge]);
    let charge = (await get(`/v1/charges/${paymentIntent.latest_charge}`)).json;
    assert.deepEqual([charge.amount_refunded, charge.refunded], [500, false]);

    const tooLarge = await post('/v1/refunds', {payment_intent: paymentIntent.id, amount: 1001});
    assert.equal(tooLarge.status, 400);
    assert.equal(tooLarge.json.error.code, 'amount_too_large');

    const rest = await post('/v1/refunds', {payment_intent: paymentIntent.id});
    assert.equal(rest.json.amount, 1000);
    charge = (await get(`/v1/charges/${paymentIntent.latest_charge}`)).json;
    assert.deepEqual([charge.amount_refunded, charge.refunded], [1500, true]);

    const none = await post('/v1/refunds', {payment_intent: paymentIntent.id, amount: 1});
    assert.equal(none.status, 400);
    assert.equal(none.json.error.code, 'charge_already_refunded');

    const list = await get('/v1/refunds', {payment_intent: paymentIntent.id});
    assert.deepEqual(list.json.data.map((refund) => refund.id), [rest.json.id, partial.json.id]);

    const refunded = await receiver.waitFor((d) => d.event.type === 'charge.refunded' &&
        d.event.data.object.id === paymentIntent.latest_charge, 2);
    assert.deepEqual(refunded.map((d) => d.event.data.object.amount_refunded), [500, 1500]);
    assert.equal(refunded[1].event.data.object.payment_intent, paymentIntent.id);
    const created = await receiver.waitFor((d) => d.event.type === 'refund.created' &&
        d.event.data.object.payment_intent === paymentIntent.id, 2);
    assert.equal(created[0].event.request.id, partial.headers.get('request-id'));
});

test('lists: 250 payment intents paged by 100 with starting_after, newest first, each once', async () => {
    const customer = (await post('/v1/customers', {email: 'lister@example.test'})).json;
    const made = [];
    for (let i = 0; i < 250; i++) {
        const created = await post('/v1/payment_intents', {amount: 100 + i, currency: 'eur', customer: customer.id});
        made.push(created.json.id);
    }
    const seen = [];
    let startingAfter;
    let pages = 0;
    for (;;) {
        const params = {customer: customer.id, limit: 100, ...(startingAfter ? {starting_after: startingAfter} : {})};
        const page = (await get('/v1/payment_intents', params)).json;
        pages += 1;
        assert.equal(page.url, '/v1/payment_intents');
        seen.push(...page.data.map((intent) => intent.id));
        if (!page.has_more) {
            break;
        }
        startingAfter = page.data.at(-1).id;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...made].reverse());

    const before = (await get('/v1/payment_intents', {customer: customer.id, limit: 3, ending_before: made[10]})).json;
    assert.deepEqual(before.data.map((intent) => intent.id), [made[13], made[12], made[11]]);
    assert.equal(before.has_more, true);
    const future = (await get('/v1/payment_intents', {customer: customer.id, created: {gte: 4102444800}})).json;
    assert.deepEqual([future.data.length, future.has_more], [0, false]);
    const tooMany = await get('/v1/payment_intents', {limit: 101});
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.json.error.param, 'limit');
});

test('webhook controls: hold and release in reverse, duplicate, stale, delay, redeliver, retry', async () => {
    const saved = await saveCard(CARDS.visa);
    await fake.webhooks.idle();

    await control('/_fake/webhooks', {hold: true});
    const ids = [];
    for (let i = 0; i < 3; i++) {
        ids.push((await chargeOffSession(saved)).json.id);
    }
    await sleep(150);
    assert.equal(receiver.received.filter((d) => ids.includes(d.event.data.object.id)).length, 0);
    const held = (await control('/_fake/webhooks')).json;
    assert.ok(held.queued >= 3);
    await control('/_fake/webhooks', {hold: false});
    const released = await control('/_fake/webhooks/release', {order: 'reverse'});
    assert.equal(released.json.released, 3);
    const arrived = await receiver.waitFor((d) => ids.includes(d.event.data.object.id), 3);
    assert.deepEqual(arrived.map((d) => d.event.data.object.id), [...ids].reverse());

    fake.webhooks.duplicate(true);
    const twice = (await chargeOffSession(saved)).json.id;
    const pair = await receiver.waitFor(aboutObject(twice), 2);
    fake.webhooks.duplicate(false);
    assert.equal(pair[0].event.id, pair[1].event.id);
    assert.equal(pair[0].body, pair[1].body);
    assert.ok(pair.every((d) => verifySignature(d.headers['stripe-signature'], d.body, fake.webhookSecret)));

    fake.webhooks.stale(600);
    const stale = (await chargeOffSession(saved)).json.id;
    const [old] = await receiver.waitFor(aboutObject(stale));
    fake.webhooks.stale(0);
    assert.ok(Date.now() / 1000 - signedAt(old) >= 599);
    assert.ok(verifySignature(old.headers['stripe-signature'], old.body, fake.webhookSecret));

    fake.webhooks.delay(300);
    const answeredAt = Date.now();
    const late = (await chargeOffSession(saved)).json.id;
    const [lateDelivery] = await receiver.waitFor(aboutObject(late));
    fake.webhooks.delay(0);
    assert.ok(lateDelivery.at - answeredAt >= 300);

    const again = await control('/_fake/webhooks/redeliver', {id: lateDelivery.event.id});
    assert.equal(again.status, 200);
    assert.equal(again.json.attempts, 2);
    assert.equal((await receiver.waitFor((d) => d.event.id === lateDelivery.event.id, 2)).length, 2);

    receiver.failNext(1);
    const retried = (await chargeOffSession(saved)).json.id;
    const attempts = await receiver.waitFor(aboutObject(retried), 2);
    assert.deepEqual(attempts.map((d) => d.status), [500, 200]);
    await fake.webhooks.idle();
    const record = fake.webhooks.status().events.find((e) => e.id === attempts[0].event.id);
    assert.deepEqual([record.state, record.attempts, record.lastStatus], ['delivered', 2, 200]);
});

test('expiring a session: status expired, no URL, checkout.session.expired, the page says so', async () => {
    const session = (await paymentSession()).json;
    const expired = await post(`/v1/checkout/sessions/${session.id}/expire`);
    assert.equal(expired.status, 200);
    assert.deepEqual([expired.json.status, expired.json.url], ['expired', null]);
    await receiver.waitFor((d) => d.event.type === 'checkout.session.expired' && d.event.data.object.id === session.id);
    const pageResponse = await fetch(session.url);
    assert.equal(pageResponse.status, 410);
    assert.match(await pageResponse.text(), /expired/);
    assert.equal((await post(`/v1/checkout/sessions/${session.id}/expire`)).status, 400);
});

test('latency: every API answer takes at least latencyMs', async () => {
    const slow = await startFakeStripe({latencyMs: 150});
    try {
        const started = Date.now();
        const response = await fetch(new URL('v1/customers/cus_none', slow.base),
            {headers: {Authorization: `Bearer ${slow.secretKey}`}});
        assert.equal(response.status, 404);
        assert.ok(Date.now() - started >= 150);
    } finally {
        await slow.close();
    }
});

test('the command line prints one JSON line, serves, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [serverScript, '--port', '0'], {stdio: ['ignore', 'pipe', 'inherit']});
    const [line] = await new Promise((resolve) => {
        let text = '';
        child.stdout.on('data', (chunk) => {
            text += chunk;
            if (text.includes('\n')) {
                resolve(text.split('\n'));
            }
        });
    });
    const ready = JSON.parse(line);
    assert.match(ready.listening, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.match(ready.secretKey, /^sk_test_[A-Za-z0-9]+$/);
    assert.match(ready.webhookSecret, /^whsec_[A-Za-z0-9]+$/);
    const response = await fetch(new URL('v1/customers', ready.listening), {
        method: 'POST', body: 'email=c@example.test',
        headers: {Authorization: `Bearer ${ready.secretKey}`, 'Content-Type': 'application/x-www-form-urlencoded'},
    });
    assert.equal(response.status, 200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
});
