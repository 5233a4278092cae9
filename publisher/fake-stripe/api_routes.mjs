// The API's routes: each is a method, a path template (`:id` stands for one path segment), `parse` (checks
// the parameters; an error here is a validation failure, which idempotency does not keep) and `run`
// (executes; answers {object} or already serialized {json}, or throws an ApiError).
import {checkoutRoutes} from './api_checkout.mjs';
import {customerRoutes} from './api_customers.mjs';
import {paymentIntentRoutes} from './api_payment_intents.mjs';
import {refundRoutes} from './api_refunds.mjs';
import {setupRoutes} from './api_setup.mjs';

const ROUTES = [...customerRoutes, ...checkoutRoutes, ...setupRoutes, ...paymentIntentRoutes, ...refundRoutes]
    .map((route) => ({...route, segments: route.path.split('/')}));

function decodeSegment(segment) {
    try {
        return decodeURIComponent(segment);
    } catch {
        return null;
    }
}

function matchSegments(templates, segments) {
    if (templates.length !== segments.length) {
        return null;
    }
    const pathParams = {};
    for (let i = 0; i < templates.length; i++) {
        if (templates[i].startsWith(':')) {
            if (segments[i] === '') {
                return null;
            }
            pathParams[templates[i].slice(1)] = decodeSegment(segments[i]);
            if (pathParams[templates[i].slice(1)] === null) {
                return null;
            }
        } else if (templates[i] !== segments[i]) {
            return null;
        }
    }
    return pathParams;
}

// Answers {route, pathParams}, or null when no route has this method and path (Stripe's unrecognized URL).
export function findRoute(method, path) {
    const segments = path.split('/');
    for (const route of ROUTES) {
        if (route.method !== method) {
            continue;
        }
        const pathParams = matchSegments(route.segments, segments);
        if (pathParams) {
            return {route, pathParams};
        }
    }
    return null;
}
