// POST /v1/checkout/sessions, GET /v1/checkout/sessions/:id, POST /v1/checkout/sessions/:id/expire.
// Hosted Checkout in payment mode (ad hoc `price_data` line items) and setup mode (a card saved for later
// off-session charges); subscription mode and stored Prices are outside this fake.
import {customerParam} from './api_customers.mjs';
import {nowSeconds} from './clock.mjs';
import {invalidRequest, resourceMissing} from './errors.mjs';
import {checkoutSessionObject, setupIntentObject} from './objects.mjs';
import {
    exclusive, metadata, optionalEmail, optionalEnum, optionalHash, optionalInteger, optionalString, optionalUrl,
    paramPath, rejectUnknown, requiredArray, requiredCurrency, requiredEnum, requiredInteger, requiredString,
    requiredHash, requiredUrl, retrieveParams,
} from './params.mjs';
import {expireIfDue, expireSession} from './sessions.mjs';

// Stripe's parameters for a session; all but those read below are accepted and ignored.
const CREATE_PARAMS = new Set(['mode', 'success_url', 'cancel_url', 'client_reference_id', 'customer',
    'customer_email', 'metadata', 'expires_at', 'line_items', 'payment_intent_data', 'currency', 'setup_intent_data',
    'expand', 'after_expiration', 'allow_promotion_codes', 'automatic_tax', 'billing_address_collection',
    'consent_collection', 'custom_fields', 'custom_text', 'customer_creation', 'customer_update', 'discounts',
    'invoice_creation', 'locale', 'payment_method_collection', 'payment_method_configuration', 'payment_method_data',
    'payment_method_options', 'payment_method_types', 'phone_number_collection', 'redirect_on_completion',
    'return_url', 'saved_payment_method_options', 'shipping_address_collection', 'shipping_options', 'submit_type',
    'subscription_data', 'tax_id_collection', 'ui_mode']);
const LINE_ITEM_PARAMS = new Set(['price_data', 'quantity', 'price', 'adjustable_quantity', 'dynamic_tax_rates',
    'tax_rates']);
const PRICE_DATA_PARAMS = new Set(['currency', 'unit_amount', 'product_data', 'product', 'unit_amount_decimal',
    'recurring', 'tax_behavior']);
const PRODUCT_DATA_PARAMS = new Set(['name', 'description', 'images', 'metadata', 'tax_code']);
const PAYMENT_INTENT_DATA_PARAMS = new Set(['metadata', 'description', 'capture_method', 'application_fee_amount',
    'on_behalf_of', 'receipt_email', 'setup_future_usage', 'shipping', 'statement_descriptor',
    'statement_descriptor_suffix', 'transfer_data', 'transfer_group']);
const SETUP_INTENT_DATA_PARAMS = new Set(['metadata', 'description', 'on_behalf_of']);
// Stripe's bounds: a session lives between 30 minutes and 24 hours.
const MIN_LIFETIME = 30 * 60;
const MAX_LIFETIME = 24 * 3600;
const MAX_AMOUNT = 99999999;

function unsupported(message, param) {
    return invalidRequest(`${message} (not implemented by this FAKE Stripe).`, {param});
}

function parseHash(value, param, allowed, {required = false} = {}) {
    const hash = required ? requiredHash(value, param) : optionalHash(value, param);
    rejectUnknown(hash, allowed, param);
    return hash;
}

function parseLineItem(item, index) {
    const at = paramPath('line_items', index);
    const hash = parseHash(item, at, LINE_ITEM_PARAMS);
    if (hash.price !== undefined) {
        throw unsupported('Stored Prices do not exist here: give price_data instead', `${at}[price]`);
    }
    const priceData = parseHash(hash.price_data, `${at}[price_data]`, PRICE_DATA_PARAMS, {required: true});
    if (priceData.product !== undefined || priceData.recurring !== undefined) {
        throw unsupported('Only one-off price_data with product_data is', `${at}[price_data]`);
    }
    const productData = parseHash(priceData.product_data, `${at}[price_data][product_data]`, PRODUCT_DATA_PARAMS,
        {required: true});
    const unitAmountParam = `${at}[price_data][unit_amount]`;
    return {
        currency: requiredCurrency(priceData.currency, `${at}[price_data][currency]`),
        unitAmount: requiredInteger(priceData.unit_amount, unitAmountParam, {min: 1, max: MAX_AMOUNT}),
        name: requiredString(productData.name, `${at}[price_data][product_data][name]`, {max: 250}),
        description: optionalString(productData.description, `${at}[price_data][product_data][description]`),
        quantity: requiredInteger(hash.quantity, `${at}[quantity]`, {min: 1, max: 999999}),
    };
}

function parseLineItems(value) {
    const items = requiredArray(value, 'line_items').map(parseLineItem);
    const currency = items[0].currency;
    const other = items.findIndex((item) => item.currency !== currency);
    if (other >= 0) {
        throw invalidRequest('All line items must be in the same currency.',
            {param: `line_items[${other}][price_data][currency]`});
    }
    const amountTotal = items.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0);
    if (amountTotal > MAX_AMOUNT) {
        throw invalidRequest(`The total amount must be at most ${MAX_AMOUNT}.`, {code: 'amount_too_large'});
    }
    return {items, currency, amountTotal};
}

function parsePaymentIntentData(value) {
    const hash = parseHash(value, 'payment_intent_data', PAYMENT_INTENT_DATA_PARAMS);
    if (optionalEnum(hash.capture_method, 'payment_intent_data[capture_method]',
        ['automatic', 'automatic_async', 'manual']) === 'manual') {
        throw unsupported('Every charge is captured at once: capture_method=manual is not',
            'payment_intent_data[capture_method]');
    }
    return {
        metadata: metadata(hash.metadata, 'payment_intent_data[metadata]'),
        description: optionalString(hash.description, 'payment_intent_data[description]', {max: 1000}),
    };
}

function parseSetupIntentData(value) {
    const hash = parseHash(value, 'setup_intent_data', SETUP_INTENT_DATA_PARAMS);
    return {
        metadata: metadata(hash.metadata, 'setup_intent_data[metadata]'),
        description: optionalString(hash.description, 'setup_intent_data[description]', {max: 1000}),
    };
}

function parseExpiresAt(value) {
    const expiresAt = optionalInteger(value, 'expires_at');
    const now = nowSeconds();
    if (expiresAt !== null && (expiresAt < now + MIN_LIFETIME || expiresAt > now + MAX_LIFETIME)) {
        throw invalidRequest('expires_at must be between 30 minutes and 24 hours after the session is created.',
            {param: 'expires_at'});
    }
    return expiresAt;
}

function notInMode(params, names, mode) {
    const given = names.find((name) => params[name] !== undefined);
    if (given) {
        throw invalidRequest(`${given} cannot be used in ${mode} mode.`, {param: given});
    }
}

function parseModeParams(params, mode) {
    if (mode === 'payment') {
        notInMode(params, ['setup_intent_data'], mode);
        const {items, currency, amountTotal} = parseLineItems(params.line_items);
        const given = params.currency === undefined ? currency : requiredCurrency(params.currency, 'currency');
        if (given !== currency) {
            throw invalidRequest('currency must be the line items\' currency.', {param: 'currency'});
        }
        const paymentIntentData = parsePaymentIntentData(params.payment_intent_data);
        return {lineItems: items, currency, amountTotal, paymentIntentData};
    }
    notInMode(params, ['line_items', 'payment_intent_data'], mode);
    return {currency: requiredCurrency(params.currency, 'currency'), amountTotal: null, lineItems: [],
        setupIntentData: parseSetupIntentData(params.setup_intent_data)};
}

function parseCreate(params) {
    rejectUnknown(params, CREATE_PARAMS);
    const mode = requiredEnum(params.mode, 'mode', ['payment', 'setup', 'subscription']);
    if (mode === 'subscription') {
        throw unsupported('Subscriptions are not: use mode=payment or mode=setup', 'mode');
    }
    exclusive(params, ['customer', 'customer_email']);
    return {
        mode,
        successUrl: requiredUrl(params.success_url, 'success_url'),
        cancelUrl: optionalUrl(params.cancel_url, 'cancel_url'),
        clientReferenceId: optionalString(params.client_reference_id, 'client_reference_id', {max: 200}),
        customer: optionalString(params.customer, 'customer'),
        customerEmail: optionalEmail(params.customer_email, 'customer_email'),
        metadata: metadata(params.metadata),
        expiresAt: parseExpiresAt(params.expires_at),
        ...parseModeParams(params, mode),
    };
}

function createSession(input, {store, base}) {
    customerParam(store, input.customer);
    let setupIntent = null;
    if (input.mode === 'setup') {
        setupIntent = store.setupIntents.add(setupIntentObject({customer: input.customer, ...input.setupIntentData}));
    }
    const session = checkoutSessionObject(input, {base, setupIntent});
    store.sessions.add(session, {lineItems: input.lineItems, paymentIntentData: input.paymentIntentData ?? null,
        setupIntentData: input.setupIntentData ?? null});
    store.openSessions.add(session.id);
    return {object: session};
}

// Also notices an expiry that fell due since the session was last seen.
export function findSession(store, id, events) {
    const session = store.sessions.get(id);
    if (!session) {
        throw resourceMissing('checkout_session', id, {param: 'session', status: 404});
    }
    events.push(...expireIfDue(store, session));
    return session;
}

function expire({id}, {store, events}) {
    const session = findSession(store, id, events);
    if (session.status !== 'open') {
        throw invalidRequest(`Only an open Checkout Session can be expired; this one is ${session.status}.`);
    }
    events.push(...expireSession(store, session));
    return {object: session};
}

export const checkoutRoutes = [
    {method: 'POST', path: '/v1/checkout/sessions', parse: parseCreate, run: createSession},
    {
        method: 'GET', path: '/v1/checkout/sessions/:id', parse: retrieveParams,
        run: ({id}, {store, events}) => ({object: findSession(store, id, events)}),
    },
    {method: 'POST', path: '/v1/checkout/sessions/:id/expire', parse: retrieveParams, run: expire},
];
