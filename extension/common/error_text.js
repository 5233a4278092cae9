// Which words the UI shows for an error: defined in classic/error_text.js, a classic script the content scripts
// load too (extension/README.md, "Code shared with the content scripts").
import './error_codes.js';
import './classic/error_text.js';

export const {UNKNOWN_ERROR_KEY, errorTextKey, allErrorTextKeys} = globalThis.sluiceErrorText;
