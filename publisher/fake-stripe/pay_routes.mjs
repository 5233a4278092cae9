// GET /pay/:session_id shows the hosted checkout page; POST /pay/:session_id (form: card, email) pays or
// saves the card and sends the browser on to the success URL with 303 See Other. No API key: this is the
// backer's browser, which knows only the session's URL.
import {URL, URLSearchParams} from 'node:url';
import {completeSession} from './checkout_complete.mjs';
import {createEvent} from './events.mjs';
import {readBody, send} from './http_util.mjs';
import {checkoutPage, messagePage} from './pay_page.mjs';
import {expireIfDue, successRedirect} from './sessions.mjs';

const SESSION_ID = /^cs_test_[A-Za-z0-9]{1,100}$/;
// What the backer does on the page comes from no API request, so its events name none.
const NO_REQUEST = {id: null, idempotency_key: null};

// Chromium applies form-action to where a form submission is redirected, so the success URL's origin is
// allowed beside the page's own.
function pageHeaders(session) {
    const successOrigin = session ? ` ${new URL(session.success_url).origin}` : '';
    return {
        'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; " +
            `form-action 'self'${successOrigin}; base-uri 'none'; frame-ancestors 'none'`,
    };
}

function declinedText(error) {
    const detail = error.message === 'Your card was declined.' ? '' : ` ${error.message}`;
    return `Your card was declined.${detail} Nothing was charged; you may try another card.`;
}

function goneText(session) {
    return session.status === 'expired' ? 'This checkout has expired. Nothing was charged.'
        : 'This checkout is already complete.';
}

export function createPayHandler({store, payments, webhooks}) {
    const emit = (events) => webhooks.emit(events.map(({type, json}) => createEvent(type, json, NO_REQUEST)));

    function showPage(response, session) {
        const extra = store.sessions.extra(session.id);
        emit(expireIfDue(store, session));
        if (session.status === 'open') {
            send(response, 200, checkoutPage(session, extra), pageHeaders(session));
        } else if (session.status === 'complete') {
            send(response, 200, messagePage('This checkout is complete', goneText(session),
                {href: successRedirect(session), label: 'Continue'}), pageHeaders(session));
        } else {
            const back = session.cancel_url ? {href: session.cancel_url, label: 'Go back'} : null;
            send(response, 410, messagePage('This checkout has expired', goneText(session), back),
                pageHeaders(session));
        }
    }

    async function submit(request, response, session) {
        const form = new URLSearchParams(await readBody(request, 64 * 1024));
        const outcome = completeSession({store, payments}, session.id, form.get('card'),
            form.get('email')?.trim() || null);
        const extra = store.sessions.extra(session.id);
        if (outcome.status === 'complete' || outcome.status === 'already_complete') {
            send(response, 303, '', {...pageHeaders(session), Location: outcome.redirect});
        } else if (outcome.status === 'declined') {
            send(response, 402, checkoutPage(session, extra, declinedText(outcome.error)), pageHeaders(session));
        } else if (outcome.status === 'refused') {
            send(response, 400, checkoutPage(session, extra, outcome.message), pageHeaders(session));
        } else {
            send(response, 410, messagePage('This checkout has expired', goneText(session)), pageHeaders(session));
        }
        emit(outcome.events);
    }

    return async function handlePay(request, response, url) {
        const id = url.pathname.slice('/pay/'.length);
        const session = SESSION_ID.test(id) ? store.sessions.get(id) : undefined;
        if (!session) {
            send(response, 404, messagePage('No such checkout', 'This fake knows no checkout at this address.'),
                pageHeaders(null));
        } else if (request.method === 'GET' || request.method === 'HEAD') {
            showPage(response, session);
        } else if (request.method === 'POST') {
            await submit(request, response, session);
        } else {
            send(response, 405, messagePage('Not allowed', 'Use GET or POST.'),
                {...pageHeaders(null), Allow: 'GET, POST'});
        }
    };
}
