// At most `limit` events per key in any window of `windowMs`: a page that floods the background is answered
// rate_limited instead of reaching the host.
export class RateLimiter {
    constructor({limit = 20, windowMs = 1000, now = () => Date.now()} = {}) {
        this.limit = limit;
        this.windowMs = windowMs;
        this.now = now;
        this.times = new Map();
    }

    // Counts the event and says whether it is within the limit (an event refused is counted too, so a
    // flood stays refused until it stops).
    allow(key) {
        const now = this.now();
        const recent = (this.times.get(key) ?? []).filter((t) => now - t < this.windowMs);
        recent.push(now);
        // Only the last `limit` times can matter; older ones would just grow the list.
        this.times.set(key, recent.slice(-this.limit - 1));
        return recent.length <= this.limit;
    }

    forget(key) {
        this.times.delete(key);
    }
}
