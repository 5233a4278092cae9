// The only browser-specific line: Firefox exposes the promise-based `browser`, Chromium `chrome`.
export const webext = globalThis.browser ?? globalThis.chrome;
