// The player: one file of a torrent, streamed from the host's localhost server into a native <video> or
// <audio>. It runs in a tab (player.open) and as an iframe inside a bundle page's card (embed=1); in both it
// is an extension page, so the stream URL never reaches the web page around it.
import {webext} from '../common/webext.js';
import {t, uiLocale, readingLanguages, localize, ask, describeError, say} from '../common/ui.js';
import {formatBytes, formatPercent, formatEta, etaSeconds} from '../common/format.js';
import {mediaKind, defaultSubtitleIndex, resumeKey, resumeAction, restorePosition} from '../common/media.js';

const SAVE_EVERY_MS = 5000;
const PROGRESS_EVERY_MS = 2000;
const INFO_HASH = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

const $ = (id) => document.getElementById(id);

function cannotPlay(mime) {
    say($('message'), mime ? t('playerCannotPlay', [mime]) : t('playerCannotPlayUnknown'));
}

function readParams() {
    const params = new URL(window.location.href).searchParams;
    const infoHash = (params.get('infoHash') ?? '').toLowerCase();
    const file = params.get('file') ?? '';
    if (!INFO_HASH.test(infoHash) || !/^\d{1,7}$/.test(file)) {
        return null;
    }
    return {infoHash, fileIndex: Number(file), embed: params.get('embed') === '1'};
}

// ---- download progress ------------------------------------------------------------------------------------

function showDownload(info) {
    const progress = Math.min(1, Math.max(0, Number(info.progress) || 0));
    $('download').hidden = false;
    $('download-bar').value = progress;
    if (progress >= 1) {
        $('download-text').textContent = t('playerDownloadComplete', [formatBytes(info.size, uiLocale)]);
        return true;
    }
    // The file's remaining bytes at the torrent's rate: other files of the torrent share that rate, so this
    // is an estimate, and the words say so.
    const size = Number(info.size) || 0;
    const eta = formatEta(etaSeconds({state: 'downloading', size, downloaded: size * progress,
        downloadRate: info.downloadRate}), uiLocale);
    const line = t('playerDownloading', [formatPercent(progress, uiLocale), formatBytes(size, uiLocale)]);
    $('download-text').textContent = eta ? `${line} ${t('playerTimeLeft', [eta])}` : line;
    return false;
}

// Seeking past what has arrived waits for those pieces: the person sees how far the download is.
function followDownload(params, info) {
    if (showDownload(info)) {
        return;
    }
    setTimeout(async () => {
        let next = info;
        try {
            next = await ask('stream.info', params);
        } catch {
            // The host may be restarting: the last figure stays, and the next poll tries again.
        }
        followDownload(params, next);
    }, PROGRESS_EVERY_MS);
}

// ---- resume position -------------------------------------------------------------------------------------

function keepPosition(media, itemKey) {
    const key = resumeKey(itemKey);
    const storage = webext.storage.local;
    let lastSaved = 0;

    const save = () => {
        const action = resumeAction(media.currentTime, media.duration);
        if (action === 'save') {
            lastSaved = Date.now();
            storage.set({[key]: {position: media.currentTime, savedAt: lastSaved}}).catch(() => {});
        } else if (action === 'clear') {
            storage.remove(key).catch(() => {});
        }
    };

    media.addEventListener('loadedmetadata', async () => {
        let stored;
        try {
            stored = (await storage.get(key))[key];
        } catch {
            return;
        }
        const position = restorePosition(stored, media.duration);
        // Only when the person has not moved already: a seek made while storage answered wins.
        if (position !== null && media.currentTime < 1) {
            media.currentTime = position;
        }
    }, {once: true});
    media.addEventListener('timeupdate', () => {
        if (!media.paused && Date.now() - lastSaved >= SAVE_EVERY_MS) {
            save();
        }
    });
    media.addEventListener('pause', () => {
        if (!media.ended) {
            save();
        }
    });
    media.addEventListener('ended', () => storage.remove(key).catch(() => {}));
    window.addEventListener('pagehide', () => {
        if (!media.ended && media.currentTime > 0) {
            save();
        }
    });
}

// ---- the element -----------------------------------------------------------------------------------------

function mediaError(media, mime) {
    const code = media.error?.code;
    if (code === 3 || code === 4) {
        // MEDIA_ERR_DECODE, MEDIA_ERR_SRC_NOT_SUPPORTED: the container or a codec is beyond this browser.
        cannotPlay(mime);
    } else if (code === 2) {
        say($('message'), t('playerNetworkError'));
    } else {
        say($('message'), t('playerFailed'));
    }
}

function buildMedia(info, embed) {
    const kind = mediaKind(info.mime);
    if (!kind) {
        cannotPlay(info.mime);
        return null;
    }
    const media = document.createElement(kind);
    if (media.canPlayType(info.mime) === '') {
        cannotPlay(info.mime);
        return null;
    }
    media.controls = true;
    media.preload = 'metadata';
    media.setAttribute('aria-label', info.name);
    const subtitles = Array.isArray(info.subtitles) ? info.subtitles : [];
    if (subtitles.length > 0) {
        // Text tracks from another origin load only in CORS mode; the stream server allows our origin.
        media.crossOrigin = 'anonymous';
    }
    // The UI's language first, then the browser's: a French UI shows French subtitles even on an English system.
    const chosen = defaultSubtitleIndex(subtitles, readingLanguages);
    subtitles.forEach((s, i) => {
        const track = document.createElement('track');
        track.kind = 'subtitles';
        track.srclang = String(s.lang ?? '');
        track.label = String(s.label || s.lang || t('playerSubtitles'));
        track.src = s.url;
        track.default = i === chosen;
        media.append(track);
    });
    media.addEventListener('error', () => mediaError(media, info.mime));
    media.src = info.streamUrl;
    // The person pressed Play to get here (in the card or in the viewer): start, if the browser lets us.
    media.autoplay = true;
    if (!embed) {
        media.tabIndex = 0;
    }
    return media;
}

async function main() {
    localize();
    const params = readParams();
    if (!params) {
        say($('message'), t('playerBadLink'));
        return;
    }
    document.documentElement.classList.toggle('embed', params.embed);
    let info;
    try {
        info = await ask('stream.info', {infoHash: params.infoHash, fileIndex: params.fileIndex});
    } catch (error) {
        say($('message'), describeError(error));
        return;
    }
    const name = String(info.name ?? '');
    document.title = name || t('playerTitle');
    $('name').textContent = name;
    const media = buildMedia(info, params.embed);
    if (media) {
        $('stage').append(media);
        keepPosition(media, String(info.itemKey));
        if (!params.embed) {
            media.focus();
        }
    }
    followDownload({infoHash: params.infoHash, fileIndex: params.fileIndex}, info);
}

main();
