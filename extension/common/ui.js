// What every extension page needs from the browser (its words, the background's intents) and how pages build
// their DOM: defined in classic/ui.js, a classic script the content scripts load too (extension/README.md, "Code
// shared with the content scripts").
import './webext.js';
import './error_text.js';
import './format.js';
import './gates.js';
import './classic/ui.js';

export const {
    t, uiLocale, readingLanguages, localize, IntentError, ask, describeError, describeGateError, el, setText, show,
    say, runBusy, renderKeyed, words, updateTierChoice,
} = globalThis.sluiceUi;
