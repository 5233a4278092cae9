// The media element and the stream it plays, whichever way the host serves it (media.open's answer). Direct: the
// file's own URL, in which the element seeks by itself (Range) behind its native controls. Remux or transcode: a
// stream with no length that starts where media.open says (`start`: at a seek, the keyframe it lands on when a
// stream is copied), so the element's clock counts from there and this keeps the real one; the player draws its
// own controls (timeline.js).
import {clampSeek, streamPosition} from '../common/clock.js';

// `open(seconds)`: media.open's answer for the stream as it plays now (its audio track), started at `seconds`; it
// says to the person why when the host refuses, and rejects.
export function createController(media, open) {
    let answer = null;
    let offset = 0;
    // Only the latest seek's answer is played: a person dragging the timeline asks several times.
    let seeks = 0;
    const listeners = new Set();

    const converted = () => answer !== null && answer.mode !== 'direct';
    const changed = () => listeners.forEach((listener) => listener());

    function duration() {
        if (converted()) {
            return Number.isFinite(answer.duration) ? answer.duration : NaN;
        }
        return media.duration;
    }

    // Direct streams keep offset 0: their element's clock is the file's.
    function position() {
        return streamPosition(offset, media.currentTime);
    }

    // A converted stream, as the host started it.
    function play(next) {
        answer = next;
        offset = Number.isFinite(next.start) ? next.start : 0;
        media.controls = false;
        media.src = next.url;
        changed();
        // A browser that refuses to start on its own leaves the Play button to the person.
        media.play().catch(() => {});
    }

    // A converted stream plays from elsewhere only as a new stream that starts there.
    // A seek the host refused leaves the stream as it was (`open` says why to the person).
    async function restartAt(seconds) {
        const ticket = ++seeks;
        let next;
        try {
            next = await open(seconds);
        } catch {
            return;
        }
        if (ticket === seeks) {
            play(next);
        }
    }

    function seek(seconds) {
        const target = clampSeek(seconds, duration());
        if (converted()) {
            return restartAt(target);
        }
        media.currentTime = target;
        return Promise.resolve();
    }

    // Plays `next` (an answer of media.open, or the file's own stream) from `at` seconds.
    function load(next, at = 0) {
        answer = next;
        if (converted()) {
            if (at > 0) {
                return restartAt(clampSeek(at, duration()));
            }
            play(next);
            return Promise.resolve();
        }
        offset = 0;
        media.controls = true;
        media.src = next.url;
        if (at > 0) {
            media.addEventListener('loadedmetadata', () => {
                media.currentTime = clampSeek(at, media.duration);
            }, {once: true});
        }
        changed();
        return Promise.resolve();
    }

    const mode = () => answer?.mode ?? null;

    return {
        media, load, seek, position, duration, mode,
        mime: () => answer?.mime ?? '',
        url: () => answer?.url ?? '',
        // Where the element's own clock starts in the file: subtitle cues are shifted by it.
        offset: () => offset,
        // Calls `listener` after each load and each restart of a converted stream.
        onChange: (listener) => listeners.add(listener),
        // What tests and keyboard code may touch, as window.sluicePlayer.
        exposed: Object.freeze({
            get mode() {
                return mode();
            },
            seek, position, duration,
        }),
    };
}
