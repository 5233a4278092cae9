// GET /_fake/records: everything the fake did, for a test to check, above all that a payment was charged at
// most once (chargeAttempts has one entry per try on a card).
export function records(store, idempotency) {
    return {
        paymentIntents: store.paymentIntents.all(),
        refunds: store.refunds.all(),
        customers: store.customers.size,
        sessions: store.sessions.all().map((session) => ({
            id: session.id, mode: session.mode, status: session.status, metadata: session.metadata,
            customer: session.customer, setup_intent: session.setup_intent, payment_intent: session.payment_intent,
        })),
        idempotentRequests: idempotency.kept,
        chargeAttempts: store.chargeAttempts.map((attempt) => ({...attempt, at: new Date(attempt.at).toISOString()})),
    };
}
