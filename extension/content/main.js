// The content scripts' start, listed last in the manifest: the files before it only define what they share
// (common/classic/ for what the extension's pages use too, then content/). They run in the isolated world of every
// http(s) page and of its frames, and the page is hostile:
//  - bundle pages (top frame only): content/bundle_page.js and content/bundle_card.js;
//  - magnet and .torrent links (every frame): content/links.js and content/link_prompt.js.
// What the scripts share is on the isolated world's global, which the page cannot see; nothing is put on the page's
// window, window.postMessage is never listened to, and intents are capped (content/messaging.js).
(() => {
    'use strict';

    const {webext} = globalThis.sluiceWebext;
    if (!webext?.runtime?.id) {
        return;
    }
    globalThis.sluiceLinks.watchLinks();
    if (window.top === window) {
        globalThis.sluiceBundlePage.findBundle();
    }
})();
