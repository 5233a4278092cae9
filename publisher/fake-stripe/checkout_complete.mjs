// What happens when the backer pays on the hosted page (or a test does the same through
// POST /_fake/complete/:id): in payment mode the session's PaymentIntent is charged on-session (a declined
// card leaves the session open for another try, as Stripe Checkout does); in setup mode the card is saved
// on the session's customer, created if there is none, for later off-session charges.
import {findTestCard} from './cards.mjs';
import {customerObject, paymentMethodObject} from './objects.mjs';
import {expireIfDue, sessionEvent, successRedirect} from './sessions.mjs';

function addPaymentMethod(store, number, customer, email) {
    return store.paymentMethods.add(paymentMethodObject({number, customer, email}),
        {number, offSessionCharges: 0, spent: false, detached: false});
}

function finish(store, session, email) {
    session.status = 'complete';
    session.url = null;
    session.customer_details = {email: email ?? null};
    store.openSessions.delete(session.id);
}

function completePayment(store, payments, session, number, email) {
    const extra = store.sessions.extra(session.id);
    // Each try after a decline confirms the same intent again, as Stripe Checkout does.
    const paymentIntent = session.payment_intent ? store.paymentIntents.get(session.payment_intent)
        : payments.createPaymentIntent({amount: session.amount_total, currency: session.currency,
            customer: session.customer, description: extra.paymentIntentData.description,
            metadata: {...extra.paymentIntentData.metadata}});
    session.payment_intent = paymentIntent.id;
    const paymentMethod = addPaymentMethod(store, number, null, email);
    const result = payments.confirm(paymentIntent, paymentMethod, {onSession: true, offSession: false});
    if (result.outcome !== 'succeeded') {
        return {status: 'declined', error: {code: result.decline.code, decline_code: result.decline.declineCode,
            message: result.decline.message}, events: result.events};
    }
    session.payment_status = 'paid';
    finish(store, session, email);
    return {status: 'complete', redirect: successRedirect(session),
        events: [...result.events, sessionEvent('checkout.session.completed', session)]};
}

function completeSetup(store, session, number, email) {
    let customerId = session.customer;
    if (!customerId) {
        customerId = store.customers.add(customerObject({email})).id;
        session.customer = customerId;
    }
    const paymentMethod = addPaymentMethod(store, number, customerId, email);
    const setupIntent = store.setupIntents.get(session.setup_intent);
    setupIntent.status = 'succeeded';
    setupIntent.payment_method = paymentMethod.id;
    setupIntent.customer = customerId;
    finish(store, session, email);
    return {status: 'complete', redirect: successRedirect(session), events: [
        {type: 'setup_intent.succeeded', json: JSON.stringify(setupIntent)},
        sessionEvent('checkout.session.completed', session),
    ]};
}

// Answers {status, redirect?, error?, message?, events}: status is complete, declined, refused (a card
// outside the test list), expired, already_complete or missing. `events` are for the caller to send once
// it has answered the backer.
export function completeSession({store, payments}, sessionId, cardInput, email = null) {
    const session = store.sessions.get(sessionId);
    if (!session) {
        return {status: 'missing', events: []};
    }
    const expiry = expireIfDue(store, session);
    if (session.status === 'expired') {
        return {status: 'expired', events: expiry};
    }
    if (session.status === 'complete') {
        return {status: 'already_complete', redirect: successRedirect(session), events: []};
    }
    const card = findTestCard(cardInput);
    if (!card) {
        return {status: 'refused', message: 'That card is not in the fake\'s test list.', events: []};
    }
    if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) {
        return {status: 'refused', message: 'That email address does not look like one.', events: []};
    }
    const payer = email || session.customer_email;
    return session.mode === 'payment' ? completePayment(store, payments, session, card.number, payer)
        : completeSetup(store, session, card.number, payer);
}

// POST /_fake/seed: `count` customers, each with a saved card `number`, as if each had been through a setup
// checkout; answers their ids for a benchmark to charge.
export function seedCustomers(store, count, number) {
    if (!findTestCard(number)) {
        throw new Error(`${number} is not one of the fake's test cards`);
    }
    const out = [];
    for (let i = 0; i < count; i += 1) {
        const customer = store.customers.add(customerObject({})).id;
        out.push({customer, paymentMethod: addPaymentMethod(store, number, customer, null).id});
    }
    return out;
}
