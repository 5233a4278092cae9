// The clock of a converted stream (remux or transcode). Such a stream has no length and no Range: the host
// restarts the conversion where media.open says and the element counts from there, so the player keeps the real timeline
// itself (where the stream started plus the element's currentTime) against the probe's duration. Pure, so
// node --test checks it.

// How far the arrow keys jump.
export const SEEK_STEP_SECONDS = 5;

function finite(value) {
    return Number.isFinite(value) ? value : 0;
}

// The position in the file: the stream's starting point plus how far the element has played into it.
export function streamPosition(offset, currentTime) {
    return finite(offset) + Math.max(0, finite(currentTime));
}

// A seek's target, kept inside the file: from 0 to its duration when that is known.
export function clampSeek(seconds, duration) {
    const target = Math.max(0, finite(seconds));
    return Number.isFinite(duration) && duration >= 0 ? Math.min(target, duration) : target;
}

// "0:07", "1:30", "1:02:03": what a player's time shows; "-:--" for a time not known.
export function formatClock(seconds) {
    if (!Number.isFinite(seconds) || seconds < 0) {
        return '-:--';
    }
    const whole = Math.floor(seconds);
    const h = Math.floor(whole / 3600);
    const m = Math.floor((whole % 3600) / 60);
    const s = String(whole % 60).padStart(2, '0');
    return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

// "0:12 / 1:30": the position and the duration side by side.
export function clockText(position, duration) {
    return `${formatClock(position)} / ${formatClock(duration)}`;
}
