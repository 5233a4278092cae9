import {test} from 'node:test';
import assert from 'node:assert/strict';
import {checkCues, cuesFromSource, draftKey, formatTimestamp, mergeCues, parseTimestamp, shiftCues, splitCue, takeUp,
    toWebVtt} from '../../extension/common/cue_edit.js';
import {parseWebVtt} from '../../extension/common/webvtt.js';

const source = parseWebVtt('WEBVTT\n\n00:00.500 --> 00:02.000\n<i>Tonight</i>\n\n00:02.000 --> 00:04.000\n'
    + 'Who keeps watch?\n\n00:04.000 --> 00:06.000\nWe do.\n');

test('timestamps are written as WebVTT writes them and read back as a person types them', () => {
    assert.equal(formatTimestamp(3723.5), '01:02:03.500');
    assert.equal(formatTimestamp(-1), '00:00:00.000');
    assert.equal(parseTimestamp('01:02:03.500'), 3723.5);
    assert.equal(parseTimestamp('2:03,5'), 123.5);
    assert.equal(parseTimestamp('2:63.000'), null);
    assert.equal(parseTimestamp('soon'), null);
});

test('a translation is its source\'s cues with the viewer\'s text, written as WebVTT that runs nothing', () => {
    const cues = cuesFromSource(source);
    assert.deepEqual(cues[0], {start: 0.5, end: 2, source: 'Tonight', text: ''});
    cues[0].text = 'Esta noche';
    cues[1].text = '¿Quién <b>vela</b>? & nadie\n\n--> más';
    assert.equal(toWebVtt(cues), 'WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nEsta noche\n\n'
        + '00:00:02.000 --> 00:00:04.000\n¿Quién &lt;b&gt;vela&lt;/b&gt;? &amp; nadie\n--&gt; más\n');
    // What it writes reads back as the same cues.
    assert.deepEqual(parseWebVtt(toWebVtt(cues)).map((c) => c.start), [0.5, 2]);
});

test('split, merge and shift keep every word and never go below zero', () => {
    let cues = cuesFromSource(source);
    cues[1].text = 'Quién vela';
    cues = splitCue(cues, 1);
    assert.equal(cues.length, 4);
    assert.deepEqual([cues[1].start, cues[1].end, cues[1].text], [2, 3, 'Quién']);
    assert.deepEqual([cues[2].start, cues[2].end, cues[2].text, cues[2].source], [3, 4, 'vela', 'watch?']);
    cues = mergeCues(cues, 1);
    assert.equal(cues.length, 3);
    assert.deepEqual([cues[1].start, cues[1].end, cues[1].text], [2, 4, 'Quién\nvela']);
    assert.equal(mergeCues(cues, 2), cues, 'the last cue has nothing to merge with');
    const later = shiftCues(cues, 1, 0.25);
    assert.deepEqual(later.map((c) => c.start), [0.5, 2.25, 4.25]);
    assert.deepEqual(shiftCues(cues, 0, -10).map((c) => c.start), [0, 1.5, 3.5]);
});

test('the checks name each cue to fix and why', () => {
    const cues = [
        {start: 0, end: 2, source: '', text: 'Bien'},
        {start: 1.5, end: 3, source: '', text: ''},
        {start: 3, end: 3.1, source: '', text: 'x'.repeat(43)},
        {start: 4, end: 6, source: '', text: 'uno\ndos\ntres'},
    ];
    assert.deepEqual(checkCues(cues), [
        {index: 1, kind: 'empty'}, {index: 1, kind: 'overlap'}, {index: 2, kind: 'long-line'},
        {index: 2, kind: 'too-short'}, {index: 3, kind: 'too-many-lines'},
    ]);
    assert.deepEqual(checkCues([{start: 0, end: 2, source: '', text: 'ñ'.repeat(42)}]), [],
        'characters are counted, not bytes');
});

test('a translation taken up keeps its cues and finds each one\'s source by time', () => {
    const theirs = parseWebVtt('WEBVTT\n\n00:00.400 --> 00:02.100\nEsta noche\n\n00:05.000 --> 00:05.900\nNosotros.\n');
    assert.deepEqual(takeUp(theirs, cuesFromSource(source)), [
        {start: 0.4, end: 2.1, source: 'Tonight', text: 'Esta noche'},
        {start: 5, end: 5.9, source: 'We do.', text: 'Nosotros.'},
    ]);
    assert.equal(draftKey('les-veilleurs', 'pilot.webm', 'es'), 'translationDraft:les-veilleurs:pilot.webm:es');
});
