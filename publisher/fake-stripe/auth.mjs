// API authentication as Stripe does it: the secret key as a Bearer token, or as the user name of HTTP Basic
// auth with an empty password (what `curl -u sk_test_...:` sends). A wrong key is named back masked, only
// its last four characters shown.
import {Buffer} from 'node:buffer';
import {createHash, timingSafeEqual} from 'node:crypto';
import {invalidRequest} from './errors.mjs';

export function maskKey(key) {
    const prefix = /^(sk|rk|pk)_(test|live)_/.exec(key)?.[0] ?? '';
    const rest = key.slice(prefix.length);
    const shown = rest.length > 4 ? rest.slice(-4) : '';
    return prefix + '*'.repeat(rest.length - shown.length) + shown;
}

function presentedKey(header) {
    const [scheme, credentials = ''] = (header ?? '').trim().split(/\s+/, 2);
    if (/^bearer$/i.test(scheme)) {
        return credentials;
    }
    if (/^basic$/i.test(scheme)) {
        const decoded = Buffer.from(credentials, 'base64').toString('utf8');
        return decoded.split(':', 1)[0];
    }
    return '';
}

// Digests of equal length, so the comparison takes the same time whatever the presented key.
function sameKey(presented, secretKey) {
    const digest = (text) => createHash('sha256').update(text).digest();
    return timingSafeEqual(digest(presented), digest(secretKey));
}

export function authenticate(authorization, secretKey) {
    const presented = presentedKey(authorization);
    if (!presented) {
        throw invalidRequest('You did not provide an API key. This fake, like Stripe, takes the secret key in the ' +
            'Authorization header, as a Bearer token (Authorization: Bearer sk_test_...).', {status: 401});
    }
    if (!sameKey(presented, secretKey)) {
        throw invalidRequest(`Invalid API Key provided: ${maskKey(presented)}`, {status: 401});
    }
}
