// Stripe's form encoding: `application/x-www-form-urlencoded` pairs whose names use brackets for nesting,
// `metadata[k]=v` for a hash, `line_items[0][quantity]=1` for an array of hashes, `expand[]=x` to append.
// The same decoding serves request bodies and GET query strings.
import {URLSearchParams} from 'node:url';
import {invalidRequest} from './errors.mjs';

const NAME = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;
const MAX_DEPTH = 8;
// A real index above this is a mistake, and a huge one would make a huge sparse array.
const MAX_INDEX = 9999;

function splitName(name) {
    const match = NAME.exec(name);
    if (!match) {
        throw invalidRequest(`Invalid parameter name: ${name}`);
    }
    const segments = [match[1]];
    for (const part of match[2].matchAll(/\[([^[\]]*)\]/g)) {
        segments.push(part[1]);
    }
    if (segments.length > MAX_DEPTH) {
        throw invalidRequest(`Parameter nested too deeply: ${name}`);
    }
    return segments;
}

const isIndex = (segment) => segment === '' || /^\d+$/.test(segment);

// Own properties only, so that a name like `metadata[__proto__]` is stored as data and never reaches a
// prototype.
function setOwn(target, key, value) {
    Object.defineProperty(target, key, {value, enumerable: true, writable: true, configurable: true});
}

function getOwn(target, key) {
    return Object.hasOwn(target, key) ? target[key] : undefined;
}

function childSlot(container, segment, name) {
    if (Array.isArray(container)) {
        if (!isIndex(segment)) {
            throw invalidRequest(`Invalid array: ${name} mixes indexes and names`);
        }
        const index = segment === '' ? container.length : Number(segment);
        if (index > MAX_INDEX) {
            throw invalidRequest(`Array index too large: ${name}`);
        }
        return index;
    }
    if (segment === '') {
        throw invalidRequest(`Invalid parameter name: ${name}`);
    }
    return segment;
}

function assign(root, segments, value, name) {
    let container = root;
    for (let i = 0; i < segments.length; i++) {
        const key = childSlot(container, segments[i], name);
        const last = i === segments.length - 1;
        if (last) {
            setOwn(container, key, value);
            return;
        }
        let next = getOwn(container, key);
        if (next === undefined || typeof next === 'string') {
            next = isIndex(segments[i + 1]) ? [] : {};
            setOwn(container, key, next);
        } else if (Array.isArray(next) !== isIndex(segments[i + 1])) {
            throw invalidRequest(`Invalid parameter: ${name} mixes an array and a hash`);
        }
        container = next;
    }
}

// Indexes may be sent sparse (`[0]`, `[2]`); the decoded array keeps their order without holes.
function compact(value) {
    if (Array.isArray(value)) {
        return value.filter((item) => item !== undefined).map(compact);
    }
    if (value && typeof value === 'object') {
        for (const key of Object.keys(value)) {
            value[key] = compact(value[key]);
        }
    }
    return value;
}

export function decodeForm(text) {
    const root = {};
    for (const [name, value] of new URLSearchParams(text)) {
        assign(root, splitName(name), value, name);
    }
    return compact(root);
}
