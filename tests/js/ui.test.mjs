// common/ui.js's message line, busy buttons and element builder, which the pages and a page's card share.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {fakeExtension} from './support/content_world.mjs';

// i18n answers '' for every key, so t() shows the key picked.
globalThis.chrome = fakeExtension();
const {say, runBusy, el, describeError, describeGateError, t} = await import('../../extension/common/ui.js');

class FakeElement {
    constructor(tag) {
        this.tag = tag;
        this.attributes = new Map();
        this.children = [];
        this.className = '';
        this.textContent = '';
        this.hidden = false;
        this.classes = new Set();
        this.classList = {toggle: (name, on) => (on ? this.classes.add(name) : this.classes.delete(name))};
    }

    setAttribute(name, value) {
        this.attributes.set(name, String(value));
    }

    getAttribute(name) {
        return this.attributes.get(name) ?? null;
    }

    removeAttribute(name) {
        this.attributes.delete(name);
    }

    append(...nodes) {
        this.children.push(...nodes);
    }
}

class FakeInput extends FakeElement {
    constructor() {
        super('input');
        this.required = false;
        this.spellcheck = true;
        this.id = '';
        this.type = 'text';
    }
}

test('a message line shows text, says whether it is an error, and hides when empty', () => {
    const line = new FakeElement('p');
    say(line, 'Saved');
    assert.deepEqual([line.textContent, line.hidden, line.classes.has('is-error')], ['Saved', false, false]);
    say(line, 'No room left', true);
    assert.deepEqual([line.textContent, line.hidden, line.classes.has('is-error')], ['No room left', false, true]);
    say(line, '');
    assert.deepEqual([line.textContent, line.hidden, line.classes.has('is-error')], ['', true, false]);
});

test('a busy button runs one action at a time and words its failure with the caller\'s choice', async () => {
    const button = new FakeElement('button');
    const line = new FakeElement('p');
    let release;
    let runs = 0;
    const action = () => {
        runs += 1;
        return new Promise((_, reject) => {
            release = () => reject({code: 1108, data: {gateCode: 'amount_too_low'}});
        });
    };
    const first = runBusy(button, line, action, describeGateError);
    assert.equal(button.getAttribute('aria-busy'), 'true');
    await runBusy(button, line, action, describeGateError);
    assert.equal(runs, 1);
    release();
    await first;
    assert.equal(button.getAttribute('aria-busy'), null);
    assert.deepEqual([line.textContent, line.hidden, line.classes.has('is-error')],
        ['cardGateAmountTooLow', false, true]);

    // By default the words go by the code alone.
    await runBusy(button, line, async () => {
        throw {code: 1108, data: {gateCode: 'amount_too_low'}};
    });
    assert.equal(line.textContent, 'errorGateRefused');
    await runBusy(button, line, async () => {});
    assert.deepEqual([line.textContent, line.hidden], ['', true]);
});

test('words for errors: by code, or by the gate\'s reason first', () => {
    assert.equal(describeError({code: 2001}), 'errorHostNotInstalled');
    assert.equal(describeGateError({code: 1108, data: {gateCode: 'wrong_code'}}), 'cardGateWrongCode');
    assert.equal(describeError({code: 1108, data: {gateCode: 'wrong_code'}}), 'errorGateRefused');
    assert.equal(t('noSuchKey'), 'noSuchKey');
});

test('el sets what the element has as a property as one, anything else as an attribute', () => {
    globalThis.document = {createElement: (tag) => (tag === 'input' ? new FakeInput() : new FakeElement(tag))};
    try {
        const input = el('input', {id: 'sluice-email-1', type: 'email', required: true, spellcheck: false,
            maxlength: '254', 'aria-describedby': 'x', class: 'wide'});
        assert.deepEqual([input.id, input.type, input.required, input.spellcheck, input.className],
            ['sluice-email-1', 'email', true, false, 'wide']);
        assert.deepEqual([...input.attributes], [['maxlength', '254'], ['aria-describedby', 'x']]);
        const label = el('label', {for: 'sluice-email-1', text: 'Email'}, [input]);
        assert.deepEqual([label.getAttribute('for'), label.textContent, label.children.length],
            ['sluice-email-1', 'Email', 1]);
    } finally {
        delete globalThis.document;
    }
});
