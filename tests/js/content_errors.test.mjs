// content.js is a classic script and cannot import common/error_text.js: it carries its own code → words
// table, which must pick the same i18n keys.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {errorTextKey} from '../../extension/common/error_text.js';
import {ErrorCode, ExtensionError} from '../../extension/common/error_codes.js';

const root = new URL('../../extension/', import.meta.url);
const source = readFileSync(new URL('content/content.js', root), 'utf8');
const messages = JSON.parse(readFileSync(new URL('_locales/en/messages.json', root), 'utf8'));

function contentTable() {
    const block = source.match(/const ERROR_KEYS = \{([^}]*)\};/);
    assert.ok(block, 'content.js has an ERROR_KEYS table');
    return new Map([...block[1].matchAll(/'(-?\d+)': '(\w+)'/g)].map(([, code, key]) => [Number(code), key]));
}

test("content.js names each error with error_text.js's key", () => {
    const table = contentTable();
    assert.ok(table.size >= 20);
    for (const [code, key] of table) {
        assert.equal(key, errorTextKey(code), `code ${code}`);
        assert.ok(messages[key], `${key} is in the English messages`);
    }
});

test('content.js has words for every error a page intent can meet', () => {
    const table = contentTable();
    const expected = [
        ErrorCode.INVALID_PARAMS, ErrorCode.FETCH_FAILED, ErrorCode.ITEM_LOCKED, ErrorCode.GATE_UNREACHABLE,
        ErrorCode.GATE_REFUSED, ErrorCode.GATE_BAD_ANSWER, ErrorCode.GATE_NOT_OFFERED, ErrorCode.PLEDGE_NOT_FOUND,
        ErrorCode.PLEDGE_PENDING, ...Object.values(ExtensionError),
    ];
    for (const code of expected) {
        assert.ok(table.has(code), `code ${code}`);
    }
});

test('gate refusals the card explains have their words in both locales', () => {
    const fr = JSON.parse(readFileSync(new URL('_locales/fr/messages.json', root), 'utf8'));
    const block = source.match(/const GATE_CODE_KEYS = \{([^}]*)\};/);
    assert.ok(block);
    const keys = [...block[1].matchAll(/: '(\w+)'/g)].map(([, key]) => key);
    assert.ok(keys.length >= 4);
    for (const key of keys) {
        assert.ok(messages[key] && fr[key], key);
    }
});
