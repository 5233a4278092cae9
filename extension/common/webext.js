// The browser's extension API, `browser` or `chrome`: defined in classic/webext.js, a classic script the content
// scripts load too (extension/README.md, "Code shared with the content scripts").
import './classic/webext.js';

export const {webext} = globalThis.sluiceWebext;
