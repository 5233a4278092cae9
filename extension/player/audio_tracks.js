// The audio menu, for a file with more than one audio track: choosing one asks the host for a stream with that
// track (media.open with `audio`), which plays on from where the person was.
import {t, uiLocale, el} from '../common/ui.js';
import {distinctLabels, trackLabel} from '../common/media.js';
import {$} from './page.js';

// `tracks`: media.probe's audio tracks; `current`: the one the stream plays; `choose(track)` resolves to
// false when the host could not give that track, and the menu then shows the one still playing.
export function setupAudioMenu(tracks, current, choose) {
    if (!Array.isArray(tracks) || tracks.length < 2) {
        return;
    }
    const select = $('audio-track');
    const labels = distinctLabels(tracks.map((a, i) => trackLabel(a, uiLocale) || t('playerTrackNumber',
        [String(i + 1)])));
    select.replaceChildren(...tracks.map((a, i) => el('option', {value: String(a.track), text: labels[i]})));
    const known = tracks.some((a) => a.track === current);
    let playing = String(known ? current : (tracks.find((a) => a.default) ?? tracks[0]).track);
    select.value = playing;
    select.addEventListener('change', async () => {
        const wanted = select.value;
        select.setAttribute('aria-busy', 'true');
        if (await choose(Number(wanted))) {
            playing = wanted;
        } else {
            select.value = playing;
        }
        select.removeAttribute('aria-busy');
    });
    $('audio-block').hidden = false;
    $('tracks').hidden = false;
}
