// Every golden example in protocol/examples validates against protocol/schema (and every deliberately
// invalid one is rejected), checked here with Ajv as the extension's side of the contract.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';

const root = new URL('../../', import.meta.url).pathname;
const protocol = join(root, 'protocol');
const schema = JSON.parse(readFileSync(join(protocol, 'schema', 'native-messaging.json'), 'utf8'));

const ajv = new Ajv2020({strict: true, strictRequired: false, allErrors: true});
ajv.addSchema(schema);
const envelope = ajv.getSchema(schema.$id);

function definition(name) {
    return ajv.getSchema(`${schema.$id}#/$defs/${name}`);
}

function problems(example) {
    const found = [];
    if (!envelope(example.message)) {
        found.push(...envelope.errors);
    }
    if (example.method) {
        const kind = example.kind;
        let part;
        let def;
        if (kind === 'request') {
            part = example.message.params ?? {};
            def = `${example.method}.params`;
        } else if (kind === 'result' && 'result' in example.message) {
            part = example.message.result;
            def = `${example.method}.result`;
        } else if (kind === 'event') {
            part = example.message.params ?? {};
            def = `${example.method}.event`;
        }
        if (def) {
            const validate = definition(def);
            assert.ok(validate, `schema has no $defs/${def}`);
            if (!validate(part)) {
                found.push(...validate.errors);
            }
        }
    }
    return found;
}

function examples(folder) {
    const dir = join(protocol, 'examples', folder);
    return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
        .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8'))]);
}

test('every valid example validates', () => {
    const all = examples('valid');
    assert.ok(all.length >= 5);
    for (const [file, example] of all) {
        assert.deepEqual(problems(example), [], file);
    }
});

test('every invalid example is rejected', () => {
    const all = examples('invalid');
    assert.ok(all.length >= 5);
    for (const [file, example] of all) {
        assert.notDeepEqual(problems(example), [], `${file} validates but should not`);
    }
});
