// Error codes of the native-messaging protocol, mirrored from protocol/errors.json: listed in
// classic/error_codes.js, a classic script the content scripts load too (extension/README.md, "Code shared with
// the content scripts").
import './classic/error_codes.js';

export const {ErrorCode, ExtensionError} = globalThis.sluiceErrorCodes;
