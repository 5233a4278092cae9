// POST /v1/customers and GET /v1/customers/:id.
import {resourceMissing} from './errors.mjs';
import {customerObject} from './objects.mjs';
import {metadata, optionalEmail, optionalString, rejectUnknown, retrieveParams} from './params.mjs';

// Stripe's parameters for a new customer; those past `name` are accepted and ignored.
const CREATE_PARAMS = new Set(['email', 'name', 'description', 'metadata', 'expand', 'address', 'phone', 'shipping',
    'preferred_locales', 'invoice_settings', 'payment_method', 'tax', 'tax_exempt', 'tax_id_data', 'test_clock',
    'balance', 'cash_balance', 'coupon', 'promotion_code', 'invoice_prefix', 'next_invoice_sequence', 'source',
    'validate']);

function parseCreate(params) {
    rejectUnknown(params, CREATE_PARAMS);
    return {
        email: optionalEmail(params.email, 'email'),
        name: optionalString(params.name, 'name', {max: 256}),
        description: optionalString(params.description, 'description', {max: 350}),
        metadata: metadata(params.metadata),
    };
}

function getCustomer(id, store, param, status) {
    const customer = store.customers.get(id);
    if (!customer) {
        throw resourceMissing('customer', id, {param, status});
    }
    return customer;
}

export const customerRoutes = [
    {
        method: 'POST', path: '/v1/customers', parse: parseCreate,
        run: (input, {store}) => ({object: store.customers.add(customerObject(input))}),
    },
    {
        method: 'GET', path: '/v1/customers/:id', parse: retrieveParams,
        run: ({id}, {store}) => ({object: getCustomer(id, store, 'id', 404)}),
    },
];

// A customer named in another request's parameters: a 400 naming that parameter.
export function customerParam(store, id, param = 'customer') {
    return id === null ? null : getCustomer(id, store, param, 400);
}
