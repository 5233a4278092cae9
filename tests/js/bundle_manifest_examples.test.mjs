// Golden bundle manifests validate against protocol/schema/bundle-manifest.json; the deliberately wrong ones
// (paths leaving the bundle, bad keys, unknown members...) are rejected.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';

const protocol = new URL('../../protocol/', import.meta.url).pathname;
const schema = JSON.parse(readFileSync(join(protocol, 'schema', 'bundle-manifest.json'), 'utf8'));
const validate = new Ajv2020({strict: true, strictRequired: false, allErrors: true}).compile(schema);

function examples(folder) {
    const dir = join(protocol, 'examples', 'bundles', folder);
    return readdirSync(dir).filter((f) => f.endsWith('.json'))
        .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')).manifest]);
}

test('valid bundle manifests validate', () => {
    const all = examples('valid');
    assert.ok(all.length >= 2);
    for (const [file, manifest] of all) {
        assert.ok(validate(manifest), `${file}: ${JSON.stringify(validate.errors)}`);
    }
});

test('invalid bundle manifests are rejected', () => {
    const all = examples('invalid');
    assert.ok(all.length >= 5);
    for (const [file, manifest] of all) {
        assert.equal(validate(manifest), false, `${file} validates but should not`);
    }
});
