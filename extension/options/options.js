// The options page: the host's settings (settings.get / settings.set) and the extension's own link handling
// (storage.local `handleLinks`).
import {webext} from '../common/webext.js';
import {t, localize, ask, describeError, say} from '../common/ui.js';
import {HOST_FIELDS, NUMBERS, TOGGLES, readForm, settingsPatch, fieldOfError, shownNumber} from './settings_form.js';

const $ = (id) => document.getElementById(id);
const LINK_POLICIES = ['ask', 'always', 'never'];

let loaded = null;

function fieldError(field, text) {
    const node = $(`${field}-error`) ?? $('toggles-error');
    node.textContent = text;
    node.hidden = !text;
    const input = $(field);
    if (input && input.type !== 'checkbox') {
        if (text) {
            input.setAttribute('aria-invalid', 'true');
        } else {
            input.removeAttribute('aria-invalid');
        }
    }
}

function clearErrors() {
    for (const field of HOST_FIELDS) {
        fieldError(field, '');
    }
}

function fill(settings) {
    $('downloadFolder').value = settings.downloadFolder ?? '';
    for (const field of Object.keys(NUMBERS)) {
        $(field).value = String(shownNumber(field, settings[field]));
    }
    for (const field of TOGGLES) {
        $(field).checked = Boolean(settings[field]);
    }
    $('listenPort-hint').textContent = settings.peerPort
        ? t('optionsListenPortHintBound', [String(settings.peerPort)])
        : t('optionsListenPortHint');
}

function formValues() {
    const values = {};
    for (const field of ['downloadFolder', ...Object.keys(NUMBERS)]) {
        values[field] = $(field).value;
    }
    for (const field of TOGGLES) {
        values[field] = $(field).checked;
    }
    return values;
}

async function loadSettings() {
    try {
        loaded = await ask('settings.get');
        fill(loaded);
        $('host-settings').disabled = false;
        $('network-settings').disabled = false;
        $('privacy-settings').disabled = false;
        $('load-error').hidden = true;
    } catch (e) {
        // Without the host only the link handling can be changed; say why the rest is greyed out.
        $('load-error').textContent = t('optionsLoadFailed', [describeError(e)]);
        $('load-error').hidden = false;
    }
}

async function loadLinkPolicy() {
    const stored = await webext.storage.local.get('handleLinks');
    const policy = LINK_POLICIES.includes(stored?.handleLinks) ? stored.handleLinks : 'ask';
    document.querySelector(`input[name="handleLinks"][value="${policy}"]`).checked = true;
    return policy;
}

let savedPolicy = 'ask';
let saving = false;

async function save(event) {
    event.preventDefault();
    if (saving) {
        return;
    }
    saving = true;
    $('save').setAttribute('aria-busy', 'true');
    say($('save-message'), '');
    clearErrors();
    try {
        const policy = document.querySelector('input[name="handleLinks"]:checked')?.value ?? 'ask';
        if (policy !== savedPolicy) {
            await webext.storage.local.set({handleLinks: policy});
            savedPolicy = policy;
        }
        if (loaded) {
            const {settings, problems} = readForm(formValues());
            const wrong = Object.keys(problems);
            if (wrong.length > 0) {
                for (const field of wrong) {
                    fieldError(field, t(problems[field]));
                }
                $(wrong[0]).focus();
                say($('save-message'), t('optionsFixErrors'), true);
                return;
            }
            const patch = settingsPatch(loaded, settings);
            if (Object.keys(patch).length > 0) {
                try {
                    loaded = await ask('settings.set', patch);
                    fill(loaded);
                } catch (e) {
                    const field = fieldOfError(e, patch);
                    const detail = e.data?.detail ? ` (${e.data.detail})` : '';
                    if (field) {
                        fieldError(field, describeError(e) + detail);
                        $(field).focus();
                        say($('save-message'), t('optionsFixErrors'), true);
                    } else {
                        say($('save-message'), describeError(e) + detail, true);
                    }
                    return;
                }
            }
        }
        say($('save-message'), t('optionsSaved'));
    } finally {
        saving = false;
        $('save').removeAttribute('aria-busy');
    }
}

localize();
$('form').addEventListener('submit', save);
loadLinkPolicy().then((policy) => {
    savedPolicy = policy;
});
loadSettings();
