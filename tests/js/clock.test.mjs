// A converted stream's clock: the real position is where the stream was restarted plus the element's own time,
// seeks stay inside the file, and the time reads like a player's.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {
    SEEK_STEP_SECONDS, clampSeek, clockText, formatClock, streamPosition,
} from '../../extension/common/clock.js';

test('the position is the offset plus the element\'s currentTime', () => {
    assert.equal(streamPosition(42.5, 3.25), 45.75);
    assert.equal(streamPosition(0, 12), 12);
    // Before the new stream has a time, the position is where it starts.
    assert.equal(streamPosition(30, NaN), 30);
    assert.equal(streamPosition(30, -1), 30);
    assert.equal(streamPosition(undefined, 5), 5);
});

test('a seek target is kept from 0 to the duration', () => {
    assert.equal(clampSeek(-3, 90), 0);
    assert.equal(clampSeek(120, 90), 90);
    assert.equal(clampSeek(45.5, 90), 45.5);
    assert.equal(clampSeek(NaN, 90), 0);
    // An unknown duration bounds nothing above.
    assert.equal(clampSeek(5000, NaN), 5000);
    assert.equal(clampSeek(5000, Infinity), 5000);
    assert.equal(clampSeek(12 - SEEK_STEP_SECONDS * 3, 90), 0);
    assert.equal(SEEK_STEP_SECONDS, 5);
});

test('times read as m:ss, or h:mm:ss from an hour on', () => {
    assert.equal(formatClock(0), '0:00');
    assert.equal(formatClock(12.9), '0:12');
    assert.equal(formatClock(90), '1:30');
    assert.equal(formatClock(600), '10:00');
    assert.equal(formatClock(3723), '1:02:03');
    assert.equal(formatClock(NaN), '-:--');
    assert.equal(formatClock(Infinity), '-:--');
    assert.equal(formatClock(-1), '-:--');
    assert.equal(clockText(12, 90), '0:12 / 1:30');
    assert.equal(clockText(5, NaN), '0:05 / -:--');
});
