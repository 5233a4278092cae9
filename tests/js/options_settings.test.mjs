import {test} from 'node:test';
import assert from 'node:assert/strict';

import {readForm, settingsPatch, fieldOfError, shownNumber} from '../../extension/options/settings_form.js';

const loaded = {
    downloadFolder: '/home/viewer/Downloads/Sluice', downloadRateLimit: 0, uploadRateLimit: 51300,
    connectionsLimit: 200, dht: true, lsd: true, upnp: true, natpmp: true, utp: true, listenPort: 6881, reportPlays: false,
    peerPort: 6881,
};

const form = (over = {}) => ({
    downloadFolder: '/home/viewer/Downloads/Sluice', downloadRateLimit: '0', uploadRateLimit: '50',
    listenPort: '6881', dht: true, lsd: true, upnp: true, natpmp: true, utp: true, reportPlays: false, ...over,
});

test('the form reads into host settings in bytes/s', () => {
    const {settings, problems} = readForm(form({downloadRateLimit: '100'}));
    assert.deepEqual(problems, {});
    assert.equal(settings.downloadRateLimit, 102400);
    assert.equal(settings.listenPort, 6881);
    assert.equal(settings.dht, true);
});

test('a relative folder, a fractional rate and a port out of range are refused', () => {
    const {problems} = readForm(form({downloadFolder: 'Downloads', downloadRateLimit: '1.5', listenPort: '70000'}));
    assert.deepEqual(problems, {
        downloadFolder: 'optionsInvalidFolder', downloadRateLimit: 'optionsInvalidRate',
        listenPort: 'optionsInvalidPort',
    });
    assert.equal(readForm(form({uploadRateLimit: '-1'})).problems.uploadRateLimit, 'optionsInvalidRate');
    assert.equal(readForm(form({listenPort: ''})).problems.listenPort, 'optionsInvalidPort');
});

test('a folder with a control character is refused before it reaches the host', () => {
    assert.equal(readForm(form({downloadFolder: '/home/viewer/a\u0000b'})).problems.downloadFolder, 'optionsInvalidFolder');
    assert.equal(readForm(form({downloadFolder: '/home/viewer/a\u007fb'})).problems.downloadFolder, 'optionsInvalidFolder');
    assert.deepEqual(readForm(form({downloadFolder: '/home/viewer/Vidéos'})).problems, {});
});

// 1000000000 B/s is shown as 976563 KiB/s, a little more than the host takes: saved untouched it is not sent,
// and typed in it means the top again.
test('the top rate, shown rounded, is taken and stays the top', () => {
    const top = {...loaded, downloadRateLimit: 1000000000};
    const shown = String(shownNumber('downloadRateLimit', top.downloadRateLimit));
    assert.equal(shown, '976563');
    const {settings, problems} = readForm(form({downloadRateLimit: shown}));
    assert.deepEqual(problems, {});
    assert.equal(settings.downloadRateLimit, 1000000000);
    assert.deepEqual(settingsPatch(top, settings), {});
});

test('an untouched form sends nothing, even with a limit that is not a whole KiB/s', () => {
    assert.deepEqual(settingsPatch(loaded, readForm(form()).settings), {});
});

test('only the changed fields are sent', () => {
    const {settings} = readForm(form({dht: false, listenPort: '0', uploadRateLimit: '0'}));
    assert.deepEqual(settingsPatch(loaded, settings), {dht: false, listenPort: 0, uploadRateLimit: 0});
});

test('errors are placed on the field the host names', () => {
    assert.equal(fieldOfError({code: -32602, message: 'Invalid params',
        data: {detail: 'listenPort must be an integer from 0 to 65535'}}, {listenPort: 1, dht: false}), 'listenPort');
    assert.equal(fieldOfError({code: 1006, message: 'x'}, {downloadFolder: '/x'}), 'downloadFolder');
    assert.equal(fieldOfError({code: -32602, message: 'bad'}, {utp: false}), 'utp');
    assert.equal(fieldOfError({code: -32602, message: 'bad'}, {utp: false, dht: true}), null);
    assert.equal(fieldOfError({code: 2001, message: 'not installed'}, {utp: false}), null);
});
