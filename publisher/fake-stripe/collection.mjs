// One kind of object (payment intents, refunds, ...) in creation order, with what a Stripe list needs:
// newest first, cursors (`starting_after`, `ending_before`), `created` bounds and an equality filter
// (`customer`, `payment_intent`). Each object has a sequence number, its place in creation order; a filter
// keeps, per value, the sorted sequence numbers of its objects. A page is then found with binary searches
// and costs O(log n + limit) however deep it is, which keeps paging through 250,000 objects cheap.

// First index in [lo, hi) for which `before(i)` is false, `before` being true then false along the range.
function partition(lo, hi, before) {
    while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (before(mid)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

export class Collection {
    constructor(filterNames = []) {
        this.objects = [];
        this.extras = [];
        this.seqById = new Map();
        this.filters = new Map(filterNames.map((name) => [name, new Map()]));
    }

    get size() {
        return this.objects.length;
    }

    // `extra` holds what the fake needs beside the Stripe object (a card number, line items); it is never
    // sent. Filters read the object's own field of the same name.
    add(object, extra = null) {
        const seq = this.objects.length;
        this.objects.push(object);
        this.extras.push(extra);
        this.seqById.set(object.id, seq);
        for (const [name, byValue] of this.filters) {
            const value = object[name];
            if (value) {
                let seqs = byValue.get(value);
                if (!seqs) {
                    seqs = [];
                    byValue.set(value, seqs);
                }
                seqs.push(seq);
            }
        }
        return object;
    }

    get(id) {
        const seq = this.seqById.get(id);
        return seq === undefined ? undefined : this.objects[seq];
    }

    extra(id) {
        const seq = this.seqById.get(id);
        return seq === undefined ? undefined : this.extras[seq];
    }

    seqOf(id) {
        return this.seqById.get(id);
    }

    // `query`: {limit, startingAfterSeq, endingBeforeSeq, filter: [name, value] | null, created: {gt, gte, lt,
    // lte}}. Answers {data (newest first), hasMore}.
    page({limit, startingAfterSeq, endingBeforeSeq, filter, created}) {
        const seqs = filter ? (this.filters.get(filter[0]).get(filter[1]) ?? []) : null;
        const seqAt = seqs ? (i) => seqs[i] : (i) => i;
        const length = seqs ? seqs.length : this.objects.length;
        const createdAt = (i) => this.objects[seqAt(i)].created;
        let lo = 0;
        let hi = length;
        if (created.gte !== undefined) {
            lo = Math.max(lo, partition(0, length, (i) => createdAt(i) < created.gte));
        }
        if (created.gt !== undefined) {
            lo = Math.max(lo, partition(0, length, (i) => createdAt(i) <= created.gt));
        }
        if (created.lte !== undefined) {
            hi = Math.min(hi, partition(0, length, (i) => createdAt(i) <= created.lte));
        }
        if (created.lt !== undefined) {
            hi = Math.min(hi, partition(0, length, (i) => createdAt(i) < created.lt));
        }
        if (startingAfterSeq !== undefined) {
            hi = Math.min(hi, partition(0, length, (i) => seqAt(i) < startingAfterSeq));
        }
        if (endingBeforeSeq !== undefined) {
            lo = Math.max(lo, partition(0, length, (i) => seqAt(i) <= endingBeforeSeq));
        }
        return this.#slice(lo, hi, limit, endingBeforeSeq !== undefined && startingAfterSeq === undefined, seqAt);
    }

    // Newest first: the `limit` newest of the range, or with `ending_before` the `limit` just above the
    // cursor (Stripe's page before it), still newest first.
    #slice(lo, hi, limit, nearLow, seqAt) {
        if (hi <= lo) {
            return {data: [], hasMore: false};
        }
        const count = Math.min(limit, hi - lo);
        const top = nearLow ? lo + count : hi;
        const data = [];
        for (let i = top - 1; i >= top - count; i--) {
            data.push(this.objects[seqAt(i)]);
        }
        return {data, hasMore: hi - lo > count};
    }

    all() {
        return this.objects;
    }
}
