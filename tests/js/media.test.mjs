import {test} from 'node:test';
import assert from 'node:assert/strict';
import {
    mediaKind, isPlayableMime, defaultSubtitleIndex, resumeKey, resumeAction, restorePosition, backoffDelay,
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
