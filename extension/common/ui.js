// What every extension page needs from the browser: its words, and the background's intents.
import {webext} from './webext.js';
import {errorTextKey} from './error_text.js';

export function t(key, substitutions) {
    // A missing key shows itself rather than an empty label, so it is noticed.
    return webext.i18n.getMessage(key, substitutions) || key;
}

export const uiLocale = webext.i18n.getUILanguage();

// Fills every [data-i18n] element's text, and [data-i18n-<attr>] attributes, from the locale.
export function localize(root = document) {
    document.documentElement.lang = uiLocale;
    for (const el of root.querySelectorAll('[data-i18n]')) {
        el.textContent = t(el.dataset.i18n);
    }
    for (const attr of ['placeholder', 'aria-label', 'title']) {
        const data = `i18n${attr.replace(/(^|-)([a-z])/g, (_m, _d, c) => c.toUpperCase())}`;
        for (const el of root.querySelectorAll(`[data-i18n-${attr}]`)) {
            el.setAttribute(attr, t(el.dataset[data]));
        }
    }
}

// An error as the background answers it ({code, message, data?}), or anything thrown on the way.
export class IntentError extends Error {
    constructor(error) {
        super(error?.message ?? 'intent failed');
        this.code = error?.code ?? null;
        this.data = error?.data;
    }
}

export async function ask(intent, params = {}) {
    let reply;
    try {
        reply = await webext.runtime.sendMessage({intent, ...params});
    } catch (e) {
        throw new IntentError({message: String(e)});
    }
    if (!reply || reply.ok !== true) {
        throw new IntentError(reply?.error);
    }
    return reply.result;
}

// Words for a failed intent, picked by code; the background's message is for logs, not for people.
export function describeError(error) {
    return t(errorTextKey(error));
}

// Pages build their DOM from nodes, never from HTML strings: data is only ever text.
export function el(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
        if (k === 'class') {
            node.className = v;
        } else if (k === 'text') {
            node.textContent = v;
        } else if (k in node && !k.includes('-')) {
            node[k] = v;
        } else {
            node.setAttribute(k, v);
        }
    }
    node.append(...children);
    return node;
}

export function setText(node, text) {
    if (node.textContent !== text) {
        node.textContent = text;
    }
}

export function show(node, visible) {
    if (node.hidden === visible) {
        node.hidden = !visible;
    }
}
