// A counting semaphore whose waiters are served in arrival order, so that webhook deliveries start in the
// order their events happened even when many wait.
export class Slots {
    constructor(count) {
        this.free = count;
        this.waiting = [];
        this.head = 0;
    }

    acquire() {
        if (this.free > 0) {
            this.free -= 1;
            return Promise.resolve();
        }
        return new Promise((resolve) => this.waiting.push(resolve));
    }

    release() {
        if (this.head === this.waiting.length) {
            this.free += 1;
            return;
        }
        const next = this.waiting[this.head];
        this.waiting[this.head++] = undefined;
        // Drop the served prefix now and then: a queue of thousands must not shift on every release.
        if (this.head > 1024 && this.head * 2 > this.waiting.length) {
            this.waiting = this.waiting.slice(this.head);
            this.head = 0;
        }
        next();
    }
}
