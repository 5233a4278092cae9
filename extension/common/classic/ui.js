// What every extension page needs from the browser: its words, and the background's intents; and how pages
// build and update their DOM. The content scripts use the same, in a page's shadow root.
// A classic script shared with the content scripts, which read globalThis.sluiceUi; pages and the background
// import common/ui.js (extension/README.md, "Code shared with the content scripts").
(() => {
    'use strict';

    const {webext} = globalThis.sluiceWebext;
    const {errorTextKey} = globalThis.sluiceErrorText;
    const {pickLocale} = globalThis.sluiceFormat;
    const {gateRefusalKey} = globalThis.sluiceGates;

    function t(key, substitutions) {
        // A missing key shows itself rather than an empty label, so it is noticed.
        return webext.i18n.getMessage(key, substitutions) || key;
    }

    // The language the words are in, for every number, amount, date and duration beside them (see pickLocale).
    const uiLocale = pickLocale(webext.i18n.getMessage('localeTag'),
        [webext.i18n.getUILanguage(), ...(globalThis.navigator?.languages ?? [])]);

    // The languages the person reads, best first: the UI's, then the browser's (subtitles are chosen by these).
    const readingLanguages = [uiLocale, ...(globalThis.navigator?.languages ?? [])];

    // Fills every [data-i18n] element's text, and [data-i18n-<attr>] attributes, from the locale.
    function localize(root = document) {
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
    class IntentError extends Error {
        constructor(error) {
            super(error?.message ?? 'intent failed');
            this.code = error?.code ?? null;
            this.data = error?.data;
        }
    }

    async function ask(intent, params = {}) {
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
    function describeError(error) {
        return t(errorTextKey(error));
    }

    // The words of the forms that unlock (the viewer's and a bundle page's card): the gate's own reason when it
    // gave one, else the words for the code.
    function describeGateError(error) {
        const key = gateRefusalKey(error);
        return key ? t(key) : describeError(error);
    }

    // Pages build their DOM from nodes, never from HTML strings: data is only ever text. A prop the element has
    // as a property is set as one (hidden: true, required: true, spellcheck: false), any other as an attribute.
    function el(tag, props = {}, children = []) {
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

    function setText(node, text) {
        if (node.textContent !== text) {
            node.textContent = text;
        }
    }

    function show(node, visible) {
        if (node.hidden === visible) {
            node.hidden = !visible;
        }
    }

    // A message line under a control: an error in words, or what an action did.
    function say(node, text, isError = false) {
        setText(node, text);
        node.classList.toggle('is-error', isError);
        show(node, Boolean(text));
    }

    // One action at a time per button, its failure in words on the message line. The button stays focusable while
    // the answer comes (disabling it would drop the focus); `describe` lets a page prefer its own words for an error.
    async function runBusy(button, messageNode, action, describe = describeError) {
        if (button.getAttribute('aria-busy') === 'true') {
            return;
        }
        button.setAttribute('aria-busy', 'true');
        say(messageNode, '');
        try {
            await action();
        } catch (error) {
            say(messageNode, describe(error), true);
        } finally {
            button.removeAttribute('aria-busy');
        }
    }

    // A line of pledgeView (common/classic/card.js): its words, or '' when it has none.
    function words(line) {
        return line ? t(line[0], line[1]) : '';
    }

    // Brings a pledge tier's radio choice (its radio, title, price, places left and description nodes, in
    // `root`) up to date with pledgeView's `choice`: a bundle page's card and the viewer draw it alike.
    function updateTierChoice(v, choice) {
        setText(v.title, choice.title);
        setText(v.price, choice.price);
        const left = choice.soldOut ? t('cardPledgeTierSoldOut') : words(choice.left);
        setText(v.left, left);
        show(v.left, Boolean(left));
        setText(v.description, choice.description);
        show(v.description, Boolean(choice.description));
        v.radio.disabled = choice.soldOut;
        v.radio.checked = choice.chosen;
        v.root.classList.toggle('is-sold-out', choice.soldOut);
    }

    // Keeps `list` showing one view per entry, in the entries' order. A view is made once per key and then updated
    // in place (moved only when out of place), so the focus, an open question and typed text inside it survive
    // updates; `drop` takes away the view of a key that went.
    function renderKeyed(list, views, entries,
        {key, build, update, node, drop = (view) => node(view).remove()}) {
        const seen = new Set();
        let previous = null;
        for (const entry of entries) {
            const k = key(entry);
            seen.add(k);
            let view = views.get(k);
            if (!view) {
                view = build(entry);
                views.set(k, view);
            }
            update(view, entry);
            const root = node(view);
            const wanted = previous ? previous.nextSibling : list.firstChild;
            if (wanted !== root) {
                list.insertBefore(root, wanted);
            }
            previous = root;
        }
        for (const [k, view] of views) {
            if (!seen.has(k)) {
                drop(view);
                views.delete(k);
            }
        }
    }

    globalThis.sluiceUi = Object.freeze({
        t, uiLocale, readingLanguages, localize, IntentError, ask, describeError, describeGateError, el, setText, show,
        say, runBusy, renderKeyed, words, updateTierChoice,
    });
})();
