// The controls under a converted stream (remux, transcode): the element's native ones cannot serve, since its
// duration and clock are only those of the stream since its last restart. Play/pause, a slider over the file's
// real timeline, the time, mute; the arrow keys jump 5 s. Shown only while the stream is converted.
import {t, uiLocale, el, setText} from '../common/ui.js';
import {formatDuration} from '../common/format.js';
import {SEEK_STEP_SECONDS, clockText, formatClock} from '../common/clock.js';

const STEP_KEYS = {ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1};

function spokenPosition(position, duration) {
    if (!Number.isFinite(duration)) {
        return formatClock(position);
    }
    return t('playerPositionOf', [formatDuration(position, uiLocale), formatDuration(duration, uiLocale)]);
}

function buildBar() {
    const v = {
        play: el('button', {type: 'button', class: 'play'}),
        slider: el('input', {type: 'range', class: 'seek', min: '0', step: '0.1', value: '0',
            'aria-label': t('playerSeek')}),
        time: el('span', {class: 'time'}),
        mute: el('button', {type: 'button', class: 'mute', text: t('playerMute')}),
    };
    v.bar = el('div', {class: 'timeline', role: 'group', 'aria-label': t('playerControls'), hidden: true},
        [v.play, v.slider, v.time, v.mute]);
    return v;
}

// The slider and the time at `position`: while the person drags, they follow the thumb, not playback.
function showPosition(v, position, duration) {
    const known = Number.isFinite(duration);
    v.slider.disabled = !known;
    if (known) {
        v.slider.max = String(duration);
    }
    v.slider.value = String(position);
    v.slider.setAttribute('aria-valuetext', spokenPosition(position, duration));
    setText(v.time, clockText(position, duration));
}

function showState(v, media) {
    setText(v.play, media.paused ? t('playerPlay') : t('playerPause'));
    v.mute.setAttribute('aria-pressed', String(media.muted));
}

export function buildTimeline(controller) {
    const {media} = controller;
    const v = buildBar();
    let dragging = false;
    const converted = () => !['direct', null].includes(controller.mode());
    const refresh = () => {
        if (!dragging) {
            showPosition(v, controller.position(), controller.duration());
        }
        showState(v, media);
    };

    v.play.addEventListener('click', () => (media.paused ? media.play().catch(() => {}) : media.pause()));
    v.mute.addEventListener('click', () => {
        media.muted = !media.muted;
    });
    v.slider.addEventListener('input', () => {
        dragging = true;
        showPosition(v, Number(v.slider.value), controller.duration());
    });
    v.slider.addEventListener('change', () => {
        dragging = false;
        controller.seek(Number(v.slider.value));
    });
    // The slider's own arrow steps (0.1 s) would each restart the conversion for nothing worth seeing.
    const onKey = (event) => {
        const direction = STEP_KEYS[event.key];
        if (direction && converted() && !event.altKey && !event.ctrlKey && !event.metaKey) {
            event.preventDefault();
            controller.seek(controller.position() + direction * SEEK_STEP_SECONDS);
        }
    };
    v.slider.addEventListener('keydown', onKey);
    media.addEventListener('keydown', onKey);
    for (const type of ['timeupdate', 'play', 'pause', 'volumechange', 'loadedmetadata']) {
        media.addEventListener(type, refresh);
    }
    controller.onChange(() => {
        v.bar.hidden = !converted();
        refresh();
    });
    return v.bar;
}
