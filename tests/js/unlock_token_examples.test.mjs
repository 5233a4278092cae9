// The unlock-token vectors of protocol/examples/tokens, seen from JS: envelopes and decoded bodies against
// protocol/schema/unlock-token.json, and the Ed25519 signatures checked with node:crypto, so that a second
// implementation agrees with libsodium on what was signed. (Opening the sealed keys needs libsodium's
// sealed box, which node:crypto lacks; the C++ tests check the item keys.)
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import {publicKeyFromSecret, schemaProblem as checkSchema, signatureHolds as holds}
    from './support/signed_envelope.mjs';

const protocol = new URL('../../protocol/', import.meta.url).pathname;
const tokens = join(protocol, 'examples', 'tokens');
const schema = JSON.parse(readFileSync(join(protocol, 'schema', 'unlock-token.json'), 'utf8'));
const ajv = new Ajv2020({strict: true, strictRequired: false, allErrors: true});
const validateEnvelope = ajv.compile(schema);
const validateBody = ajv.getSchema(`${schema.$id}#/$defs/body`);
const keys = JSON.parse(readFileSync(join(tokens, 'keys.json'), 'utf8'));

function vectors(folder) {
    const dir = join(tokens, folder);
    return readdirSync(dir).filter((f) => f.endsWith('.json'))
        .map((f) => ({name: `${folder}/${f}`, ...JSON.parse(readFileSync(join(dir, f), 'utf8'))}));
}

const valid = vectors('valid');
const invalid = vectors('invalid');

const schemaProblem = (text) => checkSchema(text, validateEnvelope, validateBody);
const signatureHolds = (envelope) => holds(envelope, 'gateKey');

test('there is a vector for every outcome', () => {
    assert.ok(valid.length >= 3);
    assert.ok(valid.every((v) => v.expected.accepted === true));
    assert.ok(invalid.every((v) => v.expected.accepted === false));
    const problems = new Set(invalid.map((v) => v.expected.problem));
    assert.deepEqual([...problems].sort(), ['bad_signature', 'duplicate_item', 'expired', 'malformed',
        'not_yet_valid', 'sealed_key_unopenable', 'untrusted_gate_key', 'version_too_new', 'wrong_bundle',
        'wrong_device']);
});

test('keys.json: the published keys come from the published seeds', () => {
    for (const [name, gate] of Object.entries(keys.gates)) {
        assert.equal(Buffer.from(gate.seed, 'hex').toString('utf8'), gate.seedText, name);
        assert.equal(publicKeyFromSecret('ed25519', gate.seed), gate.publicKey, `gate ${name}`);
    }
    for (const [name, device] of Object.entries(keys.devices)) {
        assert.equal(publicKeyFromSecret('x25519', device.secretKey), device.publicKey, `device ${name}`);
    }
});

test('valid tokens fit the schema and carry a signature by a trusted gate', () => {
    for (const v of valid) {
        assert.equal(schemaProblem(v.token), null, v.name);
        const envelope = JSON.parse(v.token);
        assert.ok(v.inputs.gateKeys.includes(envelope.gateKey), v.name);
        assert.ok(signatureHolds(envelope), `${v.name}: signature`);
        const body = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
        assert.equal(body.tokenId, v.expected.tokenId, v.name);
        assert.equal(body.bundleId, v.inputs.bundleId, v.name);
        assert.ok(body.bundleVersion <= v.inputs.manifestVersion, v.name);
        assert.deepEqual(body.items.map((i) => i.path).sort(), Object.keys(v.expected.itemKeys).sort(), v.name);
        assert.equal(body.device, publicKeyFromSecret('x25519', v.inputs.deviceSecretKey), v.name);
    }
});

test('the schema rejects exactly the malformed tokens', () => {
    for (const v of invalid) {
        const problem = schemaProblem(v.token);
        if (v.expected.problem === 'malformed') {
            assert.notEqual(problem, null, `${v.name} fits the schema but should not`);
        } else {
            assert.equal(problem, null, `${v.name}: only its ${v.expected.problem} should be wrong`);
        }
    }
});

test('tampered tokens fail signature verification', () => {
    const tampered = invalid.filter((v) => v.expected.problem === 'bad_signature');
    assert.ok(tampered.length >= 2);
    for (const v of tampered) {
        assert.equal(signatureHolds(JSON.parse(v.token)), false, v.name);
    }
});

test('a token from an untrusted gate is well signed, by a key the manifest does not list', () => {
    const [v] = invalid.filter((x) => x.expected.problem === 'untrusted_gate_key');
    const envelope = JSON.parse(v.token);
    assert.ok(signatureHolds(envelope));
    assert.equal(v.inputs.gateKeys.includes(envelope.gateKey), false);
    assert.equal(envelope.gateKey, keys.gates.b.publicKey);
});
