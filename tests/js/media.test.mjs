import {test} from 'node:test';
import assert from 'node:assert/strict';
import {
    mediaKind, isPlayableMime, defaultSubtitleIndex, resumeKey, resumeAction, restorePosition, backoffDelay,
    looksLikeMedia, playableQuestions, languageTag, trackLabel, distinctLabels, subtitleChoices, mediaProblemReason,
} from '../../extension/common/media.js';

test('mediaKind picks the element by the type, ignoring case and parameters', () => {
    assert.equal(mediaKind('video/webm'), 'video');
    assert.equal(mediaKind('Video/MP4; codecs="avc1.42E01E"'), 'video');
    assert.equal(mediaKind('video/x-matroska'), 'video');
    assert.equal(mediaKind('audio/ogg'), 'audio');
    assert.equal(mediaKind('application/pdf'), null);
    assert.equal(mediaKind('text/vtt'), null);
    assert.equal(mediaKind('video/'), null);
    assert.equal(mediaKind(''), null);
    assert.equal(mediaKind(undefined), null);
    assert.equal(isPlayableMime('audio/flac'), true);
    assert.equal(isPlayableMime('image/png'), false);
});

test('the default subtitle is the UI language, region first, else none', () => {
    const subs = [{lang: 'en'}, {lang: 'fr'}, {lang: 'fr-CA'}];
    assert.equal(defaultSubtitleIndex(subs, 'fr-CA'), 2);
    assert.equal(defaultSubtitleIndex(subs, 'fr'), 1);
    assert.equal(defaultSubtitleIndex(subs, 'fr-BE'), 1);
    assert.equal(defaultSubtitleIndex(subs, 'en_US'), 0);
    assert.equal(defaultSubtitleIndex(subs, 'de'), -1);
    assert.equal(defaultSubtitleIndex([], 'en'), -1);
    assert.equal(defaultSubtitleIndex([{lang: 'EN-gb'}], 'en-GB'), 0);
    assert.equal(defaultSubtitleIndex([{}], 'en'), -1);
    assert.equal(defaultSubtitleIndex(null, 'en'), -1);
    assert.equal(defaultSubtitleIndex(subs, ''), -1);
});

test('the default subtitle follows the reading languages in order: the UI\'s, then the browser\'s', () => {
    const subs = [{lang: 'en'}, {lang: 'fr'}, {lang: 'de'}];
    assert.equal(defaultSubtitleIndex(subs, ['fr', 'en-US', 'en']), 1);
    assert.equal(defaultSubtitleIndex(subs, ['it', 'de-AT', 'en']), 2);
    assert.equal(defaultSubtitleIndex(subs, ['it', '', 'en-GB']), 0);
    assert.equal(defaultSubtitleIndex(subs, ['it', 'es']), -1);
    assert.equal(defaultSubtitleIndex(subs, []), -1);
    assert.equal(defaultSubtitleIndex([{lang: 'fr'}, {lang: 'fr-CA'}], ['fr-CA', 'fr']), 1);
});

test('resume positions are kept in the middle only', () => {
    assert.equal(resumeKey('les-veilleurs/ep1.webm'), 'resume:les-veilleurs/ep1.webm');
    assert.equal(resumeAction(42, 600), 'save');
    assert.equal(resumeAction(42, Infinity), 'save');
    assert.equal(resumeAction(42, NaN), 'save');
    assert.equal(resumeAction(596, 600), 'clear');
    assert.equal(resumeAction(595, 600), 'clear');
    assert.equal(resumeAction(594.9, 600), 'save');
    assert.equal(resumeAction(0.5, 600), 'clear');
    assert.equal(resumeAction(NaN, 600), 'skip');
    assert.equal(resumeAction(-1, 600), 'skip');
});

test('a stored position is restored only when it still lies before the last seconds', () => {
    assert.equal(restorePosition({position: 42}, 600), 42);
    assert.equal(restorePosition(42, 600), 42);
    assert.equal(restorePosition({position: 42}, Infinity), 42);
    assert.equal(restorePosition({position: 598}, 600), null);
    assert.equal(restorePosition({position: 900}, 600), null);
    assert.equal(restorePosition({position: 0.2}, 600), null);
    assert.equal(restorePosition({position: 'x'}, 600), null);
    assert.equal(restorePosition(undefined, 600), null);
    assert.equal(restorePosition(null, 600), null);
});

test('polling backs off by half again each time, up to the cap', () => {
    assert.equal(backoffDelay(0), 500);
    assert.equal(backoffDelay(1), 750);
    assert.equal(backoffDelay(2), 1125);
    assert.equal(backoffDelay(20), 5000);
    assert.equal(backoffDelay(3, {first: 1000, max: 2000}), 2000);
    assert.equal(backoffDelay(-3), 500);
});

test('a file is probed when its type or its name says audio or video', () => {
    assert.equal(looksLikeMedia('video/x-matroska', 'film.mkv'), true);
    assert.equal(looksLikeMedia('application/octet-stream', 'Film.MKV'), true);
    assert.equal(looksLikeMedia('application/octet-stream', 'concert.opus'), true);
    assert.equal(looksLikeMedia('application/octet-stream', 'capture.ts'), true);
    assert.equal(looksLikeMedia('audio/flac', 'noname'), true);
    assert.equal(looksLikeMedia('application/pdf', 'booklet.pdf'), false);
    assert.equal(looksLikeMedia('text/plain', 'notes.mkv.txt'), false);
    assert.equal(looksLikeMedia(undefined, undefined), false);
});

// The host's questions, from its contract: the file as it is, its video in MP4, its audio track in MP4.
const questions = [
    'video/x-matroska; codecs="avc1.42C00D, ac-3"',
    'video/mp4; codecs="avc1.42C00D"',
    'audio/mp4; codecs="ac-3"',
];

test('playable is the questions the browser answers yes to, in the host\'s order', () => {
    const asked = [];
    const chromium = (q) => {
        asked.push(q);
        return q.startsWith('video/mp4');
    };
    assert.deepEqual(playableQuestions(questions, chromium), ['video/mp4; codecs="avc1.42C00D"']);
    assert.deepEqual(asked, questions);
    assert.deepEqual(playableQuestions(questions, () => true), questions);
    assert.deepEqual(playableQuestions(questions, () => false), []);
    assert.deepEqual(playableQuestions(undefined, () => true), []);
});

test('playable holds only what media.open takes: at most 64 texts of at most 256 characters', () => {
    const many = Array.from({length: 70}, (_, i) => `audio/mp4; codecs="mp4a.40.${i}"`);
    assert.equal(playableQuestions(many, () => true).length, 64);
    const odd = ['x'.repeat(257), '', 42, null, 'audio/ogg; codecs="opus"'];
    assert.deepEqual(playableQuestions(odd, () => true), ['audio/ogg; codecs="opus"']);
});

test('track languages become BCP 47 tags, and labels the reader\'s words', () => {
    assert.equal(languageTag('fre'), 'fr');
    assert.equal(languageTag('eng'), 'en');
    assert.equal(languageTag('pt_BR'), 'pt-BR');
    assert.equal(languageTag('und'), '');
    assert.equal(languageTag(''), '');
    assert.equal(languageTag('not a tag!'), '');
    assert.equal(trackLabel({language: 'eng', title: ''}, 'fr'), 'anglais');
    assert.equal(trackLabel({language: 'fre', title: 'Commentaire'}, 'en'), 'French — Commentaire');
    assert.equal(trackLabel({language: 'eng', title: 'English'}, 'en'), 'English');
    assert.equal(trackLabel({language: '', title: 'Director'}, 'en'), 'Director');
    assert.equal(trackLabel({language: 'und', title: ''}, 'en'), '');
    assert.deepEqual(distinctLabels(['English', 'French', 'English']), ['English (1)', 'French', 'English (2)']);
});

test('subtitles: the bundle\'s, then the file\'s text tracks; sidecars only when the bundle names none', () => {
    const own = [{lang: 'fr', label: 'Français', url: 'http://127.0.0.1/s/T/H/4/pilot.fr.vtt'}];
    const probed = [
        {track: 0, codec: 'subrip', language: 'ger', title: '', text: true, url: 'http://127.0.0.1/v/T/H/3/0.vtt'},
        {track: 1, codec: 'hdmv_pgs_subtitle', language: 'eng', title: 'SDH', text: false},
        {track: 0, codec: 'webvtt', language: 'fr', title: '', text: true, sidecar: true,
            url: 'http://127.0.0.1/v/T/H/4/0.vtt'},
    ];
    assert.deepEqual(subtitleChoices(own, probed, 'en'), {
        text: [
            {language: 'fr', label: 'Français', url: own[0].url},
            {language: 'de', label: 'German', url: probed[0].url},
        ],
        bitmap: [{label: 'English — SDH'}],
    });
    assert.deepEqual(subtitleChoices([], probed, 'en').text.map((s) => s.url), [probed[0].url, probed[2].url]);
    // A translation viewers made keeps their credit for the menu.
    assert.deepEqual(subtitleChoices([{lang: 'es', label: 'Español', credit: ' Ana, Luis ', url: 'u'}], [], 'en').text,
        [{language: 'es', label: 'Español', url: 'u', credit: 'Ana, Luis'}]);
    // A bundle track without its label is named by its language; a text track without its URL is left out.
    assert.deepEqual(subtitleChoices([{lang: 'en', url: 'u'}], [{language: 'fre', text: true}], 'fr'),
        {text: [{language: 'en', label: 'anglais', url: 'u'}], bitmap: []});
    assert.deepEqual(subtitleChoices(undefined, undefined, 'en'), {text: [], bitmap: []});
});

test('the host\'s reason for an unreadable file is shown without the address ffprobe puts first', () => {
    assert.equal(mediaProblemReason('http://127.0.0.1:51234/s/0123456789abcdef0123456789abcdef/c9e1/2/garbage.mkv: ' +
        'Invalid data found when processing input'), 'Invalid data found when processing input');
    assert.equal(mediaProblemReason('Nothing in this file can be played'), 'Nothing in this file can be played');
    assert.equal(mediaProblemReason('  EBML header parsing failed: too deep  '), 'EBML header parsing failed: too deep');
    assert.equal(mediaProblemReason(undefined), '');
});
