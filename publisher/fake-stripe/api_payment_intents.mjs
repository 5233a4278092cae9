// POST /v1/payment_intents (created, and with confirm=true charged at once), GET /v1/payment_intents/:id and
// the list GET /v1/payment_intents. An off-session charge (off_session=true) uses a card saved through a
// setup-mode Checkout Session, attached to the customer named in the request.
import {customerParam} from './api_customers.mjs';
import {parseListParams, listAnswer} from './api_lists.mjs';
import {findPaymentMethod} from './api_setup.mjs';
import {cardError, invalidRequest, parameterMissing, resourceMissing} from './errors.mjs';
import {
    metadata, optionalBoolean, optionalEmail, optionalEnum, optionalString, rejectUnknown, requiredCurrency,
    requiredInteger, retrieveParams,
} from './params.mjs';

// Stripe's parameters for a new PaymentIntent; all but those read below are accepted and ignored.
const CREATE_PARAMS = new Set(['amount', 'currency', 'customer', 'payment_method', 'confirm', 'off_session',
    'description', 'metadata', 'receipt_email', 'capture_method', 'payment_method_data', 'expand',
    'automatic_payment_methods', 'confirmation_method', 'confirmation_token', 'error_on_requires_action', 'mandate',
    'mandate_data', 'on_behalf_of', 'payment_method_configuration', 'payment_method_options',
    'payment_method_types', 'radar_options', 'return_url', 'setup_future_usage', 'shipping', 'statement_descriptor',
    'statement_descriptor_suffix', 'transfer_data', 'transfer_group', 'use_stripe_sdk', 'application_fee_amount']);
const MAX_AMOUNT = 99999999;

function unsupported(message, param) {
    return invalidRequest(`${message} (not implemented by this FAKE Stripe).`, {param});
}

// Stripe takes off_session as a boolean or as the kind of off-session use.
function parseOffSession(value) {
    return value === 'one_off' || value === 'recurring' ? true : optionalBoolean(value, 'off_session');
}

function parseAmount(value) {
    const amount = requiredInteger(value, 'amount', {min: 1});
    if (amount > MAX_AMOUNT) {
        throw invalidRequest(`Amount must be no more than ${MAX_AMOUNT} in the currency's smallest unit.`,
            {code: 'amount_too_large', param: 'amount'});
    }
    return amount;
}

function parseCreate(params) {
    rejectUnknown(params, CREATE_PARAMS);
    const captureMethod = optionalEnum(params.capture_method, 'capture_method',
        ['automatic', 'automatic_async', 'manual']);
    if (captureMethod === 'manual') {
        throw unsupported('Every charge is captured at once: capture_method=manual is not', 'capture_method');
    }
    if (params.payment_method_data !== undefined) {
        throw unsupported('Card details reach this fake only through its hosted page: payment_method_data is not',
            'payment_method_data');
    }
    const input = {
        amount: parseAmount(params.amount),
        currency: requiredCurrency(params.currency, 'currency'),
        customer: optionalString(params.customer, 'customer'),
        paymentMethod: optionalString(params.payment_method, 'payment_method'),
        confirm: optionalBoolean(params.confirm, 'confirm'),
        offSession: parseOffSession(params.off_session),
        description: optionalString(params.description, 'description', {max: 1000}),
        metadata: metadata(params.metadata),
        receiptEmail: optionalEmail(params.receipt_email, 'receipt_email'),
    };
    if (input.offSession && !input.confirm) {
        throw invalidRequest('off_session can only be used together with confirm=true.', {param: 'off_session'});
    }
    if (input.confirm && input.paymentMethod === null) {
        throw parameterMissing('payment_method', 'A PaymentIntent confirmed at creation needs a payment_method.');
    }
    return input;
}

// Stripe's rules for reusing a saved card: it must be attached to a customer, and that customer named.
function checkUsable(store, paymentMethod, customer) {
    const card = store.paymentMethods.extra(paymentMethod.id);
    if (!paymentMethod.customer) {
        if (card.spent || card.detached) {
            throw invalidRequest('The provided PaymentMethod was previously used without being attached to a ' +
                'Customer, or was detached from a Customer, so it cannot be used again. Attach a PaymentMethod ' +
                'to a Customer to use it more than once.', {param: 'payment_method'});
        }
        return;
    }
    if (!customer) {
        throw invalidRequest(`The PaymentMethod ${paymentMethod.id} is attached to a Customer: name that Customer ` +
            'in customer to use it.', {param: 'customer'});
    }
    if (paymentMethod.customer !== customer.id) {
        throw invalidRequest(`The PaymentMethod ${paymentMethod.id} does not belong to the Customer ${customer.id}.`,
            {param: 'payment_method'});
    }
}

function create(input, {store, payments, request, events}) {
    const customer = customerParam(store, input.customer);
    const paymentMethod = input.paymentMethod === null ? null : findPaymentMethod(store, input.paymentMethod);
    if (paymentMethod) {
        checkUsable(store, paymentMethod, customer);
    }
    const paymentIntent = payments.createPaymentIntent({...input, customer: customer?.id ?? null,
        paymentMethod: paymentMethod?.id ?? null});
    if (!input.confirm) {
        return {object: paymentIntent};
    }
    const result = payments.confirm(paymentIntent, paymentMethod,
        {onSession: false, offSession: input.offSession, idempotencyKey: request.idempotencyKey});
    events.push(...result.events);
    if (result.outcome === 'declined') {
        throw cardError({...result.decline, charge: result.charge.id, paymentIntent, paymentMethod});
    }
    return {json: result.paymentIntentJson};
}

function findPaymentIntent(store, id) {
    const paymentIntent = store.paymentIntents.get(id);
    if (!paymentIntent) {
        throw resourceMissing('payment_intent', id, {param: 'intent', status: 404});
    }
    return paymentIntent;
}

export const paymentIntentRoutes = [
    {method: 'POST', path: '/v1/payment_intents', parse: parseCreate, run: create},
    {
        method: 'GET', path: '/v1/payment_intents', parse: (params) => parseListParams(params, ['customer']),
        run: (query, {store}) => ({
            object: listAnswer(store.paymentIntents, 'payment_intent', query, '/v1/payment_intents'),
        }),
    },
    {
        method: 'GET', path: '/v1/payment_intents/:id', parse: retrieveParams,
        run: ({id}, {store}) => ({object: findPaymentIntent(store, id)}),
    },
];
