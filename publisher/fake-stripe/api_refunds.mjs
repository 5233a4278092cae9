// POST /v1/refunds, GET /v1/refunds/:id, the list GET /v1/refunds, and GET /v1/charges/:id (where a refund
// shows as amount_refunded). A refund succeeds at once, as test-mode card refunds do.
import {parseListParams, listAnswer} from './api_lists.mjs';
import {invalidRequest, parameterMissing, resourceMissing} from './errors.mjs';
import {refundObject} from './objects.mjs';
import {metadata, optionalEnum, optionalInteger, optionalString, rejectUnknown, retrieveParams} from './params.mjs';

// Stripe's parameters for a refund; all but those read below are accepted and ignored.
const CREATE_PARAMS = new Set(['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand',
    'instructions_email', 'origin', 'refund_application_fee', 'reverse_transfer', 'currency', 'customer']);

function parseCreate(params) {
    rejectUnknown(params, CREATE_PARAMS);
    const input = {
        paymentIntent: optionalString(params.payment_intent, 'payment_intent'),
        charge: optionalString(params.charge, 'charge'),
        amount: optionalInteger(params.amount, 'amount', {min: 1}),
        reason: optionalEnum(params.reason, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer']),
        metadata: metadata(params.metadata),
    };
    if (input.paymentIntent === null && input.charge === null) {
        throw parameterMissing('payment_intent', 'Missing required param: payment_intent (or charge).');
    }
    return input;
}

function find(collection, kind, id, param, status = 400) {
    const object = collection.get(id);
    if (!object) {
        throw resourceMissing(kind, id, {param, status});
    }
    return object;
}

// The charge a refund takes money back from: the one named, else the intent's successful charge.
function chargeToRefund(store, input) {
    const paymentIntent = input.paymentIntent && find(store.paymentIntents, 'payment_intent', input.paymentIntent,
        'payment_intent');
    if (input.charge) {
        const charge = find(store.charges, 'charge', input.charge, 'charge');
        if (paymentIntent && charge.payment_intent !== paymentIntent.id) {
            throw invalidRequest(`The charge ${charge.id} does not belong to ${paymentIntent.id}.`, {param: 'charge'});
        }
        return charge;
    }
    if (paymentIntent.status !== 'succeeded') {
        throw invalidRequest(`This PaymentIntent (${paymentIntent.id}) has no successful charge to refund.`,
            {param: 'payment_intent'});
    }
    return store.charges.get(paymentIntent.latest_charge);
}

function create(input, {store, events}) {
    const charge = chargeToRefund(store, input);
    if (charge.status !== 'succeeded') {
        throw invalidRequest(`The charge ${charge.id} did not succeed, so there is nothing to refund.`,
            {param: 'charge'});
    }
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining === 0) {
        throw invalidRequest(`Charge ${charge.id} has already been refunded.`, {code: 'charge_already_refunded'});
    }
    const amount = input.amount ?? remaining;
    if (amount > remaining) {
        throw invalidRequest(`Refund amount (${amount}) is greater than the amount of charge ${charge.id} not yet ` +
            `refunded (${remaining}).`, {code: 'amount_too_large', param: 'amount'});
    }
    const refund = store.refunds.add(refundObject({charge, amount, reason: input.reason, metadata: input.metadata}));
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    events.push({type: 'charge.refunded', json: JSON.stringify(charge)},
        {type: 'refund.created', json: JSON.stringify(refund)});
    return {object: refund};
}

export const refundRoutes = [
    {method: 'POST', path: '/v1/refunds', parse: parseCreate, run: create},
    {
        method: 'GET', path: '/v1/refunds', parse: (params) => parseListParams(params, ['payment_intent', 'charge']),
        run: (query, {store}) => ({object: listAnswer(store.refunds, 'refund', query, '/v1/refunds')}),
    },
    {
        method: 'GET', path: '/v1/refunds/:id', parse: retrieveParams,
        run: ({id}, {store}) => ({object: find(store.refunds, 'refund', id, 'refund', 404)}),
    },
    {
        method: 'GET', path: '/v1/charges/:id', parse: retrieveParams,
        run: ({id}, {store}) => ({object: find(store.charges, 'charge', id, 'charge', 404)}),
    },
];
