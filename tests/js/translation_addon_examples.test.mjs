// The translation add-on vectors of protocol/examples/translations, seen from JS: envelopes and decoded bodies
// against protocol/schema/translation-addon.json, the Ed25519 signatures and the tracks' SHA-256 checked with
// node:crypto, and the keys against the manifest the vectors name, so that a second implementation agrees with
// the C++ verifier on every outcome it can see without a WebVTT parser.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {readFileSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import {decodedPayload, publicKeyFromSecret, schemaProblem as checkSchema, signatureHolds}
    from './support/signed_envelope.mjs';

const protocol = new URL('../../protocol/', import.meta.url).pathname;
const folder = join(protocol, 'examples', 'translations');
const schema = JSON.parse(readFileSync(join(protocol, 'schema', 'translation-addon.json'), 'utf8'));
const ajv = new Ajv2020({strict: true, strictRequired: false, allErrors: true});
const validateEnvelope = ajv.compile(schema);
const validateBody = ajv.getSchema(`${schema.$id}#/$defs/body`);
const keys = JSON.parse(readFileSync(join(folder, 'keys.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
const MAX_ADDON_BYTES = 16384;

function vectors(name) {
    const dir = join(folder, name);
    return readdirSync(dir).filter((f) => f.endsWith('.json'))
        .map((f) => ({name: `${name}/${f}`, ...JSON.parse(readFileSync(join(dir, f), 'utf8'))}));
}

const valid = vectors('valid');
const invalid = vectors('invalid');
const schemaProblem = (text) => checkSchema(text, validateEnvelope, validateBody);
const body = (envelope) => JSON.parse(decodedPayload(envelope).toString('utf8'));
const track = (v) => readFileSync(join(folder, 'tracks', v.track));
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const trusted = (key) => key === manifest.publisherKey || manifest.translationKeys.includes(key);

// What a reader that has no WebVTT parser finds wrong with a vector, in the order translations.md gives; null
// when it finds nothing.
function outcome(v) {
    if (Buffer.byteLength(v.addon) > MAX_ADDON_BYTES || schemaProblem(v.addon)) {
        return 'malformed';
    }
    const envelope = JSON.parse(v.addon);
    if (!trusted(envelope.key)) {
        return 'untrusted_key';
    }
    if (!signatureHolds(envelope, 'key')) {
        return 'bad_signature';
    }
    const b = body(envelope);
    if (b.bundleId !== manifest.id || b.version !== manifest.version) {
        return 'wrong_bundle';
    }
    if (!manifest.items.some((i) => i.path === b.item)) {
        return 'unknown_item';
    }
    if (v.track && (track(v).length !== b.size || sha256(track(v)) !== b.sha256)) {
        return 'track_mismatch';
    }
    return null;
}

test('keys.json: the published keys come from the published seeds, and the manifest lists the right ones', () => {
    for (const [name, k] of Object.entries(keys).filter(([n]) => n !== 'description')) {
        assert.equal(Buffer.from(k.seed, 'hex').toString('utf8'), k.seedText, name);
        assert.equal(publicKeyFromSecret('ed25519', k.seed), k.publicKey, name);
    }
    assert.equal(manifest.publisherKey, keys.publisher.publicKey);
    assert.deepEqual(manifest.translationKeys, [keys.translator.publicKey]);
    assert.equal(trusted(keys.stranger.publicKey), false);
});

test('there is a vector for every outcome, each in its folder', () => {
    assert.ok(valid.length >= 3);
    assert.ok(valid.every((v) => v.expected.accepted === true));
    assert.ok(invalid.every((v) => v.expected.accepted === false));
    assert.deepEqual([...new Set(invalid.map((v) => v.expected.problem))].sort(), ['bad_signature', 'malformed',
        'track_invalid', 'track_mismatch', 'unknown_item', 'untrusted_key', 'wrong_bundle']);
});

test('valid add-ons fit the schema, hold their signature and say what the vector expects', () => {
    for (const v of valid) {
        assert.equal(outcome(v), null, v.name);
        const envelope = JSON.parse(v.addon);
        const {accepted, key, ...fields} = v.expected;
        assert.equal(accepted, true);
        assert.equal(envelope.key, key, v.name);
        assert.deepEqual(body(envelope), fields, v.name);
    }
});

test('each refused add-on fails where the vector says, a track with a script only where WebVTT is read', () => {
    for (const v of invalid) {
        const expected = v.expected.problem === 'track_invalid' ? null : v.expected.problem;
        assert.equal(outcome(v), expected, v.name);
    }
    const [scripted] = invalid.filter((v) => v.expected.problem === 'track_invalid');
    assert.match(track(scripted).toString('utf8'), /<script>/);
});
