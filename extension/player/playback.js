// Which element plays the file and which stream it plays. media.probe says what the file holds and asks the
// questions (MIME types with codecs) only the browser can answer; the element answers them, and media.open picks
// the stream: the file as it is (direct), or converted on the fly by ffmpeg (remux, transcode). Without ffmpeg,
// the file's own stream is tried as before the host could convert.
import {t, ask, describeError} from '../common/ui.js';
import {ErrorCode} from '../common/error_codes.js';
import {looksLikeMedia, mediaKind, mediaProblemReason, playableQuestions} from '../common/media.js';

// What the person reads when the browser cannot play the file as it is, nor the host convert it.
export function cannotPlayText(mime) {
    return mime ? t('playerCannotPlay', [mime]) : t('playerCannotPlayUnknown');
}

// Words for a failed media.probe or media.open: for a file the host read and found unplayable, the host's own
// reason (what ffprobe said), which the code's words cannot give.
export function problemText(error) {
    if ([ErrorCode.MEDIA_UNREADABLE, ErrorCode.MEDIA_UNPLAYABLE].includes(error?.code)) {
        const reason = mediaProblemReason(error.data?.detail || error.message);
        return reason ? t('playerCannotPlayBecause', [reason]) : describeError(error);
    }
    if (error?.code === ErrorCode.MEDIA_TOOLS_MISSING) {
        return t('playerNeedsFfmpeg');
    }
    return describeError(error);
}

function canPlay(media) {
    return (question) => media.canPlayType(question) !== '' ||
        globalThis.MediaSource?.isTypeSupported?.(question) === true;
}

// media.open's answer for a stream starting at `start` seconds, with the probe's duration when the answer has
// none: converted streams need one for their timeline.
export async function openStream(file, probe, playable, audio, start = 0) {
    const params = {...file, playable};
    if (Number.isInteger(audio)) {
        params.audio = audio;
    }
    if (start > 0) {
        params.start = start;
    }
    const answer = await ask('media.open', params);
    const duration = Number.isFinite(answer.duration) ? answer.duration : probe.media?.duration;
    return {...answer, duration: Number.isFinite(duration) ? duration : NaN};
}

// Without a probe the file plays only as it is, when the browser says it can.
function withoutProbe(info, error) {
    if ([ErrorCode.MEDIA_UNREADABLE, ErrorCode.MEDIA_UNPLAYABLE].includes(error.code)) {
        return {problem: problemText(error)};
    }
    const kind = mediaKind(info.mime);
    const media = kind ? document.createElement(kind) : null;
    if (!media || media.canPlayType(info.mime) === '') {
        return {problem: problemText(error)};
    }
    return {media, probe: null, playable: [], answer: {mode: 'direct', url: info.streamUrl, mime: info.mime}};
}

// {media, probe, playable, answer} to play, or {problem}: the words for why the file cannot be played here.
// `info` is stream.info's answer; `file` is {infoHash, fileIndex}.
export async function choosePlayback(file, info) {
    if (!looksLikeMedia(info.mime, info.name)) {
        return {problem: cannotPlayText(info.mime)};
    }
    let probe;
    try {
        probe = await ask('media.probe', file);
    } catch (error) {
        return withoutProbe(info, error);
    }
    const media = document.createElement(probe.media?.video ? 'video' : 'audio');
    const playable = playableQuestions(probe.questions, canPlay(media));
    try {
        return {media, probe, playable, answer: await openStream(file, probe, playable)};
    } catch (error) {
        return {problem: problemText(error)};
    }
}
