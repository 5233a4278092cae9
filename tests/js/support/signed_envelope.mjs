// What the signed formats of protocol/ (unlock tokens, translation add-ons) share, checked with node:crypto so
// that a second implementation agrees with libsodium: an envelope whose payload is the base64 of a body's exact
// bytes, an Ed25519 signature over them, and keys written "<curve>:<base64 of 32 bytes>".
import assert from 'node:assert/strict';
import {createPrivateKey, createPublicKey, verify} from 'node:crypto';

function rawKey(text, kind) {
    assert.ok(text.startsWith(`${kind}:`), text);
    const raw = Buffer.from(text.slice(kind.length + 1), 'base64');
    assert.equal(raw.length, 32);
    return raw;
}

function ed25519PublicKey(text) {
    return createPublicKey({key: {kty: 'OKP', crv: 'Ed25519', x: rawKey(text, 'ed25519').toString('base64url')},
        format: 'jwk'});
}

export function decodedPayload(envelope) {
    return Buffer.from(envelope.payload, 'base64');
}

// Whether the envelope's signature holds over its payload's bytes, for the key in its member `keyMember`.
export function signatureHolds(envelope, keyMember) {
    return verify(null, decodedPayload(envelope), ed25519PublicKey(envelope[keyMember]),
        Buffer.from(envelope.signature, 'base64'));
}

// Both halves of a signed text against a schema's validators; null when they fit, else what was wrong.
export function schemaProblem(text, validateEnvelope, validateBody) {
    let envelope;
    try {
        envelope = JSON.parse(text);
    } catch {
        return 'not JSON';
    }
    if (!validateEnvelope(envelope)) {
        return `envelope: ${JSON.stringify(validateEnvelope.errors)}`;
    }
    let body;
    try {
        body = JSON.parse(decodedPayload(envelope).toString('utf8'));
    } catch {
        return 'payload is not JSON';
    }
    return validateBody(body) ? null : `body: ${JSON.stringify(validateBody.errors)}`;
}

// What a raw key looks like in PKCS#8 DER: a fixed prefix for each curve, then the 32 secret bytes.
const pkcs8Prefix = {ed25519: '302e020100300506032b657004220420', x25519: '302e020100300506032b656e04220420'};

// The public key of a secret given in hex (an Ed25519 seed, an X25519 secret key), written as the formats do.
export function publicKeyFromSecret(kind, hex) {
    const der = Buffer.from(pkcs8Prefix[kind] + hex, 'hex');
    const jwk = createPublicKey(createPrivateKey({key: der, format: 'der', type: 'pkcs8'})).export({format: 'jwk'});
    return `${kind}:${Buffer.from(jwk.x, 'base64url').toString('base64')}`;
}
