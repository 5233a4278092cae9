// Runs fn at most once per interval, after the latest call: a burst of changes becomes one post.
export function throttle(fn, intervalMs) {
    let last = 0;
    let timer = null;
    const call = () => {
        if (timer !== null) {
            return;
        }
        timer = setTimeout(() => {
            timer = null;
            last = Date.now();
            fn();
        }, Math.max(0, last + intervalMs - Date.now()));
    };
    call.cancel = () => {
        clearTimeout(timer);
        timer = null;
    };
    return call;
}
