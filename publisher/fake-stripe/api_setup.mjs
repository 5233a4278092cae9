// GET /v1/setup_intents/:id, GET /v1/payment_methods/:id, POST /v1/payment_methods/:id/detach.
// SetupIntents and PaymentMethods are made by the hosted page (checkout_complete.mjs), never by the API,
// as card numbers never travel through a server's API calls.
import {invalidRequest, resourceMissing} from './errors.mjs';
import {retrieveParams} from './params.mjs';

export function findPaymentMethod(store, id, {param = 'payment_method', status = 400} = {}) {
    const paymentMethod = store.paymentMethods.get(id);
    if (!paymentMethod) {
        throw resourceMissing('payment_method', id, {param, status});
    }
    return paymentMethod;
}

function findSetupIntent(store, id) {
    const setupIntent = store.setupIntents.get(id);
    if (!setupIntent) {
        throw resourceMissing('setup_intent', id, {param: 'intent', status: 404});
    }
    return setupIntent;
}

// A detached method can never be charged again (api_payment_intents.mjs refuses it).
function detach({id}, {store}) {
    const paymentMethod = findPaymentMethod(store, id, {status: 404});
    if (!paymentMethod.customer) {
        throw invalidRequest(`The PaymentMethod ${id} is not attached to a Customer, so it cannot be detached.`);
    }
    paymentMethod.customer = null;
    store.paymentMethods.extra(id).detached = true;
    return {object: paymentMethod};
}

export const setupRoutes = [
    {
        method: 'GET', path: '/v1/setup_intents/:id', parse: retrieveParams,
        run: ({id}, {store}) => ({object: findSetupIntent(store, id)}),
    },
    {
        method: 'GET', path: '/v1/payment_methods/:id', parse: retrieveParams,
        run: ({id}, {store}) => ({object: findPaymentMethod(store, id, {status: 404})}),
    },
    {method: 'POST', path: '/v1/payment_methods/:id/detach', parse: retrieveParams, run: detach},
];
