// What the player and the viewer decide about a file before touching a media element: which element plays
// it, which of the host's questions the browser can answer, what its tracks are called, which subtitle track is on
// by default, and where playback resumes. Pure, so node --test checks it.

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

// Names of audio and video files whose type the host may not know (an .mkv served as application/octet-stream):
// the player asks the host to probe these too.
const MEDIA_NAME = /\.(mkv|mka|avi|mp4|m4v|mov|webm|mp3|flac|ogg|oga|ogv|opus|wav|m4a|aac|ts|m2ts)$/i;

export function looksLikeMedia(mime, name) {
    return mediaKind(mime) !== null || MEDIA_NAME.test(String(name ?? ''));
}

// The reason the host gives for a file it cannot read or play, as a person reads it: ffprobe names its input
// first ("http://127.0.0.1:…/garbage.mkv: Invalid data found when processing input"), an address that says nothing
// to the person and carries the stream's token.
export function mediaProblemReason(text) {
    return String(text ?? '').replace(/^\s*https?:\/\/\S*:\s+/, '').trim();
}

// What media.open takes back of media.probe's questions: at most this many, each at most this long.
export const PLAYABLE_LIMITS = Object.freeze({count: 64, length: 256});

// The questions (MIME types with codecs) the browser answers yes to, in the host's order: `canPlay` asks the
// media element (and MediaSource), and the host picks direct, remux or transcode from what comes back.
export function playableQuestions(questions, canPlay) {
    if (!Array.isArray(questions)) {
        return [];
    }
    return questions
        .filter((q) => typeof q === 'string' && q.length > 0 && q.length <= PLAYABLE_LIMITS.length && canPlay(q))
        .slice(0, PLAYABLE_LIMITS.count);
}

// A track's language as a BCP 47 tag: files say "fre" or "eng" (ISO 639-2), sidecar names "fr" or "pt-BR";
// '' when there is none, or "und" (undetermined), or the text is no language tag at all.
export function languageTag(code) {
    if (typeof code !== 'string' || code === '' || code.toLowerCase() === 'und') {
        return '';
    }
    try {
        return Intl.getCanonicalLocales(code.replace(/_/g, '-'))[0] ?? '';
    } catch {
        return '';
    }
}

// A track's name in a menu: its language in the reader's words ("anglais" in a French UI), then its title; ''
// when it has neither, so the caller numbers it.
export function trackLabel(track, locale) {
    const tag = languageTag(track?.language);
    let language = tag;
    if (tag) {
        try {
            language = new Intl.DisplayNames([locale], {type: 'language', fallback: 'code'}).of(tag) ?? tag;
        } catch {
            // An engine without DisplayNames for that locale: the code says it still.
        }
    }
    const title = typeof track?.title === 'string' ? track.title.trim() : '';
    // A title that only repeats the language ("English") says nothing more.
    const parts = [language, title.toLowerCase() === language.toLowerCase() ? '' : title];
    return parts.filter(Boolean).join(' — ');
}

// The subtitle tracks a file offers, in the menu's order: the bundle's own (stream.info's {lang, label, url}, with
// `credit` for a translation viewers made), then those media.probe found in the file and beside it. Text tracks
// come as {language, label, url, credit?}; bitmap ones (PGS, VobSub), which a browser cannot draw, as {label} alone. A bundle that names its item's subtitles names
// the files the probe would find beside it: its sidecars are left out rather than listed twice. Labels may be ''
// (the caller numbers those).
export function subtitleChoices(own, probed, locale) {
    const bundle = Array.isArray(own) ? own.filter((s) => typeof s?.url === 'string') : [];
    const found = (Array.isArray(probed) ? probed : []).filter((s) => !(s?.sidecar && bundle.length > 0));
    const text = [
        ...bundle.map((s) => ({language: languageTag(s.lang), url: s.url,
            label: typeof s.label === 'string' && s.label.trim() ? s.label.trim() : trackLabel({language: s.lang},
                locale),
            ...(typeof s.credit === 'string' && s.credit.trim() ? {credit: s.credit.trim()} : {})})),
        ...found.filter((s) => s.text === true && typeof s.url === 'string')
            .map((s) => ({language: languageTag(s.language), label: trackLabel(s, locale), url: s.url})),
    ];
    const bitmap = found.filter((s) => s?.text === false).map((s) => ({label: trackLabel(s, locale)}));
    return {text, bitmap};
}

// Labels as a menu shows them: one that several tracks share gets each its number, so two untitled English audio
// tracks are still told apart ("English (1)", "English (2)").
export function distinctLabels(labels) {
    const counts = new Map();
    labels.forEach((label) => counts.set(label, (counts.get(label) ?? 0) + 1));
    const seen = new Map();
    return labels.map((label) => {
        if (counts.get(label) === 1) {
            return label;
        }
        seen.set(label, (seen.get(label) ?? 0) + 1);
        return `${label} (${seen.get(label)})`;
    });
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
