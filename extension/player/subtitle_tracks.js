// The subtitle menu and the text tracks behind it, all made in script rather than with <track>: a converted
// stream's clock starts where it was last restarted, so its cues must be shifted by that offset, and shifted
// again at each restart. A track's WebVTT is fetched the first time it is shown: an embedded track's is extracted
// by ffmpeg from the whole file, which is not worth doing for a track nobody picks.
import {t, uiLocale, readingLanguages, el, say} from '../common/ui.js';
import {defaultSubtitleIndex, distinctLabels, subtitleChoices} from '../common/media.js';
import {parseWebVtt} from '../common/webvtt.js';
import {$} from './page.js';

const OFF = -1;

async function fetchCues(url) {
    // The stream server answers the extension's origin with CORS; no cookie has any business there.
    const response = await fetch(url, {mode: 'cors', credentials: 'omit'});
    if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
    }
    return parseWebVtt(await response.text());
}

// The track's cues as a stream that starts at `offset` sees them; those already over are left out. The track is
// hidden meanwhile: Chromium leaves the boxes of cues removed just after a new src on screen, over the new ones,
// until the track's mode changes.
function fill(track, cues, offset) {
    const mode = track.mode;
    track.mode = 'hidden';
    for (const cue of [...track.cues]) {
        track.removeCue(cue);
    }
    for (const cue of cues) {
        if (cue.end > offset) {
            track.addCue(new globalThis.VTTCue(Math.max(0, cue.start - offset), cue.end - offset, cue.text));
        }
    }
    track.mode = mode;
}

function buildMenu(entries, unsupported, chosen) {
    const select = $('subtitle-track');
    select.replaceChildren(
        el('option', {value: String(OFF), text: t('playerSubtitlesOff')}),
        ...entries.map((entry, i) => el('option', {value: String(i), text: entry.label})),
        ...unsupported.map((label) => el('option', {value: '', disabled: true,
            text: t('playerSubtitleUnsupported', [label])})),
    );
    select.value = String(chosen);
    $('subtitle-block').hidden = false;
    $('tracks').hidden = false;
    return select;
}

export function setupSubtitles(controller, info, probe) {
    const choices = subtitleChoices(info.subtitles, probe?.media?.subtitles, uiLocale);
    if (choices.text.length + choices.bitmap.length === 0) {
        return;
    }
    // Tracks with neither language nor title are numbered in the menu's order.
    const named = (list, before) => distinctLabels(list.map((c, i) => {
        const label = c.label || t('playerTrackNumber', [String(before + i + 1)]);
        return c.credit ? t('playerTranslatedTrack', [label, c.credit]) : label;
    }));
    const labels = named(choices.text, 0);
    const entries = choices.text.map((c, i) => ({
        url: c.url, label: labels[i], language: c.language, cues: null, shiftedBy: null,
        track: controller.media.addTextTrack('subtitles', labels[i], c.language),
    }));
    // The UI's language first, then the browser's: a French UI shows French subtitles even on an English system.
    const chosen = defaultSubtitleIndex(entries.map((e) => ({lang: e.language})), readingLanguages);
    const select = buildMenu(entries, named(choices.bitmap, entries.length), chosen);

    async function refresh(entry) {
        if (entry.track.mode !== 'showing' || entry.shiftedBy === controller.offset()) {
            return;
        }
        entry.cues ??= fetchCues(entry.url);
        let cues;
        try {
            cues = await entry.cues;
        } catch {
            entry.cues = null;
            say($('message'), t('playerSubtitleFailed', [entry.label]));
            select.value = String(OFF);
            choose(OFF);
            return;
        }
        // The person may have switched, or the stream restarted, while the text came.
        if (entry.track.mode === 'showing' && entry.shiftedBy !== controller.offset()) {
            fill(entry.track, cues, controller.offset());
            entry.shiftedBy = controller.offset();
        }
    }

    function choose(index) {
        entries.forEach((entry, i) => {
            entry.track.mode = i === index ? 'showing' : 'disabled';
        });
        if (entries[index]) {
            refresh(entries[index]);
        }
    }

    select.addEventListener('change', () => choose(Number(select.value)));
    controller.onChange(() => entries.forEach(refresh));
    choose(chosen);
}
