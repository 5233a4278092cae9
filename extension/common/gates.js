// Gate amounts and a gate's refusals: defined in classic/gates.js, a classic script the content scripts load too
// (extension/README.md, "Code shared with the content scripts").
import './error_codes.js';
import './classic/gates.js';

export const {currencyDigits, minorAmount, majorText, gateRefusalKey, gateRefusal} = globalThis.sluiceGates;
