// The test cards the fake knows and what a charge on each does. All but the last behave as Stripe documents
// for its test mode; 4000000000003055 has a behaviour of this fake's own (Stripe's card of that number
// simply succeeds): its first off-session charge fails, later ones pass, the backer who fixes a card in time.

const DECLINES = {
    generic_decline: {code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.'},
    insufficient_funds: {
        code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.',
    },
    authentication_required: {
        code: 'authentication_required', declineCode: 'authentication_required',
        message: 'Your card was declined. This transaction requires authentication.',
    },
};

export const TEST_CARDS = [
    {number: '4242424242424242', summary: 'Succeeds, on the page and off-session.'},
    {number: '4000000000000002', summary: 'Always declined (card_declined, generic_decline).'},
    {number: '4000000000009995', summary: 'Always declined for insufficient funds (insufficient_funds).'},
    {number: '4000000000000341', summary: 'Can be saved, but every charge on it is declined (generic_decline).'},
    {
        number: '4000002760003184',
        summary: 'Needs authentication (3-D Secure): passes on this page, declined off-session ' +
            '(authentication_required).',
    },
    {
        number: '4000000000003055', fakeOnly: true,
        summary: 'FAKE-ONLY behaviour: its first off-session charge is declined (insufficient_funds), every ' +
            'later charge succeeds.',
    },
];

const BY_NUMBER = new Map(TEST_CARDS.map((card) => [card.number, card]));

export function findTestCard(input) {
    return BY_NUMBER.get(String(input ?? '').replace(/[\s-]/g, '')) ?? null;
}

// Test cards expire years ahead; a fixed month keeps the saved card's shape stable within a run.
export function cardDetails(number) {
    return {brand: 'visa', last4: number.slice(-4), exp_month: 12, exp_year: new Date().getUTCFullYear() + 4};
}

// `onSession`: the backer is at the page (which stands for a completed 3-D Secure challenge); otherwise the
// charge is off-session, or confirmed by the server without the backer (`confirm=true` alone).
// `offSessionChargesBefore`: how many off-session charges this payment method had already.
// Answers {outcome: 'succeeded'} | {outcome: 'declined', decline} | {outcome: 'requires_action'}.
export function chargeOutcome(number, {onSession, offSession, offSessionChargesBefore}) {
    switch (number) {
        case '4242424242424242':
            return {outcome: 'succeeded'};
        case '4000000000000002':
        case '4000000000000341':
            return {outcome: 'declined', decline: DECLINES.generic_decline};
        case '4000000000009995':
            return {outcome: 'declined', decline: DECLINES.insufficient_funds};
        case '4000002760003184':
            if (onSession) {
                return {outcome: 'succeeded'};
            }
            return offSession ? {outcome: 'declined', decline: DECLINES.authentication_required}
                : {outcome: 'requires_action'};
        case '4000000000003055':
            return offSession && offSessionChargesBefore === 0
                ? {outcome: 'declined', decline: DECLINES.insufficient_funds} : {outcome: 'succeeded'};
        default:
            throw new Error(`not a test card: ${number}`);
    }
}
