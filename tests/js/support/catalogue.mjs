// chrome.i18n.getMessage over the extension's own catalogue of a language, enough of it: named placeholders
// mapped to $1, $2... A missing key answers '' as the browser does, or fails the test when `strict`.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';

export function catalogueMessages(lang = 'en', {strict = false} = {}) {
    const table = JSON.parse(readFileSync(new URL(`../../../extension/_locales/${lang}/messages.json`,
        import.meta.url), 'utf8'));
    return (key, substitutions = []) => {
        const entry = table[key];
        if (strict) {
            assert.ok(entry, `${lang}: no ${key}`);
        }
        if (!entry) {
            return '';
        }
        const subs = [].concat(substitutions);
        return entry.message.replace(/\$([A-Z_]+)\$/g, (_m, name) => {
            const content = entry.placeholders?.[name.toLowerCase()]?.content ?? '';
            return subs[Number(content.slice(1)) - 1] ?? '';
        });
    };
}
