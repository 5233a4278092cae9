// The WebVTT parser the player's script-made subtitle tracks read: cues in seconds, the blocks that are no cues
// left out, a malformed cue skipped without losing the others.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {parseWebVtt} from '../../extension/common/webvtt.js';

test('cues with and without hours, ids and settings', () => {
    const text = [
        'WEBVTT - Les Veilleurs',
        'Kind: captions',
        '',
        '1',
        '00:01.000 --> 00:04.500',
        'Bonsoir.',
        '',
        'intro-2',
        '01:02:03.250 --> 01:02:05.000 align:start position:10% line:0',
        'Deux lignes',
        '<i>de texte</i>',
        '',
        '00:00:07.000 --> 00:00:08.000',
        'Sans id.',
        '',
    ].join('\n');
    assert.deepEqual(parseWebVtt(text), [
        {start: 1, end: 4.5, text: 'Bonsoir.'},
        {start: 3723.25, end: 3725, text: 'Deux lignes\n<i>de texte</i>'},
        {start: 7, end: 8, text: 'Sans id.'},
    ]);
});

test('CRLF, CR and a byte-order mark read like LF', () => {
    const lf = 'WEBVTT\n\n00:01.000 --> 00:02.000\nOne\nTwo\n\n00:03.000 --> 00:04.000\nThree\n';
    const expected = [{start: 1, end: 2, text: 'One\nTwo'}, {start: 3, end: 4, text: 'Three'}];
    assert.deepEqual(parseWebVtt(lf), expected);
    assert.deepEqual(parseWebVtt(`\uFEFF${lf.replace(/\n/g, '\r\n')}`), expected);
    assert.deepEqual(parseWebVtt(lf.replace(/\n/g, '\r')), expected);
});

test('NOTE, STYLE and REGION blocks are no cues', () => {
    const text = [
        'WEBVTT', '',
        'NOTE made by ffmpeg', 'second line of the note', '',
        'STYLE', '::cue { color: yellow }', '',
        'REGION', 'id:fred width:40%', '',
        'NOTE', '00:09.000 --> 00:10.000', '',
        '00:05.000 --> 00:06.000', 'Kept.', '',
    ].join('\n');
    assert.deepEqual(parseWebVtt(text), [{start: 5, end: 6, text: 'Kept.'}]);
});

test('a malformed cue is skipped and the next one still read', () => {
    const text = [
        'WEBVTT', '',
        '00:01.000 -> 00:02.000', 'bad arrow', '',
        '00:61.000 --> 00:62.000', 'seconds past 59', '',
        '00:03.00 --> 00:04.000', 'two digits of milliseconds', '',
        '00:05.000 --> 00:04.000', 'ends before it starts', '',
        'an id alone', '',
        'id', 'no timing', 'at all', '',
        '00:06.000 --> 00:07.000', 'good', '',
    ].join('\n');
    assert.deepEqual(parseWebVtt(text), [{start: 6, end: 7, text: 'good'}]);
});

test('a file without its header is still read; nothing that is not text throws', () => {
    assert.deepEqual(parseWebVtt('00:01.000 --> 00:02.000\nhi'), [{start: 1, end: 2, text: 'hi'}]);
    assert.deepEqual(parseWebVtt('00:01,000 --> 00:02,000\nfrom SubRip'), [{start: 1, end: 2, text: 'from SubRip'}]);
    for (const odd of ['', 'WEBVTT', undefined, null, 42, '\n\n\n']) {
        assert.deepEqual(parseWebVtt(odd), [], String(odd));
    }
});
