// Picking an intent's parameters out of a sender's message: only the members an intent names, each checked
// for type and size. Nothing else of the message goes further.
import {ExtensionError} from '../common/error_codes.js';

export class IntentError extends Error {
    constructor(code, message) {
        super(message);
        this.code = code;
    }
}

export function badParam(message) {
    return new IntentError(ExtensionError.BAD_INTENT, message);
}

const INFO_HASH = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

function present(params, name) {
    return params !== null && typeof params === 'object' && Object.hasOwn(params, name) && params[name] !== undefined;
}

export function infoHash(params, name = 'infoHash') {
    const value = present(params, name) ? params[name] : undefined;
    if (typeof value !== 'string' || !INFO_HASH.test(value)) {
        throw badParam(`${name} must be 40 or 64 lowercase hex digits`);
    }
    return value;
}

export function string(params, name, {max, min = 1, optional = false} = {}) {
    if (!present(params, name)) {
        if (optional) {
            return undefined;
        }
        throw badParam(`${name} is missing`);
    }
    const value = params[name];
    if (typeof value !== 'string' || value.length < min || value.length > max) {
        throw badParam(`${name} must be text of ${min} to ${max} characters`);
    }
    return value;
}

export function integer(params, name, {min = 0, max = Number.MAX_SAFE_INTEGER, optional = false} = {}) {
    if (!present(params, name)) {
        if (optional) {
            return undefined;
        }
        throw badParam(`${name} is missing`);
    }
    const value = params[name];
    if (!Number.isSafeInteger(value) || value < min || value > max) {
        throw badParam(`${name} must be an integer from ${min} to ${max}`);
    }
    return value;
}

// A finite number from `min` to `max` (seconds, for instance); undefined when absent and optional.
export function number(params, name, {min = 0, max = Number.MAX_SAFE_INTEGER, optional = false} = {}) {
    if (!present(params, name)) {
        if (optional) {
            return undefined;
        }
        throw badParam(`${name} is missing`);
    }
    const value = params[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
        throw badParam(`${name} must be a number from ${min} to ${max}`);
    }
    return value;
}

// A list of at most `maxItems` texts, each of `min` to `max` characters; a copy, so nothing the sender holds
// goes further.
export function strings(params, name, {maxItems, max, min = 1} = {}) {
    if (!present(params, name)) {
        throw badParam(`${name} is missing`);
    }
    const value = params[name];
    if (!Array.isArray(value) || value.length > maxItems) {
        throw badParam(`${name} must be a list of at most ${maxItems} texts`);
    }
    if (!value.every((item) => typeof item === 'string' && item.length >= min && item.length <= max)) {
        throw badParam(`${name} must hold texts of ${min} to ${max} characters`);
    }
    return [...value];
}

export function boolean(params, name, {optional = false} = {}) {
    if (!present(params, name)) {
        if (optional) {
            return undefined;
        }
        throw badParam(`${name} is missing`);
    }
    if (typeof params[name] !== 'boolean') {
        throw badParam(`${name} must be true or false`);
    }
    return params[name];
}

export function oneOf(params, name, choices) {
    const value = present(params, name) ? params[name] : undefined;
    if (!choices.includes(value)) {
        throw badParam(`${name} must be one of ${choices.join(', ')}`);
    }
    return value;
}

// An object of only the named members that are present, each checked by its own picker.
export function pickSome(params, pickers) {
    const out = {};
    for (const [name, pick] of Object.entries(pickers)) {
        if (present(params, name)) {
            out[name] = pick(params, name);
        }
    }
    return out;
}
