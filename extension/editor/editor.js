// The translation editor: a bundle item's subtitles translated cue by cue beside its video, kept as a draft in
// the extension's storage at every change (a closed tab loses nothing), checked, exported as WebVTT, and sent to
// the bundle's gate through the host for its creator to review (protocol/translations.md). Opened from the
// player with the item's torrent and file.
import {t, localize, ask, describeError, el, say, runBusy} from '../common/ui.js';
import {webext} from '../common/webext.js';
import {parseWebVtt} from '../common/webvtt.js';
import {checkCues, cuesFromSource, draftKey, formatTimestamp, mergeCues, parseTimestamp, shiftCues, splitCue, takeUp,
    toWebVtt} from '../common/cue_edit.js';

const $ = (id) => document.getElementById(id);
const INFO_HASH = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const SAVE_DELAY_MS = 300;

const page = {
    file: null, // {infoHash, fileIndex}
    info: null, // stream.info's answer
    terms: null, // translation.terms' answer, once the gate gave it
    sourceCues: [],
    draft: null, // {lang, label, source, cues, basedOn?, credit?, savedAt}
    saveTimer: null,
    stopAt: null, // where a cue played alone stops
};

function readParams() {
    const params = new URL(window.location.href).searchParams;
    const infoHash = (params.get('infoHash') ?? '').toLowerCase();
    const file = params.get('file') ?? '';
    return INFO_HASH.test(infoHash) && /^\d{1,7}$/.test(file) ? {infoHash, fileIndex: Number(file)} : null;
}

function key(lang = page.draft.lang) {
    return draftKey(page.info.bundleId, page.info.bundleItem, lang);
}

function saveSoon() {
    clearTimeout(page.saveTimer);
    page.saveTimer = setTimeout(saveNow, SAVE_DELAY_MS);
}

async function saveNow() {
    clearTimeout(page.saveTimer);
    page.draft.savedAt = Date.now();
    await webext.storage.local.set({[key()]: page.draft});
    say($('status'), t('editorSaved'));
}

// The drafts kept for this item, the last saved first.
async function keptDrafts() {
    const prefix = draftKey(page.info.bundleId, page.info.bundleItem, '');
    const all = await webext.storage.local.get(null);
    return Object.entries(all).filter(([k, v]) => k.startsWith(prefix) && Array.isArray(v?.cues))
        .map(([, v]) => v).sort((a, b) => (b.savedAt ?? 0) - (a.savedAt ?? 0));
}

async function loadSource(index) {
    const track = page.info.subtitles[index];
    if (!track) {
        return [];
    }
    const response = await fetch(track.url, {mode: 'cors', credentials: 'omit'});
    if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
    }
    return cuesFromSource(parseWebVtt(await response.text()));
}

function timeInput(cue, which, index) {
    const input = el('input', {class: 'time', type: 'text', value: formatTimestamp(cue[which]), spellcheck: false,
        'aria-label': t(which === 'start' ? 'editorStartOf' : 'editorEndOf', [String(index + 1)])});
    input.addEventListener('change', () => {
        const seconds = parseTimestamp(input.value);
        if (seconds === null) {
            input.value = formatTimestamp(cue[which]);
            say($('message'), t('editorBadTime'), true);
            return;
        }
        cue[which] = seconds;
        input.value = formatTimestamp(seconds);
        saveSoon();
    });
    return input;
}

function playCue(cue) {
    const video = $('video');
    video.currentTime = cue.start;
    page.stopAt = cue.end;
    video.play().catch(() => {});
}

function edit(change) {
    page.draft.cues = change(page.draft.cues);
    render();
    saveSoon();
}

function row(cue, index) {
    const text = el('textarea', {class: 'translation', rows: 2, value: cue.text, lang: page.draft.lang,
        'aria-label': t('editorTranslationOf', [String(index + 1)])});
    text.addEventListener('input', () => {
        cue.text = text.value;
        saveSoon();
    });
    text.addEventListener('focus', () => {
        $('video').currentTime = cue.start;
    });
    const button = (label, action) => {
        const b = el('button', {type: 'button', text: t(label)});
        b.addEventListener('click', action);
        return b;
    };
    return el('tr', {'data-index': String(index)}, [
        el('td', {}, [timeInput(cue, 'start', index), el('br'), timeInput(cue, 'end', index)]),
        el('td', {class: 'source', text: cue.source}),
        el('td', {}, [text]),
        el('td', {class: 'cue-actions'}, [
            button('editorPlay', () => playCue(cue)),
            button('editorSplit', () => edit((cues) => splitCue(cues, index))),
            button('editorMerge', () => edit((cues) => mergeCues(cues, index))),
            button('editorShift', () => {
                const ms = Number($('shift-ms').value);
                if (Number.isFinite(ms) && ms !== 0) {
                    edit((cues) => shiftCues(cues, index, ms / 1000));
                }
            }),
        ]),
    ]);
}

function render() {
    $('cues').replaceChildren(...page.draft.cues.map(row));
    $('work').hidden = false;
    $('lang').value = page.draft.lang;
    $('label').value = page.draft.label;
    showHistory();
}

function showHistory() {
    const history = $('history');
    history.textContent = page.draft.credit ? t('editorTakenUpFrom', [page.draft.credit]) : '';
    history.hidden = !page.draft.credit;
}

function showProblems() {
    const problems = checkCues(page.draft.cues);
    const rows = [...$('cues').children];
    rows.forEach((r) => r.classList.remove('has-problem'));
    for (const p of problems) {
        rows[p.index]?.classList.add('has-problem');
    }
    $('problems').replaceChildren(...problems.map((p) => el('li', {
        text: t(`editorProblem_${p.kind.replace(/-/g, '_')}`, [String(p.index + 1)])})));
    $('problems').hidden = problems.length === 0;
    return problems;
}

function highlightCurrent() {
    const now = $('video').currentTime;
    if (page.stopAt !== null && now >= page.stopAt) {
        page.stopAt = null;
        $('video').pause();
    }
    [...$('cues').children].forEach((r, i) => {
        const c = page.draft.cues[i];
        r.classList.toggle('current', Boolean(c) && now >= c.start && now < c.end);
    });
}

// The last submission of this item in the language typed, where another translator left off.
function latestSubmission() {
    const lang = $('lang').value.trim();
    return page.terms?.latest.find((s) => s.item === page.info.bundleItem && s.lang === lang) ?? null;
}

function offerTakeUp() {
    $('take-up').hidden = !latestSubmission();
}

async function start(event) {
    event.preventDefault();
    const lang = $('lang').value.trim();
    const label = $('label').value.trim();
    if (!LANGUAGE_TAG.test(lang) || !label) {
        say($('message'), t('editorNeedsLanguage'), true);
        return;
    }
    const kept = (await webext.storage.local.get(key(lang)))[key(lang)];
    if (kept) {
        page.draft = kept;
    } else {
        const source = Number($('source').value);
        page.draft = {lang, label, source, cues: page.sourceCues.length > 0 ? page.sourceCues.map((c) => ({...c}))
            : [{start: 0, end: 2, source: '', text: ''}]};
    }
    page.draft.label = label;
    render();
    await saveNow();
}

async function takeUpLatest() {
    const latest = latestSubmission();
    if (!latest) {
        return;
    }
    const taken = await ask('translation.get', {infoHash: page.file.infoHash, submissionId: latest.submissionId});
    page.draft = {lang: taken.lang, label: taken.label, source: Number($('source').value),
        cues: takeUp(parseWebVtt(taken.track), page.sourceCues), basedOn: taken.submissionId, credit: taken.credit};
    render();
    await saveNow();
}

function exportTrack() {
    const blob = new globalThis.Blob([toWebVtt(page.draft.cues)], {type: 'text/vtt'});
    const link = el('a', {href: URL.createObjectURL(blob),
        download: `${page.info.bundleId}.${page.info.bundleItem.split('/').pop()}.${page.draft.lang}.vtt`});
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

async function submit(event) {
    event.preventDefault();
    if (!page.terms) {
        say($('message'), t('editorNoTerms'), true);
        return;
    }
    // Empty cues are left out of the track; anything else is for the translator to fix first.
    const blocking = showProblems().filter((p) => p.kind !== 'empty');
    if (blocking.length > 0) {
        say($('message'), t('editorFixFirst'), true);
        return;
    }
    const params = {infoHash: page.file.infoHash, item: page.info.bundleItem, lang: page.draft.lang,
        label: page.draft.label, translator: $('translator').value.trim(), licence: page.terms.licence,
        track: toWebVtt(page.draft.cues)};
    if (page.draft.basedOn) {
        params.basedOn = page.draft.basedOn;
    }
    const sent = await ask('translation.submit', params);
    // What comes next takes up what was just sent.
    page.draft.basedOn = sent.submissionId;
    await saveNow();
    say($('status'), t('editorSent', [sent.submissionId]));
}

async function main() {
    localize();
    page.file = readParams();
    if (!page.file) {
        say($('message'), t('playerBadLink'), true);
        return;
    }
    try {
        page.info = await ask('stream.info', page.file);
    } catch (error) {
        say($('message'), describeError(error), true);
        return;
    }
    if (!page.info.bundleItem || !page.info.hasGate) {
        say($('message'), t('editorNotABundle'), true);
        return;
    }
    $('name').textContent = t('editorHeading', [String(page.info.name ?? '')]);
    document.title = $('name').textContent;
    const video = $('video');
    video.src = page.info.streamUrl;
    video.addEventListener('timeupdate', highlightCurrent);
    $('source').replaceChildren(el('option', {value: '-1', text: t('editorFromNothing')}),
        ...page.info.subtitles.map((s, i) => el('option', {value: String(i), text: s.label || s.lang})));
    $('source').value = page.info.subtitles.length > 0 ? '0' : '-1';
    $('source').addEventListener('change', () => runBusy($('source'), $('message'), async () => {
        page.sourceCues = await loadSource(Number($('source').value));
    }));
    $('setup').addEventListener('submit', (e) => runBusy($('start'), $('message'), () => start(e)));
    $('take-up').addEventListener('click', () => runBusy($('take-up'), $('message'), takeUpLatest));
    $('lang').addEventListener('input', offerTakeUp);
    $('label').addEventListener('input', () => {
        if (page.draft) {
            page.draft.label = $('label').value.trim();
            saveSoon();
        }
    });
    $('check').addEventListener('click', () => {
        say($('status'), showProblems().length === 0 ? t('editorNoProblem') : '');
    });
    $('export').addEventListener('click', exportTrack);
    $('send').addEventListener('submit', (e) => runBusy($('submit'), $('message'), () => submit(e)));
    window.addEventListener('pagehide', () => {
        if (page.draft) {
            saveNow();
        }
    });

    // A draft left here before comes back as it was, with the track it translates.
    const [latestDraft] = await keptDrafts();
    if (latestDraft && page.info.subtitles[latestDraft.source]) {
        $('source').value = String(latestDraft.source);
    }
    try {
        page.sourceCues = await loadSource(Number($('source').value));
    } catch (error) {
        say($('message'), describeError(error), true);
    }
    if (latestDraft) {
        page.draft = latestDraft;
        render();
        say($('status'), t('editorDraftRestored'));
    }
    try {
        page.terms = await ask('translation.terms', {infoHash: page.file.infoHash});
        $('licence').textContent = t('editorLicence', [page.terms.licence]);
        offerTakeUp();
    } catch (error) {
        say($('message'), describeError(error), true);
    }
}

main();
