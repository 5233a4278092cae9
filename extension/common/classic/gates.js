// What the pages that unlock (the viewer and a bundle page's card) need about gate amounts and a gate's
// refusals. Pure.
// A classic script shared with the content scripts, which read globalThis.sluiceGates; pages import
// common/gates.js (extension/README.md, "Code shared with the content scripts").
(() => {
    'use strict';

    const {ErrorCode} = globalThis.sluiceErrorCodes;

    // Digits of the currency's minor unit (2 for EUR, 0 for JPY); 2 for a code Intl does not know.
    function currencyDigits(currency) {
        try {
            return new Intl.NumberFormat('en', {style: 'currency', currency}).resolvedOptions().maximumFractionDigits;
        } catch {
            return 2;
        }
    }

    // A number typed in the currency's major unit ("8", "8,50", "8.5") as minor units; null when it is no amount.
    function minorAmount(text, currency) {
        const value = Number(String(text).trim().replace(',', '.'));
        if (!Number.isFinite(value) || value <= 0) {
            return null;
        }
        return Math.round(value * 10 ** currencyDigits(currency));
    }

    // Minor units as an <input type="number"> wants its value: "8.00".
    function majorText(minor, currency) {
        const digits = currencyDigits(currency);
        return ((Number(minor) || 0) / 10 ** digits).toFixed(digits);
    }

    const GATE_CODE_KEYS = {
        invalid_email: 'cardGateInvalidEmail',
        wrong_code: 'cardGateWrongCode',
        code_expired: 'cardGateCodeExpired',
        too_many_attempts: 'cardGateTooManyAttempts',
        amount_too_low: 'cardGateAmountTooLow',
        campaign_closed: 'cardGateCampaignClosed',
    };

    // What the gate said no to, when it says (gate_refused's data.gateCode): more useful than "it said no".
    // null for any other error, whose words go by its code.
    function gateRefusalKey(error) {
        if (error?.code !== ErrorCode.GATE_REFUSED || typeof error.data?.gateCode !== 'string') {
            return null;
        }
        return GATE_CODE_KEYS[error.data.gateCode] ?? null;
    }

    // A refusal made on this side before asking the gate, worded as the gate's own would be.
    function gateRefusal(gateCode) {
        return {code: ErrorCode.GATE_REFUSED, data: {gateCode}};
    }

    globalThis.sluiceGates = Object.freeze({currencyDigits, minorAmount, majorText, gateRefusalKey, gateRefusal});
})();
