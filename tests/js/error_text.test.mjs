// Every error code, the protocol's and the extension's own, has words in every locale.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {ErrorCode, ExtensionError} from '../../extension/common/error_codes.js';
import {allErrorTextKeys, errorTextKey, UNKNOWN_ERROR_KEY} from '../../extension/common/error_text.js';

const locale = (lang) => JSON.parse(readFileSync(new URL(`../../extension/_locales/${lang}/messages.json`,
    import.meta.url), 'utf8'));

test('each code has its own key, named after it', () => {
    const codes = [...Object.values(ErrorCode), ...Object.values(ExtensionError)];
    const keys = codes.map(errorTextKey);
    assert.equal(new Set(keys).size, codes.length);
    assert.ok(!keys.includes(UNKNOWN_ERROR_KEY));
    assert.equal(errorTextKey(-32700), 'errorParseError');
    assert.equal(errorTextKey({code: 1107, message: 'ignored'}), 'errorGateUnreachable');
    assert.equal(errorTextKey(2007), 'errorRateLimited');
});

test('unknown codes fall back to one key', () => {
    for (const odd of [9999, '1001', null, undefined, {}]) {
        assert.equal(errorTextKey(odd), UNKNOWN_ERROR_KEY);
    }
});

test('every error key is in en and fr, with words', () => {
    for (const lang of ['en', 'fr']) {
        const messages = locale(lang);
        for (const key of allErrorTextKeys()) {
            assert.ok(messages[key]?.message?.length > 0, `${lang}: ${key}`);
        }
    }
    assert.notEqual(locale('en').errorGateRefused.message, locale('fr').errorGateRefused.message);
});
