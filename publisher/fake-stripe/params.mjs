// Typed readers over decoded form parameters, failing as Stripe fails: the error names the parameter by its
// bracketed path, a missing one is `parameter_missing`, an empty string (Stripe's way to unset a value) is
// absent for an optional parameter and `parameter_invalid_empty` for a required one.
import {URL} from 'node:url';
import {invalidRequest, parameterMissing, parameterUnknown} from './errors.mjs';

export const paramPath = (prefix, key) => (prefix ? `${prefix}[${key}]` : String(key));

const describe = (value) => (typeof value === 'string' ? value : JSON.stringify(value));
const absent = (value) => value === undefined || value === '';

// Stripe refuses a parameter it does not know, which catches a misspelt name at once; `allowed` lists the
// real Stripe parameters an endpoint takes, including the many this fake accepts and ignores.
export function rejectUnknown(params, allowed, prefix = '') {
    for (const key of Object.keys(params)) {
        if (!allowed.has(key)) {
            throw parameterUnknown(paramPath(prefix, key));
        }
    }
}

function emptyNotAllowed(param) {
    return invalidRequest(`You passed an empty string for '${param}', which cannot be unset: leave it out or ` +
        'give it a value.', {code: 'parameter_invalid_empty', param});
}

function checkRequired(value, param) {
    if (value === undefined) {
        throw parameterMissing(param);
    }
    if (value === '') {
        throw emptyNotAllowed(param);
    }
}

export function optionalString(value, param, {max = 5000} = {}) {
    if (absent(value)) {
        return null;
    }
    if (typeof value !== 'string') {
        throw invalidRequest(`Invalid string: ${describe(value)}`, {param});
    }
    if (value.length > max) {
        throw invalidRequest(`Invalid string: ${param} must be at most ${max} characters long.`, {param});
    }
    return value;
}

export function requiredString(value, param, options) {
    checkRequired(value, param);
    return optionalString(value, param, options);
}

function invalidInteger(message, param) {
    return invalidRequest(message, {code: 'parameter_invalid_integer', param});
}

export function optionalInteger(value, param, {min, max} = {}) {
    if (absent(value)) {
        return null;
    }
    if (typeof value !== 'string' || !/^-?\d{1,15}$/.test(value)) {
        throw invalidInteger(`Invalid integer: ${describe(value)}`, param);
    }
    const number = Number(value);
    if (min !== undefined && number < min) {
        throw invalidInteger(`This value must be greater than or equal to ${min}.`, param);
    }
    if (max !== undefined && number > max) {
        throw invalidInteger(`This value must be less than or equal to ${max}.`, param);
    }
    return number;
}

export function requiredInteger(value, param, options) {
    checkRequired(value, param);
    return optionalInteger(value, param, options);
}

export function optionalBoolean(value, param) {
    if (absent(value)) {
        return false;
    }
    if (value !== 'true' && value !== 'false') {
        throw invalidRequest(`Invalid boolean: ${describe(value)}`, {param});
    }
    return value === 'true';
}

function listWords(words) {
    return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')}, or ${words.at(-1)}`;
}

export function optionalEnum(value, param, choices) {
    if (absent(value)) {
        return null;
    }
    if (!choices.includes(value)) {
        throw invalidRequest(`Invalid ${param}: must be one of ${listWords(choices)}`, {param});
    }
    return value;
}

export function requiredEnum(value, param, choices) {
    checkRequired(value, param);
    return optionalEnum(value, param, choices);
}

// Stripe answers currencies in lower case whatever case they were sent in.
export function optionalCurrency(value, param) {
    if (absent(value)) {
        return null;
    }
    if (typeof value !== 'string' || !/^[A-Za-z]{3}$/.test(value)) {
        throw invalidRequest(`Invalid currency: ${describe(value)}`, {param});
    }
    return value.toLowerCase();
}

export function requiredCurrency(value, param) {
    checkRequired(value, param);
    return optionalCurrency(value, param);
}

export function optionalHash(value, param) {
    if (absent(value)) {
        return {};
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
        throw invalidRequest(`Invalid hash: ${param} must be given as ${param}[name]=value`, {param});
    }
    return value;
}

export function requiredHash(value, param) {
    checkRequired(value, param);
    return optionalHash(value, param);
}

export function requiredArray(value, param) {
    checkRequired(value, param);
    if (!Array.isArray(value)) {
        throw invalidRequest(`Invalid array: ${param} must be given as ${param}[0][...]=value`, {param});
    }
    if (value.length === 0) {
        throw parameterMissing(param);
    }
    return value;
}

// Stripe's limits on metadata: 50 keys, keys up to 40 characters, values up to 500; an empty value unsets.
export function metadata(value, param = 'metadata') {
    const hash = optionalHash(value, param);
    const out = {};
    for (const [key, item] of Object.entries(hash)) {
        const path = paramPath(param, key);
        if (typeof item !== 'string') {
            throw invalidRequest(`Invalid string: metadata values must be strings (${path})`, {param: path});
        }
        if (key.length > 40) {
            throw invalidRequest(`Metadata keys can have up to 40 characters (${path}).`, {param: path});
        }
        if (item.length > 500) {
            throw invalidRequest(`Metadata values can have up to 500 characters (${path}).`, {param: path});
        }
        if (item !== '') {
            Object.defineProperty(out, key, {value: item, enumerable: true, writable: true, configurable: true});
        }
    }
    if (Object.keys(out).length > 50) {
        throw invalidRequest('Metadata can have up to 50 keys.', {param});
    }
    return out;
}

export function optionalUrl(value, param) {
    const text = optionalString(value, param, {max: 5000});
    if (text === null) {
        return null;
    }
    let url;
    try {
        url = new URL(text);
    } catch {
        url = null;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        throw invalidRequest('Not a valid URL', {param});
    }
    return text;
}

export function requiredUrl(value, param) {
    checkRequired(value, param);
    return optionalUrl(value, param);
}

export function optionalEmail(value, param) {
    const text = optionalString(value, param, {max: 512});
    if (text !== null && !/^[^\s@]+@[^\s@]+$/.test(text)) {
        throw invalidRequest(`Invalid email address: ${text}`, {param});
    }
    return text;
}

export function exclusive(params, names) {
    if (names.filter((name) => !absent(params[name])).length > 1) {
        throw invalidRequest(`You may only specify one of these parameters: ${names.join(', ')}.`,
            {code: 'parameters_exclusive'});
    }
}

// A retrieve (GET /v1/<objects>/:id) takes only `expand`, which this fake ignores; answers {id}.
export function retrieveParams(params, {id}) {
    rejectUnknown(params, new Set(['expand']));
    return {id};
}
