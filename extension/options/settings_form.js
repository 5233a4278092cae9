// The options form's logic, apart from the page: what to send, and where an error belongs.
import {ErrorCode} from '../common/error_codes.js';

// The numbers the form shows: the range settings.set takes (protocol/schema/native-messaging.json, which the
// host's table of settings is tested against; options_settings.test.mjs holds these to it), the unit the page
// shows them in (rates in KiB/s) and what to say when one is wrong. connectionsLimit is not shown.
export const NUMBERS = {
    downloadRateLimit: {min: 0, max: 1_000_000_000, unit: 1024, problem: 'optionsInvalidRate'},
    uploadRateLimit: {min: 0, max: 1_000_000_000, unit: 1024, problem: 'optionsInvalidRate'},
    listenPort: {min: 0, max: 65535, unit: 1, problem: 'optionsInvalidPort'},
};

// reportPlays: whether plays of bundle items are counted for their creators (the player asks the first time).
export const TOGGLES = ['dht', 'lsd', 'upnp', 'natpmp', 'utp', 'reportPlays'];

export const HOST_FIELDS = ['downloadFolder', ...Object.keys(NUMBERS), ...TOGGLES];

// A host value in the unit the page shows, rounded as the page shows it.
export function shownNumber(field, value) {
    return Math.round((Number(value) || 0) / NUMBERS[field].unit);
}

// The range a number field takes in the page's unit: every value the host can hold can be shown and saved.
export function shownRange(field) {
    const {min, max} = NUMBERS[field];
    return {min: shownNumber(field, min), max: shownNumber(field, max)};
}

// What settings.set takes: an absolute path without control characters (U+0000 to U+001F, U+007F).
export function isFolder(text) {
    return text.startsWith('/') && ![...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

function wholeNumber(text, {min, max}) {
    const s = String(text).trim();
    if (!/^[0-9]+$/.test(s)) {
        return null;
    }
    const n = Number(s);
    return n >= min && n <= max ? n : null;
}

// Reads the form's raw values ({downloadFolder: string, downloadRateLimit: 'KiB/s text', ..., dht: bool})
// into host settings. Returns {settings, problems}: problems maps a field to the i18n key of what is wrong.
export function readForm(values) {
    const settings = {};
    const problems = {};
    const folder = String(values.downloadFolder ?? '').trim();
    if (isFolder(folder)) {
        settings.downloadFolder = folder;
    } else {
        problems.downloadFolder = 'optionsInvalidFolder';
    }
    for (const [field, {min, max, unit, problem}] of Object.entries(NUMBERS)) {
        const shown = wholeNumber(values[field], shownRange(field));
        if (shown === null) {
            problems[field] = problem;
        } else {
            // The top of the range is shown rounded (1000000000 B/s as 976563 KiB/s): it still means the top.
            settings[field] = Math.min(max, Math.max(min, shown * unit));
        }
    }
    for (const field of TOGGLES) {
        settings[field] = Boolean(values[field]);
    }
    return {settings, problems};
}

// Only the fields that differ from what the host last said: settings.set applies each one it is given, and an
// untouched rate limit shown rounded to KiB/s must not overwrite the host's exact bytes/s.
export function settingsPatch(loaded, settings) {
    const patch = {};
    for (const field of HOST_FIELDS) {
        if (!(field in settings)) {
            continue;
        }
        const before = loaded?.[field];
        // A toggle an older host does not have reads as off, and is not sent while it stays off.
        const same = (field in NUMBERS)
            ? shownNumber(field, before) === shownNumber(field, settings[field])
            : (TOGGLES.includes(field) ? Boolean(before) : before) === settings[field];
        if (!same) {
            patch[field] = settings[field];
        }
    }
    return patch;
}

// Which field a failed settings.set belongs to. The host names the setting at the start of data.detail
// ("listenPort must be ..."); an error it does not pin on a field goes beside the Save button (null).
export function fieldOfError(error, sent) {
    if (error?.code === ErrorCode.INVALID_SAVE_PATH) {
        return 'downloadFolder';
    }
    if (error?.code !== ErrorCode.INVALID_PARAMS) {
        return null;
    }
    const detail = String(error.data?.detail ?? error.message ?? '');
    const named = HOST_FIELDS.filter((f) => new RegExp(`\\b${f}\\b`).test(detail));
    if (named.length > 0) {
        return named[0];
    }
    const fields = Object.keys(sent ?? {});
    return fields.length === 1 ? fields[0] : null;
}
