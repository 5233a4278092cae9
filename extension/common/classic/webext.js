// The only browser-specific line: Firefox exposes the promise-based `browser`, Chromium `chrome`.
// A classic script shared with the content scripts, which read globalThis.sluiceWebext; pages and the
// background import common/webext.js (extension/README.md, "Code shared with the content scripts").
(() => {
    'use strict';

    globalThis.sluiceWebext = Object.freeze({webext: globalThis.browser ?? globalThis.chrome});
})();
