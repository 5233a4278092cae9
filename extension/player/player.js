// The player: one file of a torrent, streamed from the host's localhost server into a native <video> or
// <audio>, as it is or converted by the host when the browser cannot play it so. It runs in a tab (player.open)
// and as an iframe in the viewer and inside a bundle page's card (embed=1); in all of them it is an extension
// page, so the stream URL never reaches the web page around it.
import {t, localize, ask, describeError, say} from '../common/ui.js';
import {$} from './page.js';
import {webext} from '../common/webext.js';
import {followDownload} from './download.js';
import {cannotPlayText, choosePlayback, openStream, problemText} from './playback.js';
import {createController} from './controller.js';
import {formatClock} from '../common/clock.js';
import {mediaProblemReason} from '../common/media.js';
import {buildTimeline} from './timeline.js';
import {setupSubtitles} from './subtitle_tracks.js';
import {setupAudioMenu} from './audio_tracks.js';
import {keepPosition} from './resume.js';
import {offerElsewhere} from './elsewhere.js';
import {reportPlays} from './plays.js';

const INFO_HASH = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

function readParams() {
    const params = new URL(window.location.href).searchParams;
    const infoHash = (params.get('infoHash') ?? '').toLowerCase();
    const file = params.get('file') ?? '';
    if (!INFO_HASH.test(infoHash) || !/^\d{1,7}$/.test(file)) {
        return null;
    }
    return {infoHash, fileIndex: Number(file), embed: params.get('embed') === '1'};
}

function prepare(media, info, embed) {
    media.preload = 'metadata';
    media.setAttribute('aria-label', info.name);
    // The person pressed Play to get here (in the card or in the viewer): start, if the browser lets us.
    media.autoplay = true;
    if (!embed) {
        media.tabIndex = 0;
    }
}

// Why a converted stream failed, in the host's words: its answer to the same request (ffmpeg's reason for a
// file it cannot read), read no further than its first bytes.
async function conversionProblem(controller) {
    const abort = new AbortController();
    try {
        const response = await fetch(controller.url(), {signal: abort.signal});
        if (!response.ok) {
            const reason = mediaProblemReason(await response.text());
            return reason ? t('playerCannotPlayBecause', [reason]) : t('playerFailed');
        }
    } catch {
        // The host is gone or restarting: the general words below.
    } finally {
        abort.abort();
    }
    return t('playerFailed');
}

// One file being played: the stream chosen, and the ways it changes (another audio track; the file as it is
// failing to decode, which the host can still convert).
function play(file, info, plan, embed) {
    const {media, probe} = plan;
    let playable = plan.playable;
    // The audio track the person chose; until then the host plays the file's default.
    let audio;
    let retried = false;
    // A converted stream restarted elsewhere keeps its audio track; where it really starts is the host's to say.
    const controller = createController(media, (start) =>
        openStream(file, probe, playable, audio, start).catch((error) => {
            say($('message'), problemText(error));
            throw error;
        }));
    const cannotPlay = (text) => {
        say($('message'), text);
        offerElsewhere(file, info);
    };

    // Another stream of the same file, from where the person is; false (and the reason said) when there is none.
    const reopen = async (nextPlayable, nextAudio) => {
        try {
            const at = controller.position();
            const answer = await openStream(file, probe, nextPlayable, nextAudio, at);
            [playable, audio] = [nextPlayable, nextAudio];
            // A converted answer already starts there; the file as it is is sought in by the element.
            controller.load(answer, answer.mode === 'direct' ? at : 0);
            return true;
        } catch (error) {
            say($('message'), problemText(error));
            return false;
        }
    };

    // A converted stream that stopped once it had played (the host lets a stream go after a long pause) is
    // asked for again from where it was, once until it plays again.
    let resumed = false;
    media.addEventListener('playing', () => {
        resumed = false;
    });

    // A file cut short (or whose header claims more than it holds) ends before the length it gave: said, so
    // that an early end is not taken for the film's.
    const endedEarly = () => {
        const length = controller.duration();
        return Number.isFinite(length) && controller.position() < length - Math.max(2, length * 0.03);
    };
    media.addEventListener('ended', () => {
        if (endedEarly()) {
            say($('message'), t('playerEndedEarly', [formatClock(controller.position()),
                formatClock(controller.duration())]));
        }
    });
    reportPlays(media, file, info.bundleItem, () => !endedEarly());

    media.addEventListener('error', () => {
        const code = media.error?.code;
        if (controller.mode() !== 'direct' && controller.mode() !== null) {
            if (code === 2 && !resumed && controller.position() > 0) {
                resumed = true;
                controller.seek(controller.position());
                return;
            }
            conversionProblem(controller).then(cannotPlay);
            return;
        }
        if (code === 3 || code === 4) {
            // MEDIA_ERR_DECODE, MEDIA_ERR_SRC_NOT_SUPPORTED: the container or a codec is beyond this browser, even
            // though it said otherwise. Once, the host is asked for a stream without the file as it is.
            if (controller.mode() === 'direct' && probe && !retried) {
                retried = true;
                reopen(playable.filter((q) => q !== probe.questions[0]), audio)
                    .then((opened) => opened || offerElsewhere(file, info));
            } else {
                cannotPlay(cannotPlayText(controller.mime()));
            }
        } else if (code === 2) {
            say($('message'), t('playerNetworkError'));
        } else {
            say($('message'), t('playerFailed'));
        }
    });

    prepare(media, info, embed);
    $('stage').append(media, buildTimeline(controller));
    keepPosition(controller, String(info.itemKey));
    setupSubtitles(controller, info, probe);
    setupAudioMenu(probe?.media?.audio, plan.answer.audioTrack, (track) => reopen(playable, track));
    window.sluicePlayer = controller.exposed;
    controller.load(plan.answer);
    if (!embed) {
        media.focus();
    }
}

// A bundle's item can be translated for its creator, through its gate: the editor opens in its own tab. Not
// from a web page's card, whose small frame is the picture's and the download line's; the player's own tab
// offers it.
function offerTranslation(file, info, embed) {
    if (!info.bundleItem || !info.hasGate || embed) {
        return;
    }
    $('translate').href =
        webext.runtime.getURL(`editor/editor.html?infoHash=${file.infoHash}&file=${file.fileIndex}`);
    $('translate-block').hidden = false;
}

async function main() {
    localize();
    const params = readParams();
    if (!params) {
        say($('message'), t('playerBadLink'));
        return;
    }
    document.documentElement.classList.toggle('embed', params.embed);
    const file = {infoHash: params.infoHash, fileIndex: params.fileIndex};
    let info;
    try {
        info = await ask('stream.info', file);
    } catch (error) {
        say($('message'), describeError(error));
        return;
    }
    const name = String(info.name ?? '');
    document.title = name || t('playerTitle');
    $('name').textContent = name;
    followDownload(file, info);
    offerTranslation(file, info, params.embed);

    // A probe waits for the file's first and last pieces: on a slow torrent, a while.
    say($('status'), t('playerReading'));
    const plan = await choosePlayback(file, info);
    say($('status'), '');
    if (plan.problem) {
        say($('message'), plan.problem);
        offerElsewhere(file, info);
        return;
    }
    play(file, info, plan, params.embed);
}

main();
