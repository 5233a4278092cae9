// The download line under the picture: how much of the file has arrived and, while it downloads, about how
// long the rest takes. Seeking past what has arrived waits for those pieces: the person sees how far it is.
import {t, uiLocale, ask} from '../common/ui.js';
import {formatBytes, formatPercent, formatEta, etaSeconds} from '../common/format.js';
import {$} from './page.js';

const PROGRESS_EVERY_MS = 2000;

// Draws the line from stream.info's answer; true once the file is whole.
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

export function followDownload(file, info) {
    if (showDownload(info)) {
        return;
    }
    setTimeout(async () => {
        let next = info;
        try {
            next = await ask('stream.info', file);
        } catch {
            // The host may be restarting: the last figure stays, and the next poll tries again.
        }
        followDownload(file, next);
    }, PROGRESS_EVERY_MS);
}
