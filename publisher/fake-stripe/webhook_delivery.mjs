// Webhook delivery, as Stripe does it and with the misbehaviours a gate must survive on demand.
//
// Events are sent after the API call that caused them has answered. The events of one operation (a charge's
// `payment_intent.succeeded` then the session's `checkout.session.completed`) form a lane: the next one's
// first attempt starts once the previous one's first attempt has an answer, so they normally arrive in the
// order they happened. Lanes run side by side, at most `concurrency` attempts in flight in all, started in
// the order the events happened. A failed attempt (no answer, or not 2xx) is retried after each of
// `retryDelaysMs` in turn, then given up and counted as failed; retries do not hold back the lane.
//
// Controls (fake only): hold (keep events instead of sending; release() sends them one after another in a
// chosen order), duplicate (every delivery twice, same event, fresh signature), delayMs (wait before each
// delivery), staleSeconds (sign with a time that far in the past).
import {randomInt} from 'node:crypto';
import {clearTimeout, setTimeout} from 'node:timers';
import {URL} from 'node:url';
import {eventBody} from './events.mjs';
import {Slots} from './slots.mjs';
import {signatureHeader} from './webhook_signature.mjs';
import {createPoster} from './webhook_post.mjs';

const DEFAULT_RETRY_DELAYS_MS = [200, 500, 1000, 2000, 5000];

export function parseWebhookUrl(text) {
    let url;
    try {
        url = new URL(text);
    } catch {
        url = null;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        throw new Error(`the webhook URL must be an http(s) URL, not ${JSON.stringify(text)}`);
    }
    return url;
}

function ordered(records, order) {
    if (order === 'reverse') {
        return records.reverse();
    }
    if (order === 'shuffle') {
        for (let i = records.length - 1; i > 0; i--) {
            const j = randomInt(i + 1);
            [records[i], records[j]] = [records[j], records[i]];
        }
    }
    return records;
}

export function createWebhooks({secret, url = null, log = () => {}, concurrency = 16,
    retryDelaysMs = DEFAULT_RETRY_DELAYS_MS, tls}) {
    const settings = {hold: false, duplicate: false, delayMs: 0, staleSeconds: 0};
    let target = url ? parseWebhookUrl(url) : null;
    let closed = false;
    // Every event ever emitted, in order, with its delivery state: parked (no URL yet), held, pending,
    // delivered (a 2xx came back at least once) or failed (given up without one).
    const records = new Map();
    const held = [];
    const parked = [];
    const slots = new Slots(concurrency);
    const timers = new Set();
    const poster = createPoster({maxSockets: concurrency, tls});
    let active = 0;
    let idleWaiters = [];

    function later(ms, job) {
        const timer = setTimeout(() => {
            timers.delete(timer);
            job();
        }, ms);
        timers.add(timer);
    }

    const sleep = (ms) => new Promise((resolve) => later(ms, resolve));

    function begin() {
        active += 1;
    }

    function end() {
        active -= 1;
        if (active === 0) {
            const waiters = idleWaiters;
            idleWaiters = [];
            waiters.forEach((resolve) => resolve());
        }
    }

    function headers(body) {
        const signedAt = Math.floor(Date.now() / 1000) - settings.staleSeconds;
        return {
            'Content-Type': 'application/json; charset=utf-8',
            'User-Agent': 'FakeStripe/1.0 (fake payment provider for tests; not Stripe)',
            'Cache-Control': 'no-cache', Accept: '*/*; q=0.5, application/xml',
            'Stripe-Signature': signatureHeader(secret, body, signedAt),
        };
    }

    // One POST; answers whether it was taken (2xx). The event is signed now, not when it was made.
    async function attempt(record) {
        await slots.acquire();
        let status = 0;
        try {
            if (!closed && target) {
                const body = eventBody(record.event);
                status = await poster.post(target, body, headers(body));
            }
        } finally {
            slots.release();
        }
        record.attempts += 1;
        record.lastStatus = status;
        const taken = status >= 200 && status < 300;
        if (taken) {
            record.state = 'delivered';
        }
        log(`webhook ${record.event.id} ${record.event.type}: attempt ${record.attempts} -> ${status || 'no answer'}`);
        return taken;
    }

    function retry(record, round) {
        if (closed) {
            return;
        }
        if (round >= retryDelaysMs.length) {
            if (record.state !== 'delivered') {
                record.state = 'failed';
                log(`webhook ${record.event.id} ${record.event.type}: given up after ${record.attempts} attempts`);
            }
            return;
        }
        begin();
        later(retryDelaysMs[round], () => {
            attempt(record).then((taken) => {
                if (!taken) {
                    retry(record, round + 1);
                }
            }).finally(end);
        });
    }

    // One delivery of one event: its first attempt is awaited, its retries are not.
    async function deliverOnce(record) {
        if (record.state !== 'delivered') {
            record.state = 'pending';
        }
        if (settings.delayMs > 0) {
            await sleep(settings.delayMs);
        }
        if (!(await attempt(record))) {
            retry(record, 0);
        }
    }

    async function deliver(record) {
        await deliverOnce(record);
        if (settings.duplicate) {
            await deliverOnce(record);
        }
    }

    async function runLane(lane) {
        begin();
        try {
            for (const record of lane) {
                await deliver(record);
            }
        } finally {
            end();
        }
    }

    function park(lane) {
        lane.forEach((record) => {
            record.state = 'parked';
        });
        parked.push(lane);
    }

    // `events`: the events of one operation, in the order they happened.
    function emit(events) {
        if (events.length === 0 || closed) {
            return;
        }
        const lane = events.map((event) => ({event, state: 'pending', attempts: 0, lastStatus: null}));
        lane.forEach((record) => records.set(record.event.id, record));
        if (settings.hold) {
            lane.forEach((record) => {
                record.state = 'held';
                held.push(record);
            });
        } else if (!target) {
            park(lane);
        } else {
            runLane(lane);
        }
    }

    // Events made before a URL was known are sent once one is.
    function setUrl(text) {
        target = parseWebhookUrl(text);
        for (const lane of parked.splice(0)) {
            runLane(lane);
        }
    }

    // Sends every held event, one after another in the given order, each after the previous one's first
    // attempt; answers how many once all were tried.
    async function release(order = 'fifo') {
        if (!['fifo', 'reverse', 'shuffle'].includes(order)) {
            throw new Error('order must be fifo, reverse or shuffle');
        }
        const lane = ordered(held.splice(0), order);
        if (!target) {
            park(lane);
        } else {
            await runLane(lane);
        }
        return lane.length;
    }

    // Sends one event again (once, whatever `duplicate` says); answers its record, or null for no such event.
    async function redeliver(id) {
        const record = records.get(id);
        if (!record) {
            return null;
        }
        begin();
        try {
            await deliverOnce(record);
        } finally {
            end();
        }
        return summary(record);
    }

    function summary(record) {
        return {id: record.event.id, type: record.event.type, state: record.state, attempts: record.attempts,
            lastStatus: record.lastStatus};
    }

    function status() {
        const counts = {parked: 0, held: 0, pending: 0, delivered: 0, failed: 0};
        const events = [];
        for (const record of records.values()) {
            counts[record.state] += 1;
            events.push(summary(record));
        }
        return {
            url: target?.href ?? null, ...settings,
            queued: counts.parked + counts.held + counts.pending, delivered: counts.delivered, failed: counts.failed,
            events,
        };
    }

    // Resolves once nothing is being sent or waiting for a retry (held and parked events do not count).
    function idle() {
        return active === 0 || closed ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
    }

    function configure({hold, duplicate, delayMs, staleSeconds}) {
        if (hold !== undefined) {
            settings.hold = Boolean(hold);
        }
        if (duplicate !== undefined) {
            settings.duplicate = Boolean(duplicate);
        }
        if (delayMs !== undefined) {
            settings.delayMs = Math.max(0, Number(delayMs) || 0);
        }
        if (staleSeconds !== undefined) {
            settings.staleSeconds = Math.max(0, Number(staleSeconds) || 0);
        }
    }

    function close() {
        closed = true;
        timers.forEach((timer) => clearTimeout(timer));
        timers.clear();
        poster.close();
        const waiters = idleWaiters;
        idleWaiters = [];
        waiters.forEach((resolve) => resolve());
    }

    return {emit, setUrl, release, redeliver, status, idle, configure, close};
}
