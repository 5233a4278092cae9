// Stripe's error objects: `{"error": {...}}` with only the members that apply, and the HTTP status Stripe
// gives each kind. Handlers throw an ApiError; the request pipeline turns it into the response.

export class ApiError extends Error {
    constructor(status, fields) {
        super(fields.message);
        this.status = status;
        this.fields = fields;
    }

    get body() {
        return {error: errorObject(this.fields)};
    }
}

// Members in the alphabetical order Stripe writes them; absent ones are left out rather than sent as null.
function errorObject({type, code, declineCode, param, message, charge, paymentIntent, paymentMethod}) {
    const error = {};
    const put = (name, value) => {
        if (value !== undefined && value !== null) {
            error[name] = value;
        }
    };
    put('charge', charge);
    put('code', code);
    put('decline_code', declineCode);
    put('doc_url', code ? `https://stripe.com/docs/error-codes/${code.replaceAll('_', '-')}` : undefined);
    put('message', message);
    put('param', param);
    put('payment_intent', paymentIntent);
    put('payment_method', paymentMethod);
    put('type', type);
    return error;
}

export function invalidRequest(message, {code, param, status = 400} = {}) {
    return new ApiError(status, {type: 'invalid_request_error', code, param, message});
}

export function parameterMissing(param, message = `Missing required param: ${param}.`) {
    return invalidRequest(message, {code: 'parameter_missing', param});
}

export function parameterUnknown(param) {
    return invalidRequest(`Received unknown parameter: ${param}`, {code: 'parameter_unknown', param});
}

// Stripe's names for objects in "No such ..." messages are not uniform (`setupintent`, `PaymentMethod`).
const MISSING_NAMES = {
    customer: 'customer', checkout_session: 'checkout.session', setup_intent: 'setupintent',
    payment_method: 'PaymentMethod', payment_intent: 'payment_intent', refund: 'refund', charge: 'charge',
};

// A missing object named in the URL is a 404; one named in a parameter is a 400 naming that parameter.
export function resourceMissing(kind, id, {param, status = 400} = {}) {
    return invalidRequest(`No such ${MISSING_NAMES[kind] ?? kind}: '${id}'`,
        {code: 'resource_missing', param, status});
}

export function unrecognizedUrl(method, path) {
    return invalidRequest(`Unrecognized request URL (${method}: ${path}). This FAKE Stripe serves only the small ` +
        'part of the API listed in publisher/fake-stripe/README.md.', {status: 404});
}

export function apiError(message = 'The fake payment provider failed on purpose (an injected fault).') {
    return new ApiError(500, {type: 'api_error', message});
}

export function idempotencyError(message, code) {
    return new ApiError(code === 'idempotency_key_in_use' ? 409 : 400, {type: 'idempotency_error', code, message});
}

export function cardError({code, declineCode, message, charge, paymentIntent, paymentMethod}) {
    return new ApiError(402, {type: 'card_error', code, declineCode, message, charge, paymentIntent, paymentMethod});
}
