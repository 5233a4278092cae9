// Which words the UI shows for an error: an i18n key chosen by code, never by the message (the host's
// messages are English and may change). Keys are "error" + the code's name in CamelCase.
// A classic script shared with the content scripts, which read globalThis.sluiceErrorText; pages and the
// background import common/error_text.js (extension/README.md, "Code shared with the content scripts").
(() => {
    'use strict';

    const {ErrorCode, ExtensionError} = globalThis.sluiceErrorCodes;

    function keyOf(name) {
        return 'error' + name.toLowerCase().split('_').map((part) => part[0].toUpperCase() + part.slice(1)).join('');
    }

    const KEYS = new Map([...Object.entries(ErrorCode), ...Object.entries(ExtensionError)]
        .map(([name, code]) => [code, keyOf(name)]));

    const UNKNOWN_ERROR_KEY = 'errorUnknown';

    // The i18n key for an error code (a number) or an error object ({code}); errorUnknown for anything else.
    function errorTextKey(error) {
        const code = typeof error === 'object' && error !== null ? error.code : error;
        return KEYS.get(code) ?? UNKNOWN_ERROR_KEY;
    }

    // Every key this module can answer, for the locale files and their test.
    function allErrorTextKeys() {
        return [...new Set(KEYS.values()), UNKNOWN_ERROR_KEY];
    }

    globalThis.sluiceErrorText = Object.freeze({UNKNOWN_ERROR_KEY, errorTextKey, allErrorTextKeys});
})();
