// Bundle pages: the text of the page's one application/sluice-bundle+json script goes to the background (which
// alone parses it, as page.bundle); the card's model comes back over a 'card' port and is drawn by
// content/bundle_card.js. Top frame only: the background answers a frame's link intents and nothing else.
(() => {
    'use strict';

    const {webext} = globalThis.sluiceWebext;
    const {t, describeGateError} = globalThis.sluiceUi;
    const {ExtensionError} = globalThis.sluiceErrorCodes;
    const {ask} = globalThis.sluiceMessaging;
    const {Card} = globalThis.sluiceBundleCard;

    const MAX_MARKUP_CHARS = 8192;

    // The markup's text when the document has exactly one bundle script of a sensible size, else null.
    function bundleMarkup(doc) {
        const scripts = doc.querySelectorAll('script[type="application/sluice-bundle+json"]');
        if (scripts.length !== 1) {
            return null;
        }
        const text = scripts[0].textContent ?? '';
        if (text.length === 0 || text.length > MAX_MARKUP_CHARS) {
            return null;
        }
        return text;
    }

    // Watching one bundle: page.bundle, then the card port. A background that restarts forgets what this
    // page announced, so a dropped port means announcing again (a few times, further and further apart).
    const MAX_RECONNECTS = 6;

    function watchBundle(markup) {
        const card = new Card();
        card.place();
        card.showHost('connecting');
        let reconnects = 0;
        let lastConnect = 0;

        const retry = () => {
            // A port that lived a minute was a good one: its loss starts the count again.
            if (Date.now() - lastConnect > 60000) {
                reconnects = 0;
            }
            if (reconnects >= MAX_RECONNECTS) {
                return;
            }
            reconnects += 1;
            setTimeout(connect, 1000 * 2 ** reconnects);
        };

        async function connect() {
            lastConnect = Date.now();
            let result;
            try {
                result = await ask('page.bundle', {markup});
            } catch (error) {
                if (error.code === ExtensionError.MARKUP_INVALID) {
                    // The background refused the markup: the page claims a bundle it does not describe.
                    card.showProblem(t('errorMarkupInvalid'));
                    return;
                }
                if (error.code === ExtensionError.HOST_NOT_INSTALLED) {
                    card.showHost('not-installed');
                } else {
                    card.showProblem(describeGateError(error));
                }
                retry();
                return;
            }
            const infoHash = typeof result?.infoHash === 'string' ? result.infoHash : null;
            if (!infoHash) {
                return;
            }
            card.infoHash = infoHash;
            const port = webext.runtime.connect({name: 'card'});
            port.onMessage.addListener((message) => {
                if (message?.type !== 'card') {
                    return;
                }
                if (message.card && typeof message.card === 'object') {
                    card.render(message.card);
                } else {
                    card.showHost(message.host?.status);
                }
            });
            port.onDisconnect.addListener(retry);
            port.postMessage({type: 'watch', infoHash});
        }

        connect();
    }

    // The card for the document's bundle markup, if it has one.
    function findBundle() {
        const markup = bundleMarkup(document);
        if (markup !== null) {
            watchBundle(markup);
        }
    }

    globalThis.sluiceBundlePage = Object.freeze({bundleMarkup, findBundle});
})();
