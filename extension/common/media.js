// What the player and the viewer decide about a file before touching a media element: which element plays
// it, which subtitle track is on by default, and where playback resumes. Pure, so node --test checks it.

// The MIME type without its parameters, lowercased: "Video/MP4; codecs=..." → "video/mp4".
function essence(mime) {
    return typeof mime === 'string' ? mime.split(';')[0].trim().toLowerCase() : '';
}

// 'video', 'audio' or null: the element a file needs, or none when no media element can play it.
export function mediaKind(mime) {
    const type = essence(mime);
    if (/^video\/[a-z0-9.+-]+$/.test(type)) {
        return 'video';
    }
    if (/^audio\/[a-z0-9.+-]+$/.test(type)) {
        return 'audio';
    }
    return null;
}

export function isPlayableMime(mime) {
    return mediaKind(mime) !== null;
}

function languageParts(tag) {
    return typeof tag === 'string' ? tag.toLowerCase().replace(/_/g, '-').split('-') : [];
}

// The index of the subtitle track to show by default. `languages` is one tag or a list, best first (the UI's
// language, then the browser's): the first language any track has wins, an exact region match before the
// bare language ("fr" for "fr-CA" too); -1 when none matches, so nothing covers the picture unasked.
export function defaultSubtitleIndex(subtitles, languages) {
    if (!Array.isArray(subtitles)) {
        return -1;
    }
    const langs = subtitles.map((s) => languageParts(s?.lang));
    for (const language of Array.isArray(languages) ? languages : [languages]) {
        const ui = languageParts(language);
        if (ui.length === 0 || ui[0] === '') {
            continue;
        }
        const exact = langs.findIndex((l) => l.length > 0 && l.join('-') === ui.join('-'));
        if (exact >= 0) {
            return exact;
        }
        const sameLanguage = langs.findIndex((l) => l[0] === ui[0]);
        if (sameLanguage >= 0) {
            return sameLanguage;
        }
    }
    return -1;
}

// Resume positions: within this many seconds of either end there is nothing worth resuming.
export const RESUME_MARGIN_SECONDS = 5;

export function resumeKey(itemKey) {
    return `resume:${itemKey}`;
}

// What to do with the stored position when playback is at `position` of `duration` seconds:
// 'save' it, 'clear' it (at the very start, or at the end: next time starts over), or 'skip' (nothing known).
export function resumeAction(position, duration) {
    if (!Number.isFinite(position) || position < 0) {
        return 'skip';
    }
    if (Number.isFinite(duration) && duration > 0 && position >= duration - RESUME_MARGIN_SECONDS) {
        return 'clear';
    }
    if (position < 1) {
        return 'clear';
    }
    return 'save';
}

// The position to seek to once the duration is known, or null to start at the beginning. A stored value
// that is not a number, or that lies in the last seconds (or past the end of a file that changed), is ignored.
export function restorePosition(stored, duration) {
    const position = typeof stored === 'object' && stored !== null ? stored.position : stored;
    if (!Number.isFinite(position) || position < 1) {
        return null;
    }
    if (Number.isFinite(duration) && position >= duration - RESUME_MARGIN_SECONDS) {
        return null;
    }
    return position;
}

// Polling with backoff: from `first` ms, times 1.5 each attempt, never above `max`.
export function backoffDelay(attempt, {first = 500, max = 5000} = {}) {
    const n = Math.max(0, Math.floor(Number(attempt) || 0));
    return Math.min(max, Math.round(first * 1.5 ** n));
}
