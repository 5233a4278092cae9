// The media element and the stream it plays, whichever way the host serves it (media.open's answer). Direct: the
// file's own URL, in which the element seeks by itself (Range) behind its native controls. Remux or transcode: a
// stream with no length that the host restarts at ?t=SECONDS, so the element's clock starts at that offset and
// this keeps the real one; the player draws its own controls (timeline.js).
import {clampSeek, seekUrl, streamPosition} from '../common/clock.js';

export function createController(media) {
    let answer = null;
    let offset = 0;
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

    // A converted stream plays from `seconds` only as a new stream that starts there.
    function restartAt(seconds) {
        offset = seconds;
        media.src = seekUrl(answer.url, seconds);
        changed();
        // A browser that refuses to start on its own leaves the Play button to the person.
        media.play().catch(() => {});
    }

    function seek(seconds) {
        const target = clampSeek(seconds, duration());
        if (converted()) {
            restartAt(target);
        } else {
            media.currentTime = target;
        }
    }

    // Plays `next` (an answer of media.open, or the file's own stream) from `at` seconds.
    function load(next, at = 0) {
        answer = next;
        media.controls = !converted();
        if (converted()) {
            restartAt(clampSeek(at, duration()));
            return;
        }
        offset = 0;
        media.src = next.url;
        if (at > 0) {
            media.addEventListener('loadedmetadata', () => {
                media.currentTime = clampSeek(at, media.duration);
            }, {once: true});
        }
        changed();
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
