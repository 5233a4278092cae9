// A magnet or .torrent link opened with Sluice (viewer.html?uri=…), or a torrent already in the session
// (viewer.html?infoHash=…): its name, then, once the metadata has arrived, its files with Play and Download.
import {webext} from '../common/webext.js';
import {t, uiLocale, localize, ask, describeError, el, setText} from '../common/ui.js';
import {formatBytes, formatPercent, formatRate, torrentStateKey} from '../common/format.js';
import {openableLink} from '../common/links.js';
import {ExtensionError} from '../common/error_codes.js';
import {isPlayableMime, backoffDelay} from '../common/media.js';

const INFO_HASH = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const FILES_REFRESH_MS = 3000;
const HOST_ERRORS = [ExtensionError.HOST_NOT_INSTALLED, ExtensionError.HOST_CRASHED, ExtensionError.HOST_TIMEOUT,
    ExtensionError.HOST_INCOMPATIBLE];

const $ = (id) => document.getElementById(id);

const view = {
    infoHash: null,
    uri: null,
    // A start that failed because the host was away is tried again once the state says it is ready.
    waitingForHost: false,
    metadata: false,
    rows: new Map(),
    filesTimer: null,
    playing: null,
};

function showError(text) {
    setText($('error'), text);
    $('error').hidden = !text;
}

function say(text, isError = false) {
    const node = $('action-message');
    node.textContent = text;
    node.classList.toggle('is-error', isError);
    node.hidden = !text;
}

// One action at a time per button; the button keeps its focus while the answer comes.
async function run(button, action) {
    if (button.getAttribute('aria-busy') === 'true') {
        return;
    }
    button.setAttribute('aria-busy', 'true');
    say('');
    try {
        await action();
    } catch (error) {
        say(describeError(error), true);
    } finally {
        button.removeAttribute('aria-busy');
    }
}

function setName(name) {
    if (name) {
        setText($('name'), name);
        document.title = t('viewerTitleWithName', [name]);
    }
}

// ---- files -----------------------------------------------------------------------------------------------

function fileRow(file) {
    const path = el('td', {class: 'path'});
    const size = el('td', {class: 'size'});
    const bar = el('progress', {max: '1'});
    const percent = el('span');
    const progress = el('td', {class: 'progress'}, [bar, percent]);
    const actions = el('td', {class: 'actions'});
    const row = {tr: el('tr', {}, [path, size, progress, actions]), path, size, bar, percent, actions,
        play: null, download: null};
    if (isPlayableMime(file.mime)) {
        row.play = el('button', {type: 'button', class: 'primary', text: t('viewerPlay')});
        row.play.addEventListener('click', () => play(file.index, row.path.textContent));
        actions.append(row.play);
    }
    row.download = el('button', {type: 'button', text: t('viewerDownload')});
    row.download.addEventListener('click', () => run(row.download, async () => {
        await ask('torrent.download', {infoHash: view.infoHash, fileIndex: file.index});
        say(t('viewerDownloadStarted', [row.path.textContent]));
        refreshFiles();
    }));
    actions.append(row.download);
    return row;
}

function updateRow(row, file) {
    const name = String(file.path ?? '');
    setText(row.path, name);
    setText(row.size, formatBytes(file.size, uiLocale));
    const progress = Math.min(1, Math.max(0, Number(file.progress) || 0));
    row.bar.value = progress;
    const skipped = file.priority === 0 && progress < 1;
    setText(row.percent, skipped ? t('viewerSkipped') : formatPercent(progress, uiLocale));
    row.bar.setAttribute('aria-label', t('viewerProgressOf', [name]));
    row.download.hidden = !skipped;
    row.download.setAttribute('aria-label', t('viewerDownloadFile', [name]));
    if (row.play) {
        row.play.setAttribute('aria-label', t('viewerPlayFile', [name]));
    }
}

function renderFiles(result) {
    const files = Array.isArray(result.files) ? result.files : [];
    const tbody = $('file-rows');
    const seen = new Set();
    for (const file of files) {
        seen.add(file.index);
        let row = view.rows.get(file.index);
        if (!row) {
            row = fileRow(file);
            view.rows.set(file.index, row);
            tbody.append(row.tr);
        }
        updateRow(row, file);
    }
    for (const [index, row] of view.rows) {
        if (!seen.has(index)) {
            row.tr.remove();
            view.rows.delete(index);
        }
    }
    $('files').hidden = false;
    $('download-all').hidden = !files.some((f) => f.priority === 0 && f.progress < 1);
    const note = $('files-note');
    note.hidden = !(result.total > files.length);
    if (!note.hidden) {
        setText(note, t('viewerFilesShown', [String(files.length), String(result.total)]));
    }
    return files.every((f) => f.progress >= 1 || f.priority === 0);
}

async function refreshFiles() {
    clearTimeout(view.filesTimer);
    let result;
    try {
        result = await ask('torrent.files', {infoHash: view.infoHash});
    } catch (error) {
        showError(describeError(error));
        view.filesTimer = setTimeout(refreshFiles, FILES_REFRESH_MS * 2);
        return;
    }
    showError('');
    if (result.metadataPending) {
        return;
    }
    const settled = renderFiles(result);
    if (!settled) {
        view.filesTimer = setTimeout(refreshFiles, FILES_REFRESH_MS);
    }
}

// Metadata from peers takes from a second to minutes: ask often at first, then less.
async function waitForMetadata(attempt = 0) {
    let result;
    try {
        result = await ask('torrent.files', {infoHash: view.infoHash});
    } catch (error) {
        if (HOST_ERRORS.includes(error.code)) {
            view.waitingForHost = true;
        }
        showError(describeError(error));
        setTimeout(() => waitForMetadata(attempt + 1), backoffDelay(attempt, {first: 1000, max: 10000}));
        return;
    }
    showError('');
    if (result.metadataPending) {
        setText($('status'), t('viewerWaitingMetadata'));
        setTimeout(() => waitForMetadata(attempt + 1), backoffDelay(attempt));
        return;
    }
    view.metadata = true;
    setText($('status'), '');
    renderFiles(result);
    view.filesTimer = setTimeout(refreshFiles, FILES_REFRESH_MS);
}

// ---- player ----------------------------------------------------------------------------------------------

function play(fileIndex, name) {
    const frame = el('iframe', {
        src: webext.runtime.getURL(`player/player.html?infoHash=${view.infoHash}&file=${fileIndex}&embed=1`),
        allow: 'autoplay; fullscreen',
        title: t('viewerPlayerFrame', [name]),
    });
    $('player-frame').replaceChildren(frame);
    view.playing = fileIndex;
    $('player').hidden = false;
    frame.focus();
    $('player').scrollIntoView({block: 'nearest'});
}

function setupPlayer() {
    $('player-close').addEventListener('click', () => {
        $('player-frame').replaceChildren();
        $('player').hidden = true;
        view.playing = null;
    });
    $('player-tab').addEventListener('click', () => run($('player-tab'), async () => {
        if (view.playing !== null) {
            await ask('player.open', {infoHash: view.infoHash, fileIndex: view.playing});
            $('player-frame').replaceChildren();
            $('player').hidden = true;
            view.playing = null;
        }
    }));
    $('download-all').addEventListener('click', () => run($('download-all'), async () => {
        await ask('torrent.download', {infoHash: view.infoHash});
        say(t('viewerDownloadAllStarted'));
        refreshFiles();
    }));
}

// ---- live state ------------------------------------------------------------------------------------------

const HOST_STATUS_KEYS = {
    'connecting': 'viewerHostConnecting',
    'not-installed': 'viewerHostNotInstalled',
    'crashed': 'viewerHostCrashed',
    'incompatible': 'viewerHostIncompatible',
};

function onState(state) {
    const status = state?.host?.status;
    if (status !== 'ready') {
        setText($('live'), t(HOST_STATUS_KEYS[status] ?? 'viewerHostConnecting'));
        $('live').hidden = false;
        return;
    }
    if (view.waitingForHost) {
        view.waitingForHost = false;
        if (!view.infoHash) {
            start();
            return;
        }
    }
    const torrent = state.torrents?.find((x) => x.infoHash === view.infoHash);
    if (!torrent) {
        $('live').hidden = true;
        return;
    }
    setName(torrent.name);
    const parts = [t(torrentStateKey(torrent.state)), formatPercent(torrent.progress, uiLocale),
        t('viewerRates', [formatRate(torrent.downloadRate, uiLocale), formatRate(torrent.uploadRate, uiLocale)]),
        t('viewerPeers', [String(torrent.peers ?? 0)])];
    setText($('live'), parts.join(' · '));
    $('live').hidden = false;
    if (torrent.error) {
        showError(t('viewerTorrentError', [String(torrent.error)]));
    }
}

function connectUi() {
    const port = webext.runtime.connect({name: 'ui'});
    port.onMessage.addListener((message) => {
        if (message?.type === 'state') {
            onState(message.state);
        }
    });
    port.onDisconnect.addListener(() => setTimeout(connectUi, 1000));
}

// ---- start -----------------------------------------------------------------------------------------------

async function start() {
    if (view.uri) {
        setText($('status'), t('viewerAdding'));
        let added;
        try {
            added = await ask('torrent.add', {uri: view.uri});
        } catch (error) {
            view.waitingForHost = HOST_ERRORS.includes(error.code);
            setText($('status'), '');
            showError(describeError(error));
            return;
        }
        showError('');
        view.infoHash = added.infoHash;
        setName(added.name);
        // A reload shows the same torrent instead of adding the link again.
        window.history.replaceState(null, '', `?infoHash=${added.infoHash}`);
    }
    setText($('status'), t('viewerWaitingMetadata'));
    waitForMetadata();
}

function main() {
    localize();
    setupPlayer();
    const params = new URL(window.location.href).searchParams;
    const hash = (params.get('infoHash') ?? '').toLowerCase();
    const uri = params.get('uri');
    if (INFO_HASH.test(hash)) {
        view.infoHash = hash;
    } else if (uri !== null && openableLink(uri)) {
        view.uri = uri;
    } else {
        setText($('name'), t('viewerTitle'));
        showError(t(uri === null ? 'viewerNoLink' : 'viewerBadLink'));
        return;
    }
    connectUi();
    start();
}

main();
