// Plays of a bundle's items, counted for its creator when the viewer said yes. The first time a bundle item
// plays, the viewer is asked, in plain words, under the video; the answer stays (the options page changes
// it). What goes to the creator is a count, sent by the host later with other plays: no name, no time.
import {t, ask} from '../common/ui.js';
import {$} from './page.js';

function question(onAnswer) {
    const box = $('plays-ask');
    if (!box.hidden) {
        return;
    }
    const answer = (yes) => {
        box.hidden = true;
        onAnswer(yes);
    };
    $('plays-yes').addEventListener('click', () => answer(true), {once: true});
    $('plays-no').addEventListener('click', () => answer(false), {once: true});
    $('plays-ask-text').textContent = t('playerPlaysQuestion');
    if (document.documentElement.classList.contains('embed')) {
        // In a web page's card it lies over the picture (player.css).
        $('stage').append(box);
    }
    box.hidden = false;
}

async function report(file, path, event) {
    try {
        return await ask('plays.report', {infoHash: file.infoHash, path, event});
    } catch {
        // A count is not worth an error on the viewer's screen.
        return {counted: false};
    }
}

// Reports the item's start (its first `playing`) and its end (an `ended` for which `isWholeEnd()` says the
// film ran to its length, not a file cut short). `path` is the item's manifest path; nothing is reported for a
// file that is no bundle item.
export function reportPlays(media, file, path, isWholeEnd) {
    if (!path) {
        return;
    }
    let started = false;
    media.addEventListener('playing', async () => {
        if (started) {
            return;
        }
        started = true;
        const answer = await report(file, path, 'started');
        if (answer.ask) {
            question(async (yes) => {
                try {
                    await ask('plays.answer', {yes});
                    if (yes) {
                        await report(file, path, 'started');
                    }
                } catch {
                    // The host is gone: the question comes again next time.
                }
            });
        }
    });
    media.addEventListener('ended', () => {
        if (isWholeEnd()) {
            report(file, path, 'finished');
        }
    });
}
