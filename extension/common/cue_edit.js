// The translation editor's cues and what it does to them, pure so that node --test checks it. A cue is
// {start, end, source, text}: its times in seconds, the source track's text at that time, and the translation.
// Every edit returns a new list; nothing here touches the page.

// Readers keep up with about 42 characters a line and two lines a cue (the common subtitling rule).
export const MAX_LINE_CHARS = 42;
export const MAX_LINES = 2;
const MIN_CUE_SECONDS = 0.2;

export function formatTimestamp(seconds) {
    const ms = Math.max(0, Math.round(seconds * 1000));
    const h = Math.floor(ms / 3600000);
    const m = Math.floor(ms / 60000) % 60;
    const s = Math.floor(ms / 1000) % 60;
    const pad = (n, w) => String(n).padStart(w, '0');
    return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(ms % 1000, 3)}`;
}

// "[hh:]mm:ss.ttt" as a person may type it back; null when it is not one.
export function parseTimestamp(text) {
    const m = /^\s*(?:(\d{1,3}):)?([0-5]?\d):([0-5]\d)(?:[.,](\d{1,3}))?\s*$/.exec(String(text ?? ''));
    if (!m) {
        return null;
    }
    return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number((m[4] ?? '0').padEnd(3, '0')) / 1000;
}

// Cue text as WebVTT carries it: what a person typed is text, never markup, so '&', '<' and '>' are escaped, and
// blank lines (which would end the cue) and '-->' are left out.
function escapeText(text) {
    return String(text).split(/\r\n|\r|\n/).map((l) => l.trim()).filter(Boolean).join('\n')
        .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/-->/g, '--&gt;');
}

// What a reader sees of WebVTT cue text: tags dropped, the character references WebVTT has read back.
export function plainText(text) {
    return String(text ?? '').replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
        .replace(/&nbsp;/g, '\u00a0').replace(/&lrm;|&rlm;/g, '').replace(/&amp;/g, '&');
}

// The translation as a WebVTT track: the cues with text, in order of their start.
export function toWebVtt(cues) {
    const kept = cues.filter((c) => escapeText(c.text) !== '').sort((a, b) => a.start - b.start);
    return `WEBVTT\n${kept.map((c) => `\n${formatTimestamp(c.start)} --> ${formatTimestamp(c.end)}\n${escapeText(c.text)}\n`)
        .join('')}`;
}

// Cues of a track read by parseWebVtt, to translate: each keeps its source text, the translation starts empty.
export function cuesFromSource(parsed) {
    return parsed.map((c) => ({start: c.start, end: c.end, source: plainText(c.text), text: ''}));
}

// A translation taken up from elsewhere (a submission): its cues, each with the source text it overlaps most.
export function takeUp(parsed, sourceCues) {
    return parsed.map((c) => {
        let best = null;
        let bestOverlap = 0;
        for (const s of sourceCues) {
            const overlap = Math.min(c.end, s.end) - Math.max(c.start, s.start);
            if (overlap > bestOverlap) {
                best = s;
                bestOverlap = overlap;
            }
        }
        return {start: c.start, end: c.end, source: best?.source ?? '', text: plainText(c.text)};
    });
}

// Cue i in two at its middle: the source's and the translation's lines (or words) shared between the halves.
export function splitCue(cues, i) {
    const c = cues[i];
    if (!c || c.end - c.start < 2 * MIN_CUE_SECONDS) {
        return cues;
    }
    const middle = Math.round(((c.start + c.end) / 2) * 1000) / 1000;
    const halves = (text) => {
        const lines = String(text).split('\n');
        const parts = lines.length > 1 ? lines : String(text).split(' ');
        const cut = Math.ceil(parts.length / 2);
        const sep = lines.length > 1 ? '\n' : ' ';
        return [parts.slice(0, cut).join(sep), parts.slice(cut).join(sep)];
    };
    const [s1, s2] = halves(c.source);
    const [t1, t2] = halves(c.text);
    return [...cues.slice(0, i), {start: c.start, end: middle, source: s1, text: t1},
        {start: middle, end: c.end, source: s2, text: t2}, ...cues.slice(i + 1)];
}

// Cue i and the one after it, as one.
export function mergeCues(cues, i) {
    const a = cues[i];
    const b = cues[i + 1];
    if (!a || !b) {
        return cues;
    }
    const join = (x, y) => [x, y].filter((s) => s.trim() !== '').join('\n');
    return [...cues.slice(0, i), {start: Math.min(a.start, b.start), end: Math.max(a.end, b.end),
        source: join(a.source, b.source), text: join(a.text, b.text)}, ...cues.slice(i + 2)];
}

// Cue i and every one after it, `delta` seconds later (earlier when negative), never before 0.
export function shiftCues(cues, i, delta) {
    const earliest = Math.min(...cues.slice(i).map((c) => c.start));
    const by = Math.max(delta, -earliest);
    return cues.map((c, j) => (j < i ? c : {...c, start: c.start + by, end: c.end + by}));
}

// What a viewer should fix before sending: [{index, kind}] with kind 'empty' (no translation), 'overlap' (starts
// before the cue before it ends), 'long-line' (a line over MAX_LINE_CHARS), 'too-many-lines', 'too-short'.
export function checkCues(cues) {
    const problems = [];
    cues.forEach((c, i) => {
        const lines = String(c.text).split('\n').map((l) => l.trim()).filter(Boolean);
        if (lines.length === 0) {
            problems.push({index: i, kind: 'empty'});
        }
        if (i > 0 && c.start < cues[i - 1].end) {
            problems.push({index: i, kind: 'overlap'});
        }
        if (lines.some((l) => [...l].length > MAX_LINE_CHARS)) {
            problems.push({index: i, kind: 'long-line'});
        }
        if (lines.length > MAX_LINES) {
            problems.push({index: i, kind: 'too-many-lines'});
        }
        if (c.end - c.start < MIN_CUE_SECONDS) {
            problems.push({index: i, kind: 'too-short'});
        }
    });
    return problems;
}

// Where a draft is kept in the extension's storage: one per bundle, item and language.
export function draftKey(bundleId, item, lang) {
    return `translationDraft:${bundleId}:${item}:${lang}`;
}
