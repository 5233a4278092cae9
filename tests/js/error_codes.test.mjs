// The extension's error-code table and protocol/errors.json must say the same thing.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {ErrorCode} from '../../extension/common/error_codes.js';

const listed = JSON.parse(readFileSync(new URL('../../protocol/errors.json', import.meta.url), 'utf8'));

test('extension error codes mirror protocol/errors.json one to one', () => {
    const expected = {};
    // Every group, so a new one cannot be left out of the comparison.
    const groups = Object.values(listed).filter((value) => Array.isArray(value));
    for (const entry of groups.flat()) {
        expected[entry.name.toUpperCase()] = entry.code;
    }
    assert.deepEqual({...ErrorCode}, expected);
});
