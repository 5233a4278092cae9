// Everything the fake remembers, in memory only: a run starts empty and forgets all when it stops.
// Filters name the list parameters Stripe offers on each kind (`customer` on payment intents,
// `payment_intent` and `charge` on refunds).
import {Collection} from './collection.mjs';

export function createStore() {
    return {
        customers: new Collection(),
        // extra: {lineItems, paymentIntentData, setupIntentData} from the creating request.
        sessions: new Collection(),
        // The ids of the sessions still open, which the expiry sweep looks through.
        openSessions: new Set(),
        setupIntents: new Collection(),
        // extra: {number, offSessionCharges, spent, detached}: the card behind it, which the API never shows.
        paymentMethods: new Collection(),
        paymentIntents: new Collection(['customer']),
        charges: new Collection(),
        refunds: new Collection(['payment_intent', 'charge']),
        // One entry per charge tried, succeeded or not: how a test proves a payment was taken at most once.
        chargeAttempts: [],
    };
}
