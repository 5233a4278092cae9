// Object ids shaped as Stripe shapes them: a type prefix and a random base62 tail. Nothing reads meaning
// from a tail, so it only has to be unique within a run and not guessable by a test that should not know it.
import {Buffer} from 'node:buffer';
import {randomFillSync} from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// Bytes at or above 248 (4 × 62) are skipped so that every character is equally likely.
const UNBIASED_LIMIT = 248;

// One system call per 4 KiB of randomness instead of one per id: ids are made on every charge.
const pool = Buffer.alloc(4096);
let poolUsed = pool.length;

function nextRandomByte() {
    if (poolUsed === pool.length) {
        randomFillSync(pool);
        poolUsed = 0;
    }
    return pool[poolUsed++];
}

export function base62(length) {
    let out = '';
    while (out.length < length) {
        const byte = nextRandomByte();
        if (byte < UNBIASED_LIMIT) {
            out += ALPHABET[byte % 62];
        }
    }
    return out;
}

// Stripe's tails: 14 characters for customers and request ids, 58 for Checkout Sessions, 24 elsewhere.
const TAIL_LENGTH = {cus_: 14, req_: 14, cs_test_: 58};

export function newId(prefix) {
    return prefix + base62(TAIL_LENGTH[prefix] ?? 24);
}

export function clientSecret(id) {
    return `${id}_secret_${base62(25)}`;
}
