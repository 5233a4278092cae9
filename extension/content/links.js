// Magnet and .torrent links: a person's click on one may be answered by Sluice, by a question, or left to the
// page, as the options' link policy says (asked of the background, kept a few seconds). Every frame watches its
// own links; the question shows in the frame of the link (content/link_prompt.js).
(() => {
    'use strict';

    const {ask} = globalThis.sluiceMessaging;
    const {showPrompt} = globalThis.sluiceLinkPrompt;

    const MAX_LINK_CHARS = 8192;
    const POLICY_TTL_MS = 5000;
    let policy = {value: null, at: 0};
    let policyAsked = null;
    // Links whose next click belongs to the page: "Not now" hands the click back.
    const bypass = new WeakSet();

    // 'magnet', 'torrent' (an http(s) URL whose path ends in .torrent) or null, for an anchor's href.
    function linkKind(anchor) {
        const href = anchor.href;
        if (typeof href !== 'string' || href.length === 0 || href.length > MAX_LINK_CHARS) {
            return null;
        }
        if (/^magnet:\?/i.test(href)) {
            return 'magnet';
        }
        try {
            const url = new URL(href);
            if ((url.protocol === 'http:' || url.protocol === 'https:') &&
                url.pathname.toLowerCase().endsWith('.torrent')) {
                return 'torrent';
            }
        } catch {
            return null;
        }
        return null;
    }

    function anchorOf(event) {
        for (const node of event.composedPath()) {
            if (node instanceof window.HTMLAnchorElement && node.hasAttribute('href')) {
                return node;
            }
        }
        return null;
    }

    function cachedPolicy() {
        return policy.value !== null && Date.now() - policy.at < POLICY_TTL_MS ? policy.value : null;
    }

    function fetchPolicy() {
        if (!policyAsked) {
            policyAsked = ask('page.linkPolicy').then((result) => {
                const value = ['ask', 'always', 'never'].includes(result?.handleLinks) ? result.handleLinks : 'ask';
                policy = {value, at: Date.now()};
                return value;
            }, () => 'never').finally(() => {
                policyAsked = null;
            });
        }
        return policyAsked;
    }

    // The page's click, as if we had never been there: its listeners and the browser's default action.
    function handBack(anchor) {
        bypass.add(anchor);
        try {
            anchor.click();
        } finally {
            bypass.delete(anchor);
        }
    }

    async function openWithSluice(anchor) {
        try {
            await ask('page.openLink', {url: anchor.href});
        } catch {
            // Sluice could not take it (host away, too many tabs): the link still does what it did before.
            handBack(anchor);
        }
    }

    function act(value, anchor, kind, deferred) {
        if (value === 'always') {
            openWithSluice(anchor);
        } else if (value === 'ask') {
            showPrompt(anchor, kind, {onOpen: () => openWithSluice(anchor), onNotNow: () => handBack(anchor)});
        } else if (deferred) {
            handBack(anchor);
        }
    }

    function onClick(event) {
        // Only a person's plain left click (or Enter): a page script's click() is the page's business.
        if (!event.isTrusted || event.button !== 0 || event.ctrlKey || event.shiftKey || event.altKey ||
            event.metaKey || event.defaultPrevented) {
            return;
        }
        const anchor = anchorOf(event);
        if (!anchor || bypass.has(anchor)) {
            return;
        }
        const kind = linkKind(anchor);
        if (!kind) {
            return;
        }
        const known = cachedPolicy();
        if (known === 'never') {
            return;
        }
        event.preventDefault();
        event.stopPropagation();
        if (known) {
            act(known, anchor, kind, false);
        } else {
            // The click cannot wait for the answer: it is held, and handed back if Sluice should not take it.
            fetchPolicy().then((value) => act(value, anchor, kind, true));
        }
    }

    // Pressing on a link comes before its click: the policy is asked then, so the click knows it at once.
    function onPointerDown(event) {
        if (!event.isTrusted || event.button !== 0 || cachedPolicy() !== null) {
            return;
        }
        const anchor = anchorOf(event);
        if (anchor && linkKind(anchor)) {
            fetchPolicy();
        }
    }

    // Listens on the frame's window, capturing, so the page's own listeners come after.
    function watchLinks() {
        window.addEventListener('click', onClick, true);
        window.addEventListener('pointerdown', onPointerDown, true);
    }

    globalThis.sluiceLinks = Object.freeze({linkKind, watchLinks});
})();
