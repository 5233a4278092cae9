// Stripe's list endpoints: `limit` (1 to 100, default 10), a cursor (`starting_after` or `ending_before`,
// an object id), `created` (exact, or a hash of gt/gte/lt/lte) and one equality filter, answered as a list
// object, newest first.
import {invalidRequest, parameterUnknown, resourceMissing} from './errors.mjs';
import {exclusive, optionalInteger, optionalString, paramPath, rejectUnknown} from './params.mjs';

const COMMON = ['limit', 'starting_after', 'ending_before', 'created', 'expand'];
const BOUNDS = ['gt', 'gte', 'lt', 'lte'];

function parseCreated(value) {
    if (value === undefined || value === '') {
        return {};
    }
    if (typeof value === 'string') {
        const exact = optionalInteger(value, 'created');
        return {gte: exact, lte: exact};
    }
    if (Array.isArray(value)) {
        throw invalidRequest('Invalid hash: created', {param: 'created'});
    }
    const bounds = {};
    for (const [key, item] of Object.entries(value)) {
        if (!BOUNDS.includes(key)) {
            throw parameterUnknown(paramPath('created', key));
        }
        bounds[key] = optionalInteger(item, paramPath('created', key)) ?? undefined;
    }
    return bounds;
}

// `filters`: the equality filters this list takes (at most one per request in this fake).
export function parseListParams(params, filters) {
    rejectUnknown(params, new Set([...COMMON, ...filters]));
    exclusive(params, ['starting_after', 'ending_before']);
    exclusive(params, filters);
    const name = filters.find((filter) => optionalString(params[filter], filter) !== null);
    return {
        limit: optionalInteger(params.limit, 'limit', {min: 1, max: 100}) ?? 10,
        startingAfter: optionalString(params.starting_after, 'starting_after'),
        endingBefore: optionalString(params.ending_before, 'ending_before'),
        created: parseCreated(params.created),
        filter: name ? [name, params[name]] : null,
    };
}

function cursorSeq(collection, kind, id, param) {
    if (id === null) {
        return undefined;
    }
    const seq = collection.seqOf(id);
    if (seq === undefined) {
        throw resourceMissing(kind, id, {param});
    }
    return seq;
}

export function listAnswer(collection, kind, query, url) {
    const {data, hasMore} = collection.page({
        limit: query.limit, filter: query.filter, created: query.created,
        startingAfterSeq: cursorSeq(collection, kind, query.startingAfter, 'starting_after'),
        endingBeforeSeq: cursorSeq(collection, kind, query.endingBefore, 'ending_before'),
    });
    return {object: 'list', data, has_more: hasMore, url};
}
