// A Checkout Session's life after creation: it expires at `expires_at` (noticed when it is next looked at,
// and by a sweep every few seconds so the webhook comes even if nobody looks), or on request; it completes
// through the hosted page (checkout_complete.mjs), which sends the backer to the success URL.
import {nowSeconds} from './clock.mjs';

export const sessionEvent = (type, session) => ({type, json: JSON.stringify(session)});

// Answers the events to send. Stripe clears `url` once a session can no longer be paid.
export function expireSession(store, session) {
    session.status = 'expired';
    session.url = null;
    store.openSessions.delete(session.id);
    return [sessionEvent('checkout.session.expired', session)];
}

export function expireIfDue(store, session, now = nowSeconds()) {
    return session.status === 'open' && now >= session.expires_at ? expireSession(store, session) : [];
}

// Answers one list of events per session expired now.
export function sweepExpired(store) {
    const now = nowSeconds();
    const lanes = [];
    for (const id of store.openSessions) {
        const events = expireIfDue(store, store.sessions.get(id), now);
        if (events.length > 0) {
            lanes.push(events);
        }
    }
    return lanes;
}

// Stripe's template variable in a success URL, replaced by the session's id.
export function successRedirect(session) {
    return session.success_url.replaceAll('{CHECKOUT_SESSION_ID}', session.id);
}
