// The Stripe objects this fake hands out, with the fields of API version 2024-06-20 that a server-side
// integration reads; fields of features the fake lacks are left out rather than faked. Keys follow Stripe's
// order: `id` and `object` first, the rest alphabetical.
import {cardDetails} from './cards.mjs';
import {nowSeconds} from './clock.mjs';
import {clientSecret, newId} from './ids.mjs';

const EMPTY_ADDRESS = {city: null, country: null, line1: null, line2: null, postal_code: null, state: null};

export function customerObject({email = null, name = null, description = null, metadata = {}}) {
    return {
        id: newId('cus_'), object: 'customer', created: nowSeconds(), description, email,
        invoice_settings: {default_payment_method: null}, livemode: false, metadata, name,
    };
}

export function paymentMethodObject({number, customer = null, email = null}) {
    return {
        id: newId('pm_'), object: 'payment_method',
        billing_details: {address: {...EMPTY_ADDRESS}, email, name: null, phone: null},
        card: {...cardDetails(number), country: 'US', funding: 'credit'},
        created: nowSeconds(), customer, livemode: false, metadata: {}, type: 'card',
    };
}

export function setupIntentObject({customer = null, description = null, metadata = {}}) {
    const id = newId('seti_');
    return {
        id, object: 'setup_intent', cancellation_reason: null, client_secret: clientSecret(id), created: nowSeconds(),
        customer, description, last_setup_error: null, livemode: false, metadata, next_action: null,
        payment_method: null, payment_method_types: ['card'], status: 'requires_payment_method', usage: 'off_session',
    };
}

export function paymentIntentObject({amount, currency, customer = null, paymentMethod = null, description = null,
    metadata = {}, receiptEmail = null}) {
    const id = newId('pi_');
    return {
        id, object: 'payment_intent', amount, amount_capturable: 0, amount_received: 0, canceled_at: null,
        cancellation_reason: null, capture_method: 'automatic', client_secret: clientSecret(id),
        confirmation_method: 'automatic', created: nowSeconds(), currency, customer, description,
        last_payment_error: null, latest_charge: null, livemode: false, metadata, next_action: null,
        payment_method: paymentMethod, payment_method_types: ['card'], receipt_email: receiptEmail,
        setup_future_usage: null, status: paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    };
}

// Shared by every successful charge (and never changed): a benchmark makes hundreds of thousands.
const APPROVED = {network_status: 'approved_by_network', reason: null, risk_level: 'normal',
    seller_message: 'Payment complete.', type: 'authorized'};

function chargeOutcomeObject(decline) {
    if (!decline) {
        return APPROVED;
    }
    return {network_status: 'declined_by_network', reason: decline.declineCode, risk_level: 'normal',
        seller_message: 'The issuing bank declined this charge.', type: 'issuer_declined'};
}

// `decline` is null for a charge that succeeded. The card details and metadata are shared with the payment
// method and the intent, which never change them.
export function chargeObject({paymentIntent, paymentMethod, decline}) {
    const paid = !decline;
    return {
        id: newId('ch_'), object: 'charge', amount: paymentIntent.amount,
        amount_captured: paid ? paymentIntent.amount : 0, amount_refunded: 0, captured: paid, created: nowSeconds(),
        currency: paymentIntent.currency, customer: paymentIntent.customer, description: paymentIntent.description,
        failure_code: decline?.code ?? null, failure_message: decline?.message ?? null, livemode: false,
        metadata: paymentIntent.metadata, outcome: chargeOutcomeObject(decline), paid,
        payment_intent: paymentIntent.id, payment_method: paymentMethod.id,
        payment_method_details: {card: paymentMethod.card, type: 'card'}, refunded: false,
        status: paid ? 'succeeded' : 'failed',
    };
}

export function refundObject({charge, amount, reason = null, metadata = {}}) {
    return {
        id: newId('re_'), object: 'refund', amount, charge: charge.id, created: nowSeconds(), currency: charge.currency,
        metadata, payment_intent: charge.payment_intent, reason, status: 'succeeded',
    };
}

// `input`: the validated parameters of POST /v1/checkout/sessions (api_checkout.mjs).
export function checkoutSessionObject(input, {base, setupIntent}) {
    const id = newId('cs_test_');
    const created = nowSeconds();
    const payment = input.mode === 'payment';
    return {
        id, object: 'checkout.session', amount_subtotal: payment ? input.amountTotal : null,
        amount_total: payment ? input.amountTotal : null, cancel_url: input.cancelUrl,
        client_reference_id: input.clientReferenceId, created, currency: input.currency, customer: input.customer,
        customer_details: null, customer_email: input.customerEmail,
        expires_at: input.expiresAt ?? created + 24 * 3600, livemode: false, metadata: input.metadata,
        mode: input.mode, payment_intent: null, payment_method_types: ['card'],
        payment_status: payment ? 'unpaid' : 'no_payment_required', setup_intent: setupIntent?.id ?? null,
        status: 'open', success_url: input.successUrl, url: `${base}pay/${id}`,
    };
}
