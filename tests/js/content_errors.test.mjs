// The words a page's card shows for an error are the pages' own: common/classic/ui.js's describeGateError,
// loaded as the content scripts load it, picks error_text.js's key by code, or the gate's reason first.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {errorTextKey, UNKNOWN_ERROR_KEY} from '../../extension/common/error_text.js';
import {ErrorCode, ExtensionError} from '../../extension/common/error_codes.js';
import {loadContentScripts} from './support/content_world.mjs';

const root = new URL('../../extension/', import.meta.url);
const en = JSON.parse(readFileSync(new URL('_locales/en/messages.json', root), 'utf8'));
const fr = JSON.parse(readFileSync(new URL('_locales/fr/messages.json', root), 'utf8'));

// i18n answers nothing in the content world, so the words shown are the key picked.
const {describeGateError} = loadContentScripts().world.sluiceUi;

test('the card has words for every error a page intent can meet, by error_text.js\'s key', () => {
    const codes = [
        ErrorCode.INVALID_PARAMS, ErrorCode.INTERNAL_ERROR, ErrorCode.FETCH_FAILED, ErrorCode.ITEM_LOCKED,
        ErrorCode.GATE_UNREACHABLE, ErrorCode.GATE_REFUSED, ErrorCode.GATE_BAD_ANSWER, ErrorCode.GATE_NOT_OFFERED,
        ErrorCode.PLEDGE_NOT_FOUND, ErrorCode.PLEDGE_PENDING, ErrorCode.PAYMENT_PROVIDER_FAILED,
        ErrorCode.PLEDGE_NOT_UPDATABLE, ErrorCode.TIER_SOLD_OUT, ErrorCode.UNKNOWN_TIER,
        ...Object.values(ExtensionError),
    ];
    for (const code of codes) {
        const key = describeGateError({code});
        assert.equal(key, errorTextKey(code), `code ${code}`);
        assert.notEqual(key, UNKNOWN_ERROR_KEY, `code ${code}`);
        assert.ok(en[key] && fr[key], `${key} is in both locales`);
    }
    assert.equal(describeGateError({code: 2007}), 'errorRateLimited');
    assert.equal(describeGateError({code: 1113, data: {gateCode: 'payment_provider_failed', willRetry: true}}),
        'errorPaymentProviderFailed');
    assert.equal(describeGateError({code: 1114, data: {gateCode: 'pledge_not_updatable'}}), 'errorPledgeNotUpdatable');
    assert.equal(describeGateError({code: 1115, data: {gateCode: 'tier_sold_out'}}), 'errorTierSoldOut');
    assert.equal(describeGateError({code: 1116, data: {gateCode: 'unknown_tier'}}), 'errorUnknownTier');
    assert.equal(describeGateError({code: null}), UNKNOWN_ERROR_KEY);
    assert.equal(describeGateError(undefined), UNKNOWN_ERROR_KEY);
});

test("a gate's refusal is told by its reason when the card knows it, else as a refusal", () => {
    const reasons = {
        invalid_email: 'cardGateInvalidEmail',
        wrong_code: 'cardGateWrongCode',
        code_expired: 'cardGateCodeExpired',
        too_many_attempts: 'cardGateTooManyAttempts',
        amount_too_low: 'cardGateAmountTooLow',
        campaign_closed: 'cardGateCampaignClosed',
    };
    for (const [gateCode, key] of Object.entries(reasons)) {
        assert.equal(describeGateError({code: 1108, data: {gateCode}}), key);
        assert.ok(en[key] && fr[key], `${key} is in both locales`);
    }
    assert.equal(describeGateError({code: 1108, data: {gateCode: 'sold_out'}}), 'errorGateRefused');
    assert.equal(describeGateError({code: 1108}), 'errorGateRefused');
    // A reason belongs to a gate's refusal only.
    assert.equal(describeGateError({code: 1107, data: {gateCode: 'wrong_code'}}), 'errorGateUnreachable');
});
