// Charging a PaymentIntent with a PaymentMethod: the test card decides the outcome (cards.mjs), a Charge is
// made for each try that reaches the card network, the intent moves to its new status, and the webhook
// events of the outcome are drafted with a snapshot of the intent taken at once, as Stripe's events are.
import {chargeOutcome} from './cards.mjs';
import {chargeObject, paymentIntentObject} from './objects.mjs';

function lastPaymentError(decline, charge, paymentMethod) {
    return {
        charge: charge.id, code: decline.code, decline_code: decline.declineCode,
        doc_url: `https://stripe.com/docs/error-codes/${decline.code.replaceAll('_', '-')}`,
        message: decline.message, payment_method: paymentMethod, type: 'card_error',
    };
}

function recordAttempt(store, {paymentIntent, paymentMethod, outcome, offSession, idempotencyKey}) {
    store.chargeAttempts.push({
        paymentIntent: paymentIntent.id, paymentMethod: paymentMethod.id, last4: paymentMethod.card.last4,
        amount: paymentIntent.amount, currency: paymentIntent.currency, outcome, offSession,
        idempotencyKey: idempotencyKey ?? null, at: Date.now(),
    });
}

function requireAction(paymentIntent, paymentMethod) {
    paymentIntent.status = 'requires_action';
    paymentIntent.payment_method = paymentMethod.id;
    paymentIntent.next_action = {type: 'use_stripe_sdk', use_stripe_sdk: {type: 'three_d_secure_redirect'}};
}

function succeed(paymentIntent, paymentMethod, charge) {
    paymentIntent.status = 'succeeded';
    paymentIntent.amount_received = paymentIntent.amount;
    paymentIntent.payment_method = paymentMethod.id;
    paymentIntent.latest_charge = charge.id;
    paymentIntent.last_payment_error = null;
    paymentIntent.next_action = null;
}

// Stripe takes the payment method off a declined intent, which waits for another one; the method stays
// visible in last_payment_error.
function fail(paymentIntent, paymentMethod, charge, decline) {
    paymentIntent.status = 'requires_payment_method';
    paymentIntent.payment_method = null;
    paymentIntent.latest_charge = charge.id;
    paymentIntent.last_payment_error = lastPaymentError(decline, charge, paymentMethod);
    paymentIntent.next_action = null;
}

export function createPayments(store) {
    function createPaymentIntent(fields) {
        return store.paymentIntents.add(paymentIntentObject(fields));
    }

    // `how`: {onSession, offSession, idempotencyKey}. Answers {outcome, charge, decline, paymentIntentJson,
    // events: [{type, json}]}; `paymentIntentJson` is the intent after the try, serialized once so that the
    // API answer, the stored idempotent answer and the event share one string.
    function confirm(paymentIntent, paymentMethod, how) {
        const card = store.paymentMethods.extra(paymentMethod.id);
        const result = chargeOutcome(card.number, {...how, offSessionChargesBefore: card.offSessionCharges});
        if (how.offSession) {
            card.offSessionCharges += 1;
        }
        if (!paymentMethod.customer) {
            card.spent = true;
        }
        recordAttempt(store, {paymentIntent, paymentMethod, outcome: result.decline?.declineCode ?? result.outcome,
            offSession: Boolean(how.offSession), idempotencyKey: how.idempotencyKey});
        if (result.outcome === 'requires_action') {
            requireAction(paymentIntent, paymentMethod);
            const paymentIntentJson = JSON.stringify(paymentIntent);
            return {outcome: result.outcome, charge: null, paymentIntentJson, events: []};
        }
        const charge = store.charges.add(chargeObject({paymentIntent, paymentMethod, decline: result.decline}));
        if (result.outcome === 'succeeded') {
            succeed(paymentIntent, paymentMethod, charge);
        } else {
            fail(paymentIntent, paymentMethod, charge, result.decline);
        }
        const paymentIntentJson = JSON.stringify(paymentIntent);
        const type = result.outcome === 'succeeded' ? 'payment_intent.succeeded' : 'payment_intent.payment_failed';
        return {outcome: result.outcome, charge, decline: result.decline, paymentIntentJson,
            events: [{type, json: paymentIntentJson}]};
    }

    return {createPaymentIntent, confirm};
}
