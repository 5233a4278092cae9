// The extension's copies of the host's settings against settings.set's schema, which the host's own table of
// settings is tested against (tests/unit/app/settings_table_test.cpp): the options form, its page and the
// background's settings.set intent take what the host takes, no more and no less.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import {HOST_FIELDS, NUMBERS, TOGGLES, isFolder, readForm, shownRange} from '../../extension/options/settings_form.js';
import {APP_INTENTS} from '../../extension/background/app_intents.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const schema = JSON.parse(readFileSync(join(root, 'protocol/schema/native-messaging.json'), 'utf8'));
const settings = schema.$defs['settings.set.params'].properties;
const optionsPage = readFileSync(join(root, 'extension/options/options.html'), 'utf8');

const form = {downloadFolder: '/srv/films', downloadRateLimit: '0', uploadRateLimit: '0', listenPort: '6881'};

test('the form shows settings the host has, and leaves out only connectionsLimit', () => {
    for (const field of HOST_FIELDS) {
        assert.ok(field in settings, field);
    }
    assert.deepEqual(Object.keys(settings).filter((f) => !HOST_FIELDS.includes(f)), ['connectionsLimit']);
    assert.deepEqual(TOGGLES, Object.keys(settings).filter((f) => settings[f].type === 'boolean'));
});

test("the form's numbers have the schema's ranges", () => {
    for (const [field, {min, max}] of Object.entries(NUMBERS)) {
        assert.deepEqual({type: 'integer', minimum: min, maximum: max}, settings[field], field);
    }
});

test('the form takes both ends of each range and nothing beyond', () => {
    for (const [field, {min, max}] of Object.entries(NUMBERS)) {
        const shown = shownRange(field);
        const at = (n) => readForm({...form, [field]: String(n)});
        assert.equal(at(shown.min).settings[field], min, field);
        assert.equal(at(shown.max).settings[field], max, field);
        assert.ok(field in at(shown.max + 1).problems, field);
        assert.ok(field in at(shown.min - 1).problems, field);
    }
});

test("the page's number inputs have the form's ranges", () => {
    for (const field of Object.keys(NUMBERS)) {
        const input = optionsPage.match(new RegExp(`<input id="${field}"[^>]*>`));
        assert.ok(input, field);
        const {min, max} = shownRange(field);
        assert.match(input[0], new RegExp(`\\smin="${min}"`), field);
        assert.match(input[0], new RegExp(`\\smax="${max}"`), field);
    }
});

test("the form's folder rule is the schema's pattern", () => {
    const pattern = new RegExp(settings.downloadFolder.pattern, 'u');
    const folders = ['/srv/films', '/home/a/Vidéos\u00a0b', '/', 'films', '', '~/films', '/a\tb', '/a\u0000b',
        '/a\u001fb', '/a\u007fb', '/a\u0085b', '/a\u2028b'];
    for (const folder of folders) {
        assert.equal(isFolder(folder), pattern.test(folder), JSON.stringify(folder));
    }
    assert.equal(settings.downloadFolder.type, 'string');
});

// The background checks what a page asks before it goes to the host: it must not refuse what the host takes.
test('the settings.set intent takes what the schema takes, and refuses one step beyond', async () => {
    const sent = [];
    const ctx = {host: {request: async (method, params) => sent.push({method, params})}, playsAnswered: async () => true};
    const set = async (params) => APP_INTENTS['settings.set'](ctx, params);
    for (const [field, property] of Object.entries(settings)) {
        if (property.type === 'integer') {
            await set({[field]: property.minimum});
            await set({[field]: property.maximum});
            await assert.rejects(set({[field]: property.minimum - 1}), field);
            await assert.rejects(set({[field]: property.maximum + 1}), field);
            await assert.rejects(set({[field]: 1.5}), field);
        } else if (property.type === 'boolean') {
            await set({[field]: false});
            await assert.rejects(set({[field]: 0}), field);
        } else {
            await set({[field]: '/srv/films'});
        }
    }
    const all = Object.fromEntries(Object.keys(settings).map((f) => [f, settings[f].minimum ?? true]));
    all.downloadFolder = '/srv/films';
    await set(all);
    assert.deepEqual(sent.at(-1), {method: 'settings.set', params: all});
});
