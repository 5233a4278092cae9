// What every /v1 request goes through, in Stripe's order: authentication, routing, decoding the form,
// the Idempotency-Key (a kept answer is replayed, a key still in use is refused), then, for a request that
// executes, the injected fault and latency, parameter validation, the operation itself, keeping its answer
// under the key, answering, and last the webhooks the operation caused.
import {setTimeout as sleep} from 'node:timers/promises';
import {authenticate} from './auth.mjs';
import {findRoute} from './api_routes.mjs';
import {ApiError, apiError, idempotencyError, invalidRequest, unrecognizedUrl} from './errors.mjs';
import {API_VERSION, createEvent} from './events.mjs';
import {decodeForm} from './form.mjs';
import {BodyTooLarge, readBody, sendJson} from './http_util.mjs';
import {fingerprint, MAX_KEY_LENGTH} from './idempotency.mjs';
import {newId} from './ids.mjs';

const FORM_TYPE = 'application/x-www-form-urlencoded';

function decodeParams(request, url, rawBody) {
    if (request.method === 'GET') {
        return decodeForm(url.search.slice(1));
    }
    const type = (request.headers['content-type'] ?? FORM_TYPE).split(';')[0].trim().toLowerCase();
    if (rawBody !== '' && type !== FORM_TYPE) {
        throw invalidRequest(`Invalid request: unsupported Content-Type ${type}. Stripe's API, and so this fake, ` +
            `takes form-encoded parameters (${FORM_TYPE}).`);
    }
    return decodeForm(rawBody);
}

// Stripe reads the key on POST only; it has no effect on GET.
function idempotencyKeyOf(request) {
    const key = request.method === 'POST' ? request.headers['idempotency-key'] ?? '' : '';
    if (key.length > MAX_KEY_LENGTH) {
        throw invalidRequest(`Idempotency-Key must be at most ${MAX_KEY_LENGTH} characters long; this one has ` +
            `${key.length}.`);
    }
    return key === '' ? null : key;
}

const errorAnswer = (error, keep) => ({status: error.status, body: JSON.stringify(error.body), keep});

function mismatch(key) {
    return idempotencyError('Keys for idempotent requests can only be used with the same parameters they were first ' +
        `used with. Use another key than '${key}' for a different request.`);
}

function keyInUse(key) {
    return idempotencyError(`Another request with the Idempotency-Key '${key}' is still being processed. Retry ` +
        'once it has been answered.', 'idempotency_key_in_use');
}

export function createApiHandler({secretKey, store, payments, base, idempotency, faults, webhooks, latency, log}) {
    const pause = () => (latency.ms > 0 ? sleep(latency.ms) : null);

    // Runs the route; answers {status, body, keep, drop}. A fault injected before execution keeps nothing.
    async function execute(found, params, ctx, method, path) {
        const fault = faults.take(method, path);
        if (fault?.mode === 'error_500') {
            await pause();
            return errorAnswer(apiError(), false);
        }
        if (fault?.mode === 'delay') {
            await sleep(fault.delayMs);
        }
        await pause();
        const drop = fault?.mode === 'drop_response';
        let input;
        try {
            input = found.route.parse(params, found.pathParams);
        } catch (error) {
            if (error instanceof ApiError) {
                return {...errorAnswer(error, false), drop};
            }
            throw error;
        }
        return {...runRoute(found.route, input, ctx), drop};
    }

    // Stripe keeps the answer of an execution that began, a 500 included.
    function runRoute(route, input, ctx) {
        try {
            const result = route.run(input, ctx);
            return {status: 200, body: result.json ?? JSON.stringify(result.object), keep: true};
        } catch (error) {
            if (error instanceof ApiError) {
                return errorAnswer(error, true);
            }
            log(`error in ${route.method} ${route.path}: ${error.stack}`);
            return errorAnswer(apiError('The fake payment provider failed on an unexpected error.'), true);
        }
    }

    async function executeOnce(found, params, ctx, method, path) {
        const key = ctx.request.idempotencyKey;
        const claim = idempotency.claim(secretKey, key, fingerprint(method, path, params));
        if (claim.kind !== 'fresh') {
            await pause();
            if (claim.kind === 'replay') {
                const {status, body, requestId} = claim.entry;
                return {status, body, replayed: true, originalRequest: requestId};
            }
            return errorAnswer(claim.kind === 'in_use' ? keyInUse(key) : mismatch(key), false);
        }
        let answer = null;
        try {
            answer = await execute(found, params, ctx, method, path);
        } finally {
            if (answer?.keep) {
                idempotency.keep(secretKey, key, {status: answer.status, body: answer.body, requestId: ctx.request.id});
            } else {
                idempotency.forget(secretKey, key);
            }
        }
        return {...answer, originalRequest: ctx.request.id};
    }

    async function answer(request, url, ctx) {
        const {method} = request;
        const path = url.pathname;
        let found;
        let params;
        try {
            const rawBody = await readBody(request);
            authenticate(request.headers.authorization, secretKey);
            found = findRoute(method, path);
            if (!found) {
                throw unrecognizedUrl(method, path);
            }
            params = decodeParams(request, url, rawBody);
            ctx.request.idempotencyKey = idempotencyKeyOf(request);
        } catch (error) {
            if (error instanceof BodyTooLarge) {
                return errorAnswer(invalidRequest(error.message, {status: 413}), false);
            }
            if (!(error instanceof ApiError)) {
                throw error;
            }
            await pause();
            return errorAnswer(error, false);
        }
        return ctx.request.idempotencyKey === null ? execute(found, params, ctx, method, path)
            : executeOnce(found, params, ctx, method, path);
    }

    function headersFor(request, ctx, result) {
        const headers = {
            'Request-Id': ctx.request.id,
            'Stripe-Version': request.headers['stripe-version'] ?? API_VERSION,
        };
        if (result.status === 401) {
            headers['WWW-Authenticate'] = 'Basic realm="FakeStripe"';
        }
        if (ctx.request.idempotencyKey !== null) {
            headers['Idempotency-Key'] = ctx.request.idempotencyKey;
            if (result.originalRequest) {
                headers['Original-Request'] = result.originalRequest;
            }
        }
        if (result.replayed) {
            headers['Idempotent-Replayed'] = 'true';
        }
        return headers;
    }

    return async function handleApi(request, response, url) {
        const started = Date.now();
        const ctx = {store, payments, base, request: {id: newId('req_'), idempotencyKey: null}, events: []};
        const result = await answer(request, url, ctx);
        if (result.drop) {
            request.socket.destroy();
        } else if (!response.destroyed) {
            sendJson(response, result.status, result.body, headersFor(request, ctx, result));
        }
        const requestInfo = {id: ctx.request.id, idempotency_key: ctx.request.idempotencyKey};
        webhooks.emit(ctx.events.map(({type, json}) => createEvent(type, json, requestInfo)));
        log(`${request.method} ${url.pathname} ${result.drop ? 'dropped' : result.status}` +
            `${result.replayed ? ' (replayed)' : ''} ${Date.now() - started}ms`);
    };
}
