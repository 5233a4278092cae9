// Stripe's webhook signature: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, the HMAC keyed with
// the endpoint's whole signing secret (`whsec_...` as the dashboard shows it, prefix included) over
// "<t>.<the body's exact bytes>". The time is inside the HMAC so a captured delivery cannot be replayed later.
import {createHmac} from 'node:crypto';

export function signatureHeader(secret, body, unixSeconds) {
    const v1 = createHmac('sha256', secret).update(`${unixSeconds}.`).update(body).digest('hex');
    return `t=${unixSeconds},v1=${v1}`;
}
