// The options form's logic, apart from the page: what to send, and where an error belongs.
import {kibToBytes} from '../common/format.js';
import {ErrorCode} from '../common/error_codes.js';

export const HOST_FIELDS = ['downloadFolder', 'downloadRateLimit', 'uploadRateLimit', 'listenPort',
    'dht', 'lsd', 'upnp', 'natpmp', 'utp'];

export const TOGGLES = ['dht', 'lsd', 'upnp', 'natpmp', 'utp'];

const MAX_RATE_KIB = Math.floor(1_000_000_000 / 1024);

function wholeNumber(text, max) {
    const s = String(text).trim();
    if (!/^[0-9]+$/.test(s)) {
        return null;
    }
    const n = Number(s);
    return n <= max ? n : null;
}

// Reads the form's raw values ({downloadFolder: string, downloadRateLimit: 'KiB/s text', ..., dht: bool})
// into host settings. Returns {settings, problems}: problems maps a field to the i18n key of what is wrong.
export function readForm(values) {
    const settings = {};
    const problems = {};
    const folder = String(values.downloadFolder ?? '').trim();
    if (folder.startsWith('/')) {
        settings.downloadFolder = folder;
    } else {
        problems.downloadFolder = 'optionsInvalidFolder';
    }
    for (const field of ['downloadRateLimit', 'uploadRateLimit']) {
        const kib = wholeNumber(values[field], MAX_RATE_KIB);
        if (kib === null) {
            problems[field] = 'optionsInvalidRate';
        } else {
            settings[field] = kibToBytes(kib);
        }
    }
    const port = wholeNumber(values.listenPort, 65535);
    if (port === null) {
        problems.listenPort = 'optionsInvalidPort';
    } else {
        settings.listenPort = port;
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
        const same = (field === 'downloadRateLimit' || field === 'uploadRateLimit')
            ? Math.round((before ?? 0) / 1024) === Math.round(settings[field] / 1024)
            : before === settings[field];
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
