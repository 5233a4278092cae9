// Unix seconds for `created` fields. Lists are ordered by `created` and searched by it with a binary
// search, so the clock must never step back, even if the system clock does.
let lastSecond = 0;

export function nowSeconds() {
    lastSecond = Math.max(lastSecond, Math.floor(Date.now() / 1000));
    return lastSecond;
}
