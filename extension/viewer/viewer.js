// A magnet or .torrent link opened with Sluice (viewer.html?uri=…), or a torrent already in the session
// (viewer.html?infoHash=…): its name, where it looks for data while it waits (and, if it waits too long,
// why), then, once the metadata has arrived, its files with Play and Download, or, for a bundle, its items
// with Play, Unlock and Export.
import {webext} from '../common/webext.js';
import {t, uiLocale, localize, ask, describeError, el, setText, show, say, runBusy} from '../common/ui.js';
import {
    formatBytes, formatPercent, formatRate, formatEta, etaSeconds, shownDownloadRate, torrentStateKey,
} from '../common/format.js';
import {openableLink} from '../common/links.js';
import {ErrorCode, ExtensionError} from '../common/error_codes.js';
import {isPlayableMime, backoffDelay} from '../common/media.js';
import {fileFraction, fileWantable, filesSettled} from '../common/file_state.js';
import {normalSources} from '../common/diagnosis.js';
import {$, progressWords} from './parts.js';
import {renderSources, setupSources} from './sources.js';
import {renderBundle, setBundleFiles, setBundleInfoHash, setupBundle} from './bundle.js';

const INFO_HASH = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const FILES_REFRESH_MS = 3000;
const FILES_FOLLOW_MS = 1000;
const HOST_ERRORS = [ExtensionError.HOST_NOT_INSTALLED, ExtensionError.HOST_CRASHED, ExtensionError.HOST_TIMEOUT,
    ExtensionError.HOST_INCOMPATIBLE];

const view = {
    infoHash: null,
    uri: null,
    // A start that failed because the host was away is tried again once the state says it is ready.
    waitingForHost: false,
    metadata: false,
    // null until the metadata says: 'plain' (a file list) or 'bundle' (items).
    kind: null,
    bundleStatus: null,
    torrent: null,
    files: [],
    rows: new Map(),
    filesTimer: null,
    playing: null,
    torrentError: false,
    downloaded: null,
    torrentState: null,
    filesAsking: false,
    filesAskedAt: 0,
};

function showError(text) {
    setText($('error'), text);
    $('error').hidden = !text;
}

function setName(name) {
    if (name) {
        setText($('name'), name);
        document.title = t('viewerTitleWithName', [name]);
    }
}

// A bundle shows its files only when it could not be verified: then they are all there is to show.
function showsFileTable() {
    return view.kind === 'plain' || (view.kind === 'bundle' && view.bundleStatus === 'refused');
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
        row.play.addEventListener('click', () => play(file.index, row.path.textContent, file.mime));
        actions.append(row.play);
    }
    row.download = el('button', {type: 'button', text: t('viewerDownload')});
    row.download.addEventListener('click', () => runBusy(row.download, $('action-message'), async () => {
        await ask('torrent.download', {infoHash: view.infoHash, fileIndex: file.index});
        say($('action-message'), t('viewerDownloadStarted', [row.path.textContent]));
        refreshFiles();
    }));
    actions.append(row.download);
    return row;
}

function updateRow(row, file) {
    const name = String(file.path ?? '');
    setText(row.path, name);
    setText(row.size, formatBytes(file.size, uiLocale));
    row.bar.value = fileFraction(file);
    setText(row.percent, progressWords(file));
    row.bar.setAttribute('aria-label', t('viewerProgressOf', [name]));
    row.download.hidden = !fileWantable(file);
    row.download.setAttribute('aria-label', t('viewerDownloadFile', [name]));
    if (row.play) {
        row.play.setAttribute('aria-label', t('viewerPlayFile', [name]));
    }
}

function renderFileTable() {
    const files = view.files;
    show($('files'), showsFileTable());
    if (!showsFileTable()) {
        return;
    }
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
    $('download-all').hidden = !files.some(fileWantable);
    const note = $('files-note');
    note.hidden = !(view.filesTotal > files.length);
    if (!note.hidden) {
        setText(note, t('viewerFilesShown', [String(files.length), String(view.filesTotal)]));
    }
}

// Returns whether the list is settled (nothing will change unless asked).
function applyFiles(result) {
    view.files = Array.isArray(result.files) ? result.files : [];
    view.filesTotal = Number(result.total) || view.files.length;
    setBundleFiles(view.files);
    renderFileTable();
    if (view.torrent) {
        renderLive(view.torrent);
    }
    return filesSettled(view.files);
}

async function refreshFiles() {
    clearTimeout(view.filesTimer);
    view.filesTimer = null;
    if (view.filesAsking) {
        return;
    }
    view.filesAsking = true;
    view.filesAskedAt = Date.now();
    let result;
    try {
        result = await ask('torrent.files', {infoHash: view.infoHash});
    } catch (error) {
        showError(describeError(error));
        view.filesTimer = setTimeout(refreshFiles, FILES_REFRESH_MS * 2);
        return;
    } finally {
        view.filesAsking = false;
    }
    if (!view.torrentError) {
        showError('');
    }
    if (result.metadataPending) {
        return;
    }
    if (!applyFiles(result)) {
        view.filesTimer = setTimeout(refreshFiles, FILES_REFRESH_MS);
    }
}

// bundle.get answers for a bundle (verified or not yet) and fails with bundle_not_found for anything else.
// The state asks it too, but a page that waited for it would show bundle.json and the .locked files first.
async function decideKind() {
    try {
        const bundle = await ask('bundle.get', {infoHash: view.infoHash});
        view.kind = 'bundle';
        // The state's entry, when it has the bundle, carries the campaign too.
        const card = renderBundle(view.torrent?.bundle ? view.torrent : {...view.torrent, infoHash: view.infoHash, bundle});
        view.bundleStatus = card.status;
        setName(card.title);
    } catch (error) {
        // The state still says so if it later learns it is a bundle after all.
        view.kind = view.torrent?.bundle ? 'bundle' : 'plain';
        if (error.code !== ErrorCode.BUNDLE_NOT_FOUND) {
            console.warn('bundle.get failed', error.code);
        }
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
    if (!view.torrentError) {
        showError('');
    }
    if (result.metadataPending) {
        setText($('status'), t('viewerWaitingMetadata'));
        setTimeout(() => waitForMetadata(attempt + 1), backoffDelay(attempt));
        return;
    }
    view.metadata = true;
    await decideKind();
    setText($('status'), '');
    if (!applyFiles(result)) {
        view.filesTimer = setTimeout(refreshFiles, FILES_REFRESH_MS);
    }
}

// ---- player ----------------------------------------------------------------------------------------------

function play(fileIndex, name, mime) {
    const frame = el('iframe', {
        src: webext.runtime.getURL(`player/player.html?infoHash=${view.infoHash}&file=${fileIndex}&embed=1`),
        allow: 'autoplay; fullscreen',
        title: t('viewerPlayerFrame', [name]),
    });
    frame.classList.toggle('audio', /^audio\//.test(mime ?? ''));
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
    $('player-tab').addEventListener('click', () => runBusy($('player-tab'), $('action-message'), async () => {
        if (view.playing !== null) {
            await ask('player.open', {infoHash: view.infoHash, fileIndex: view.playing});
            $('player-frame').replaceChildren();
            $('player').hidden = true;
            view.playing = null;
        }
    }));
    $('download-all').addEventListener('click', () => runBusy($('download-all'), $('action-message'), async () => {
        await ask('torrent.download', {infoHash: view.infoHash});
        say($('action-message'), t('viewerDownloadAllStarted'));
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

// State, percent, rates, time left, and who it comes from. The percent is libtorrent's, of the files wanted:
// with some files skipped it says so, or "100 %" would sit beside files that are not all there.
function renderLive(torrent) {
    const parts = [t(torrentStateKey(torrent.state))];
    if (torrent.hasMetadata) {
        const percent = formatPercent(torrent.progress, uiLocale);
        parts.push(view.files.some(fileWantable) ? t('viewerPercentOfChosen', [percent]) : percent);
    }
    // Before the metadata, the rate would count only the file list's few kilobytes: the sources say more.
    const rate = shownDownloadRate(torrent);
    if (rate !== null && torrent.hasMetadata) {
        parts.push(t('viewerRateDown', [formatRate(rate, uiLocale)]));
    }
    if (torrent.uploadRate > 0) {
        parts.push(t('viewerRateUp', [formatRate(torrent.uploadRate, uiLocale)]));
    }
    const eta = etaSeconds(torrent);
    if (eta !== null) {
        parts.push(t('viewerEta', [formatEta(eta, uiLocale)]));
    }
    const webSeeds = torrent.sources ? normalSources(torrent.sources).webSeeds : 0;
    parts.push(webSeeds > 0
        ? t('viewerPeersWebSeeds', [String(torrent.peers ?? 0), String(webSeeds)])
        : t('viewerPeers', [String(torrent.peers ?? 0)]));
    setText($('live'), parts.join(' · '));
    $('live').hidden = false;
}

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
    view.torrent = torrent ?? null;
    if (!torrent) {
        $('live').hidden = true;
        renderSources(null);
        return;
    }
    let name = torrent.name;
    if (torrent.bundle && view.metadata) {
        view.kind = 'bundle';
        const card = renderBundle(torrent);
        view.bundleStatus = card.status;
        name = card.title || name;
        renderFileTable();
    }
    setName(name);
    renderLive(torrent);
    renderSources(torrent);
    if (torrent.error) {
        showError(t('viewerTorrentError', [String(torrent.error)]));
    } else if (view.torrentError) {
        showError('');
    }
    view.torrentError = Boolean(torrent.error);
    // The files' bars follow the live line: when the torrent moves (or finishes), they are asked again, at most
    // once a second; settled files too, since someone may have wanted more elsewhere.
    const moved = torrent.downloaded !== view.downloaded || torrent.state !== view.torrentState;
    view.downloaded = torrent.downloaded;
    view.torrentState = torrent.state;
    if (view.metadata && moved && Date.now() - view.filesAskedAt >= FILES_FOLLOW_MS) {
        refreshFiles();
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
        setBundleInfoHash(added.infoHash);
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
    setupSources();
    setupBundle({infoHash: null, play, refreshFiles});
    const params = new URL(window.location.href).searchParams;
    const hash = (params.get('infoHash') ?? '').toLowerCase();
    const uri = params.get('uri');
    if (INFO_HASH.test(hash)) {
        view.infoHash = hash;
        setBundleInfoHash(hash);
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
