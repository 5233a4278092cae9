// The content scripts' one way to the background: an intent is a message answered by {ok, result} or {ok: false,
// error}, as for the extension's pages (common/ui.js), but capped here per frame. The background allows 20 intents
// a second per tab; a page that makes us click-loop stops well before.
(() => {
    'use strict';

    const {IntentError, ask: askBackground} = globalThis.sluiceUi;
    const {ExtensionError} = globalThis.sluiceErrorCodes;

    const INTENT_WINDOW_MS = 1000;
    const INTENTS_PER_WINDOW = 8;
    const sent = [];

    // The intent's result; throws an error with its code (RATE_LIMITED when this frame asked too often, null
    // when the background could not be reached).
    async function ask(intent, params = {}) {
        const now = Date.now();
        while (sent.length > 0 && now - sent[0] > INTENT_WINDOW_MS) {
            sent.shift();
        }
        if (sent.length >= INTENTS_PER_WINDOW) {
            throw new IntentError({code: ExtensionError.RATE_LIMITED});
        }
        sent.push(now);
        return askBackground(intent, params);
    }

    globalThis.sluiceMessaging = Object.freeze({ask});
})();
