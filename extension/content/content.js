// The content script: a classic script (content scripts cannot be modules), run in the isolated world of
// every http(s) page. It does two things, and the page is hostile in both:
//  - bundle pages: the text of the page's one application/sluice-bundle+json script goes to the background
//    (which alone parses it); the card comes back over a 'card' port and is drawn in a closed shadow root;
//  - magnet and .torrent links: a click may be answered by Sluice, by a prompt, or left to the page.
// It runs in every frame: links work in iframes too (the prompt shows in the frame of the link), while cards are
// drawn for the top frame only (the background answers a frame's link intents and nothing else).
// Nothing is put on window, window.postMessage is never listened to, and intents are capped.
(() => {
    'use strict';

    const api = globalThis.browser ?? globalThis.chrome;
    if (!api?.runtime?.id) {
        return;
    }
    const TOP_FRAME = window.top === window;

    const MAX_MARKUP_CHARS = 8192;
    const MAX_LINK_CHARS = 8192;
    // Figures in the language of the words: the catalogue's localeTag, refined by a browser language of that
    // language, as pickLocale in common/format.js does (headless Chromium reports en-US under a French UI).
    const LOCALE = (() => {
        const canonical = (tag) => {
            try {
                return Intl.getCanonicalLocales(String(tag).replace(/_/g, '-'))[0] ?? null;
            } catch {
                return null;
            }
        };
        const catalogue = canonical(api.i18n.getMessage('localeTag'));
        const primary = (tag) => tag.split('-')[0].toLowerCase();
        for (const candidate of [api.i18n.getUILanguage(), ...(window.navigator.languages ?? [])]) {
            const tag = canonical(candidate);
            if (tag && (!catalogue || primary(tag) === primary(catalogue))) {
                return tag;
            }
        }
        return catalogue ?? 'en';
    })();

    function t(key, substitutions) {
        const words = api.i18n.getMessage(key, substitutions?.map(String));
        return words || key;
    }

    // ---- intents -------------------------------------------------------------------------------------------

    // The background allows 20 intents a second per tab; a page that makes us click-loop stops well before.
    const INTENT_WINDOW_MS = 1000;
    const INTENTS_PER_WINDOW = 8;
    const RATE_LIMITED = 2007;
    const sent = [];

    async function ask(intent, params = {}) {
        const now = Date.now();
        while (sent.length > 0 && now - sent[0] > INTENT_WINDOW_MS) {
            sent.shift();
        }
        if (sent.length >= INTENTS_PER_WINDOW) {
            throw {code: RATE_LIMITED};
        }
        sent.push(now);
        let reply;
        try {
            reply = await api.runtime.sendMessage({intent, ...params});
        } catch {
            throw {code: null};
        }
        if (!reply || reply.ok !== true) {
            throw {code: reply?.error?.code ?? null, data: reply?.error?.data};
        }
        return reply.result;
    }

    // Words for an error, by code, as common/error_text.js picks them (that module cannot be imported here;
    // tests/js/content_errors.test.mjs keeps this table in step with it).
    const ERROR_KEYS = {
        '-32602': 'errorInvalidParams',
        '-32603': 'errorInternalError',
        '1001': 'errorInvalidMagnet',
        '1003': 'errorTorrentNotFound',
        '1004': 'errorFileNotFound',
        '1005': 'errorFetchFailed',
        '1007': 'errorAddFailed',
        '1101': 'errorBundleNotFound',
        '1102': 'errorTokenRefused',
        '1103': 'errorItemNotFound',
        '1104': 'errorItemLocked',
        '1105': 'errorItemIncomplete',
        '1107': 'errorGateUnreachable',
        '1108': 'errorGateRefused',
        '1109': 'errorGateBadAnswer',
        '1110': 'errorGateNotOffered',
        '1111': 'errorPledgeNotFound',
        '1112': 'errorPledgePending',
        '2001': 'errorHostNotInstalled',
        '2002': 'errorHostCrashed',
        '2003': 'errorHostTimeout',
        '2004': 'errorHostIncompatible',
        '2005': 'errorNotAllowed',
        '2006': 'errorBadIntent',
        '2007': 'errorRateLimited',
        '2008': 'errorMarkupInvalid',
    };
    // What the gate said no to, when it says (gate_refused's data.gateCode): more useful than "it said no".
    const GATE_CODE_KEYS = {
        invalid_email: 'cardGateInvalidEmail',
        wrong_code: 'cardGateWrongCode',
        code_expired: 'cardGateCodeExpired',
        too_many_attempts: 'cardGateTooManyAttempts',
        amount_too_low: 'cardGateAmountTooLow',
        campaign_closed: 'cardGateCampaignClosed',
    };

    function errorWords(error) {
        const gateKey = error?.code === 1108 && typeof error.data?.gateCode === 'string'
            ? GATE_CODE_KEYS[error.data.gateCode] : undefined;
        return t(gateKey ?? ERROR_KEYS[String(error?.code)] ?? 'errorUnknown');
    }

    // ---- figures in words ----------------------------------------------------------------------------------

    function bytes(value) {
        const units = ['kilobyte', 'megabyte', 'gigabyte', 'terabyte'];
        let n = Math.max(0, Number(value) || 0) / 1000;
        let i = 0;
        while (n >= 1000 && i < units.length - 1) {
            n /= 1000;
            i += 1;
        }
        return new Intl.NumberFormat(LOCALE, {style: 'unit', unit: units[i], unitDisplay: 'short',
            maximumFractionDigits: n >= 100 || n === 0 ? 0 : 1}).format(n);
    }

    function currencyDigits(currency) {
        try {
            return new Intl.NumberFormat('en', {style: 'currency', currency}).resolvedOptions().maximumFractionDigits;
        } catch {
            return 2;
        }
    }

    function money(minor, currency) {
        const digits = currencyDigits(currency);
        const major = (Number(minor) || 0) / 10 ** digits;
        try {
            return new Intl.NumberFormat(LOCALE, {style: 'currency', currency}).format(major);
        } catch {
            return `${major.toFixed(digits)} ${currency ?? ''}`.trim();
        }
    }

    // A date-only string ("2027-09-01") is a calendar day, not midnight UTC seen from elsewhere.
    function date(text) {
        if (typeof text !== 'string') {
            return '';
        }
        const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
        const d = new Date(text);
        if (Number.isNaN(d.getTime())) {
            return text;
        }
        return new Intl.DateTimeFormat(LOCALE, day ? {dateStyle: 'long', timeZone: 'UTC'} : {dateStyle: 'long'})
            .format(d);
    }

    function duration(seconds) {
        let s = Math.max(0, Math.floor(Number(seconds) || 0));
        const parts = [];
        for (const [unit, size] of [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]]) {
            const n = Math.floor(s / size);
            s -= n * size;
            if (n > 0 || (unit === 'second' && parts.length === 0)) {
                parts.push(new Intl.NumberFormat(LOCALE, {style: 'unit', unit, unitDisplay: 'long'}).format(n));
            }
            if (parts.length === 2 || (parts.length === 1 && n === 0)) {
                break;
            }
        }
        return new Intl.ListFormat(LOCALE, {type: 'unit', style: 'long'}).format(parts);
    }

    function percent(value, goal) {
        return new Intl.NumberFormat(LOCALE, {style: 'percent', maximumFractionDigits: 0})
            .format(goal > 0 ? Math.floor((value / goal) * 100) / 100 : 0);
    }

    // ---- DOM helpers ---------------------------------------------------------------------------------------

    function el(tag, props = {}, children = []) {
        const node = document.createElement(tag);
        for (const [k, v] of Object.entries(props)) {
            if (k === 'class') {
                node.className = v;
            } else if (k === 'text') {
                node.textContent = v;
            } else if (k === 'hidden') {
                node.hidden = v;
            } else {
                node.setAttribute(k, v);
            }
        }
        node.append(...children);
        return node;
    }

    function setText(node, text) {
        if (node.textContent !== text) {
            node.textContent = text;
        }
    }

    function show(node, visible) {
        if (node.hidden === visible) {
            node.hidden = !visible;
        }
    }

    let uid = 0;
    function nextId(prefix) {
        uid += 1;
        return `${prefix}-${uid}`;
    }

    // The page's own styles reach the host element (not its shadow tree): these win over them but for a
    // page script, which can always remove what it hosts.
    const HOST_STYLE = 'all: initial !important; display: block !important; position: static !important; ' +
        'visibility: visible !important; opacity: 1 !important; margin: 16px 0 !important; ' +
        'max-width: 720px !important;';
    const PROMPT_HOST_STYLE = 'all: initial !important; display: block !important; position: absolute !important; ' +
        'z-index: 2147483647 !important; visibility: visible !important; opacity: 1 !important;';

    const BASE_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.box {
    --fg: #1b1f24; --bg: #ffffff; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa;
    --accent: #0b5cc4; --accent-fg: #ffffff; --error: #b42318; --ok: #1a7f37; --focus: #0969da;
    display: block; color: var(--fg); background: var(--bg); border: 1px solid var(--line);
    border-radius: 8px; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
    text-align: start; direction: ltr; letter-spacing: normal; text-transform: none;
}
@media (prefers-color-scheme: dark) {
    .box {
        --fg: #e6edf3; --bg: #15191e; --muted: #9aa6b2; --line: #30363d; --soft: #1e242b;
        --accent: #4c9bff; --accent-fg: #0b1320; --error: #ff7b72; --ok: #56d364; --focus: #79b8ff;
    }
}
button {
    font: inherit; font-size: 14px; padding: 5px 14px; border-radius: 6px; cursor: pointer;
    border: 1px solid var(--accent); color: var(--accent); background: transparent; margin: 0;
}
button.primary { color: var(--accent-fg); background: var(--accent); }
button[aria-busy="true"] { opacity: 0.6; cursor: progress; }
input {
    font: inherit; font-size: 14px; padding: 5px 8px; border: 1px solid var(--muted); border-radius: 6px;
    color: var(--fg); background: var(--bg); margin: 0; min-width: 0;
}
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
p { margin: 0; }
`;

    const CARD_CSS = `${BASE_CSS}
.box { padding: 14px 16px; }
.top { display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; }
.brand { font-weight: 700; font-size: 13px; color: var(--muted); }
.status { font-size: 13px; color: var(--muted); }
.status[data-status="verified"] { color: var(--ok); }
.status[data-status="refused"], .status[data-status="mismatch"] { color: var(--error); font-weight: 600; }
h2 { font-size: 20px; line-height: 1.25; margin: 6px 0 0; font-weight: 700; overflow-wrap: anywhere; }
.creator { color: var(--muted); }
.description { margin-top: 6px; white-space: pre-line; overflow-wrap: anywhere; max-height: 9em; overflow: auto; }
.host { margin-top: 8px; }
.host code { font: 13px ui-monospace, monospace; background: var(--soft); padding: 1px 4px; border-radius: 4px; }
ul { list-style: none; margin: 10px 0 0; padding: 0; }
li { border-top: 1px solid var(--line); padding: 8px 0; }
.row { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.item-title { font-weight: 600; overflow-wrap: anywhere; flex: 1 1 12em; }
.meta { font-size: 13px; color: var(--muted); }
/* The player's download line sits under the picture, inside the frame: room for it beyond the 16:9 picture. */
.frame { container-type: inline-size; }
iframe { display: block; width: 100%; height: calc(56.25cqi + 4.5em); border: 0; margin-top: 8px; background: #000;
    border-radius: 4px; }
iframe.audio { height: calc(54px + 5.5em); background: transparent; }
section { border-top: 1px solid var(--line); margin-top: 10px; padding-top: 10px; }
h3 { font-size: 15px; margin: 0 0 6px; }
form { display: flex; align-items: flex-end; gap: 8px; flex-wrap: wrap; margin-top: 6px; }
label { display: flex; flex-direction: column; gap: 2px; font-size: 13px; }
.note { font-size: 13px; color: var(--muted); margin-top: 4px; }
.guarantee { margin-top: 4px; }
progress { width: 100%; height: 10px; margin-top: 8px; accent-color: var(--accent); }
.campaign-line { font-size: 14px; margin-top: 2px; }
.actions { display: flex; gap: 8px; margin-top: 6px; flex-wrap: wrap; }
.message { margin-top: 8px; font-size: 14px; }
.message.is-error { color: var(--error); }
`;

    const PROMPT_CSS = `${BASE_CSS}
.box { padding: 10px 12px; box-shadow: 0 4px 16px rgba(0, 0, 0, 0.25); max-width: 320px; }
.title { font-weight: 600; }
.note { font-size: 13px; color: var(--muted); margin-top: 2px; }
.actions { display: flex; gap: 8px; margin-top: 8px; }
`;

    function shadowHost(hostStyle, css) {
        const host = document.createElement('div');
        host.setAttribute('style', hostStyle);
        const root = host.attachShadow({mode: 'closed'});
        root.append(el('style', {text: css}));
        return {host, root};
    }

    // One action at a time per button; the button keeps focus (disabling it would drop it).
    async function run(button, messageNode, action) {
        if (button.getAttribute('aria-busy') === 'true') {
            return;
        }
        button.setAttribute('aria-busy', 'true');
        say(messageNode, '');
        try {
            await action();
        } catch (error) {
            say(messageNode, errorWords(error), true);
        } finally {
            button.removeAttribute('aria-busy');
        }
    }

    function say(node, text, isError = false) {
        node.textContent = text;
        node.classList.toggle('is-error', isError);
        show(node, Boolean(text));
    }

    // ---- the bundle card -----------------------------------------------------------------------------------

    const STATUS_KEYS = {
        fetching: 'cardStatusFetching',
        verified: 'cardStatusVerified',
        refused: 'cardStatusRefused',
        mismatch: 'cardStatusMismatch',
    };
    const HOST_KEYS = {
        'connecting': 'cardHostConnecting',
        'not-installed': 'cardHostNotInstalled',
        'crashed': 'cardHostCrashed',
        'incompatible': 'cardHostIncompatible',
    };
    const PLEDGE_STATE_KEYS = {
        sending: 'cardPledgeSending',
        active: 'cardPledgeActive',
        funded: 'cardPledgeFunded',
        cancelled: 'cardPledgeCancelled',
        failed: 'cardPledgeFailed',
        refused: 'cardPledgeRefused',
    };
    const LOCK_KEYS = {email: 'cardLockEmail', pay: 'cardLockPay', pledge: 'cardLockPledge'};

    // A number typed in the currency's major unit, as minor units; null when it is no amount.
    function minorAmount(text, currency) {
        const value = Number(String(text).replace(',', '.'));
        if (!Number.isFinite(value) || value <= 0) {
            return null;
        }
        return Math.round(value * 10 ** currencyDigits(currency));
    }

    function majorText(minor, currency) {
        const digits = currencyDigits(currency);
        return ((Number(minor) || 0) / 10 ** digits).toFixed(digits);
    }

    function amountInput(id) {
        return el('input', {id, type: 'number', inputmode: 'decimal', required: '', autocomplete: 'off'});
    }

    class Card {
        constructor() {
            const {host, root} = shadowHost(HOST_STYLE, CARD_CSS);
            this.host = host;
            this.infoHash = null;
            this.card = null;
            this.items = new Map();
            this.requestId = null;
            this.titleId = nextId('sluice-title');
            this.brand = el('span', {class: 'brand', text: t('cardBrand')});
            this.status = el('p', {class: 'status', role: 'status'});
            this.title = el('h2', {id: this.titleId});
            this.creator = el('p', {class: 'creator', hidden: true});
            this.description = el('p', {class: 'description', hidden: true});
            this.hostNote = el('p', {class: 'host', hidden: true});
            this.list = el('ul', {hidden: true});
            this.email = this.buildEmail();
            this.pay = this.buildPay();
            this.pledge = this.buildPledge();
            this.message = el('p', {class: 'message', role: 'status', hidden: true});
            this.box = el('div', {class: 'box', role: 'region', 'aria-labelledby': this.titleId}, [
                el('div', {class: 'top'}, [this.brand, this.status]),
                this.title, this.creator, this.description, this.hostNote, this.list,
                this.email.root, this.pay.root, this.pledge.root, this.message,
            ]);
            root.append(this.box);
            setText(this.title, t('cardTitleUnknown'));
        }

        place() {
            const heading = document.querySelector('h1');
            if (heading) {
                heading.after(this.host);
            } else if (document.body) {
                document.body.prepend(this.host);
            }
        }

        // Before any card: words for what is happening (the host away, the markup refused, ...).
        showProblem(text, withInstall = false) {
            setText(this.status, '');
            show(this.hostNote, true);
            this.hostNote.replaceChildren(text);
            if (withInstall) {
                this.hostNote.append(' ', t('cardHostInstallHint'), ' ', el('code', {text: 'sluice-host install'}));
            }
        }

        showHost(status) {
            const key = HOST_KEYS[status] ?? 'cardHostConnecting';
            this.showProblem(t(key), status === 'not-installed');
        }

        render(card) {
            this.card = card;
            show(this.hostNote, false);
            const status = STATUS_KEYS[card.status] ? card.status : 'fetching';
            this.status.dataset.status = status;
            setText(this.status, t(STATUS_KEYS[status]));
            const named = status === 'verified' || status === 'mismatch';
            setText(this.title, named && card.title ? card.title : t('cardTitleUnknown'));
            show(this.creator, named && Boolean(card.creator));
            setText(this.creator, card.creator ? t('cardBy', [card.creator]) : '');
            const verified = status === 'verified';
            show(this.description, verified && Boolean(card.description));
            setText(this.description, verified ? card.description ?? '' : '');
            this.renderItems(verified ? card.items ?? [] : []);
            const gates = verified ? card.gates ?? {} : {};
            const locked = (gate) => (card.items ?? []).some((i) => i.gate === gate && !i.unlocked);
            this.renderEmail(Boolean(gates.email) && locked('email'), card.pending);
            this.renderPay(locked('pay') ? gates.pay : null);
            this.renderPledge(gates.pledge ?? null, card.campaign ?? null);
        }

        // ---- items

        renderItems(items) {
            const seen = new Set();
            for (const item of items) {
                seen.add(item.path);
                let row = this.items.get(item.path);
                if (!row) {
                    row = this.buildItem(item);
                    this.items.set(item.path, row);
                    this.list.append(row.li);
                }
                this.updateItem(row, item);
            }
            for (const [path, row] of this.items) {
                if (!seen.has(path)) {
                    row.li.remove();
                    this.items.delete(path);
                }
            }
            show(this.list, this.items.size > 0);
        }

        buildItem(item) {
            const row = {
                title: el('span', {class: 'item-title'}),
                meta: el('span', {class: 'meta'}),
                play: el('button', {type: 'button', class: 'primary', text: t('cardPlay')}),
                unlock: el('button', {type: 'button', text: t('cardUnlock')}),
                frame: el('div', {class: 'frame'}),
                message: el('p', {class: 'message', role: 'status', hidden: true}),
                item,
            };
            row.li = el('li', {}, [el('div', {class: 'row'}, [row.title, row.meta, row.play, row.unlock]),
                row.frame, row.message]);
            row.play.addEventListener('click', () => run(row.play, row.message, () => this.play(row)));
            row.unlock.addEventListener('click', () => this.openGate(row.item.gate));
            return row;
        }

        updateItem(row, item) {
            row.item = item;
            setText(row.title, item.title || item.path);
            const lock = item.access !== 'locked' ? t('cardFree')
                : item.unlocked ? t('cardUnlocked') : t(LOCK_KEYS[item.gate] ?? 'cardLocked');
            setText(row.meta, `${bytes(item.size)} · ${lock}`);
            show(row.play, item.playable === true);
            row.play.setAttribute('aria-label', t('cardPlayItem', [row.title.textContent]));
            const gates = this.card?.gates ?? {};
            show(row.unlock, item.access === 'locked' && !item.unlocked && Boolean(gates[item.gate]));
            row.unlock.setAttribute('aria-label', t('cardUnlockItem', [row.title.textContent]));
        }

        async play(row) {
            const result = await ask('page.play', {infoHash: this.infoHash, path: row.item.path});
            // Only our own player page is ever framed, whatever the answer says.
            const base = api.runtime.getURL('player/player.html?');
            if (typeof result?.frame !== 'string' || !result.frame.startsWith(base)) {
                throw {code: null};
            }
            const frame = el('iframe', {
                src: result.frame,
                allow: 'autoplay; fullscreen',
                title: t('cardPlayerFrame', [row.title.textContent]),
            });
            if (/^audio\//.test(row.item.mediaType ?? '')) {
                frame.classList.add('audio');
            }
            row.frame.replaceChildren(frame);
            frame.focus();
        }

        openGate(gate) {
            const section = {email: this.email, pay: this.pay, pledge: this.pledge}[gate];
            if (!section || section.root.hidden) {
                return;
            }
            section.root.scrollIntoView({block: 'nearest'});
            const target = section.focus();
            target?.focus();
        }

        // ---- email gate

        buildEmail() {
            const s = {};
            const addressId = nextId('sluice-email');
            const codeId = nextId('sluice-code');
            s.address = el('input', {id: addressId, type: 'email', required: '', autocomplete: 'email',
                maxlength: '254', spellcheck: 'false'});
            s.send = el('button', {type: 'submit', class: 'primary', text: t('cardEmailSend')});
            s.askForm = el('form', {novalidate: ''}, [
                el('label', {for: addressId}, [t('cardEmailLabel'), s.address]), s.send]);
            s.code = el('input', {id: codeId, type: 'text', required: '', autocomplete: 'one-time-code',
                inputmode: 'numeric', maxlength: '32', spellcheck: 'false'});
            s.confirm = el('button', {type: 'submit', class: 'primary', text: t('cardEmailConfirm')});
            s.codeNote = el('p', {class: 'note', text: t('cardEmailCodeSent')});
            s.codeForm = el('form', {novalidate: '', hidden: true}, [
                el('label', {for: codeId}, [t('cardEmailCodeLabel'), s.code]), s.confirm]);
            s.message = el('p', {class: 'message', role: 'status', hidden: true});
            s.root = el('section', {hidden: true}, [
                el('h3', {text: t('cardEmailTitle')}),
                el('p', {class: 'note', text: t('cardEmailNote')}),
                s.askForm, s.codeNote, s.codeForm, s.message,
            ]);
            s.codeNote.hidden = true;
            s.focus = () => (s.codeForm.hidden ? s.address : s.code);
            s.askForm.addEventListener('submit', (event) => {
                event.preventDefault();
                run(s.send, s.message, async () => {
                    const email = s.address.value.trim();
                    if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
                        throw {code: 1108, data: {gateCode: 'invalid_email'}};
                    }
                    const result = await ask('page.unlock', {infoHash: this.infoHash, gate: 'email', email});
                    if (result?.status === 'confirmationSent') {
                        this.requestId = String(result.requestId);
                        this.showCodeForm(true);
                        s.code.focus();
                    } else {
                        say(this.message, t('cardUnlockedDone'));
                    }
                });
            });
            s.codeForm.addEventListener('submit', (event) => {
                event.preventDefault();
                run(s.confirm, s.message, async () => {
                    const code = s.code.value.trim();
                    if (!code) {
                        throw {code: 1108, data: {gateCode: 'wrong_code'}};
                    }
                    await ask('page.confirmEmail', {infoHash: this.infoHash, requestId: this.requestId, code});
                    this.requestId = null;
                    s.code.value = '';
                    this.showCodeForm(false);
                    say(this.message, t('cardUnlockedDone'));
                });
            });
            return s;
        }

        showCodeForm(visible) {
            show(this.email.codeForm, visible);
            show(this.email.codeNote, visible);
        }

        renderEmail(offered, pending) {
            show(this.email.root, offered);
            if (pending?.requestId && !this.requestId) {
                this.requestId = pending.requestId;
                this.showCodeForm(true);
            }
        }

        // ---- pay what you want

        buildPay() {
            const s = {};
            const amountId = nextId('sluice-pay');
            s.intro = el('p', {class: 'note'});
            s.amount = amountInput(amountId);
            s.label = el('span');
            s.submit = el('button', {type: 'submit', class: 'primary', text: t('cardPaySubmit')});
            s.form = el('form', {novalidate: ''}, [el('label', {for: amountId}, [s.label, s.amount]), s.submit]);
            s.message = el('p', {class: 'message', role: 'status', hidden: true});
            s.root = el('section', {hidden: true}, [el('h3', {text: t('cardPayTitle')}), s.intro, s.form,
                el('p', {class: 'note', text: t('cardPayNote')}), s.message]);
            s.focus = () => s.amount;
            s.gate = null;
            s.form.addEventListener('submit', (event) => {
                event.preventDefault();
                run(s.submit, s.message, async () => {
                    const {currency, minimum = 1} = s.gate ?? {};
                    const amount = minorAmount(s.amount.value, currency);
                    if (amount === null || amount < minimum) {
                        throw {code: 1108, data: {gateCode: 'amount_too_low'}};
                    }
                    await ask('page.unlock', {infoHash: this.infoHash, gate: 'pay', amount});
                    say(s.message, t('cardPayCheckoutOpened'));
                });
            });
            return s;
        }

        renderPay(gate) {
            const s = this.pay;
            show(s.root, Boolean(gate?.currency));
            if (!gate?.currency) {
                return;
            }
            const first = s.gate === null;
            s.gate = gate;
            const minimum = gate.minimum ?? 1;
            setText(s.intro, t('cardPayIntro', [money(minimum, gate.currency)]));
            setText(s.label, t('cardAmountLabel', [gate.currency]));
            s.amount.min = majorText(minimum, gate.currency);
            s.amount.step = String(10 ** -currencyDigits(gate.currency));
            if (first) {
                s.amount.value = majorText(gate.suggested ?? minimum, gate.currency);
            }
        }

        // ---- pledge

        buildPledge() {
            const s = {};
            const amountId = nextId('sluice-pledge');
            s.price = el('p');
            s.guarantee = el('p', {class: 'guarantee'});
            s.delivery = el('p', {class: 'note', hidden: true});
            s.missed = el('p', {class: 'note', hidden: true});
            s.bar = el('progress', {hidden: true});
            s.count = el('p', {class: 'campaign-line', hidden: true});
            s.time = el('p', {class: 'campaign-line', hidden: true});
            s.mine = el('p', {class: 'campaign-line', hidden: true});
            s.amount = amountInput(amountId);
            s.label = el('span');
            s.submit = el('button', {type: 'submit', class: 'primary', text: t('cardPledgeSubmit')});
            s.form = el('form', {novalidate: '', hidden: true}, [
                el('label', {for: amountId}, [s.label, s.amount]), s.submit]);
            s.cancel = el('button', {type: 'button', text: t('cardPledgeCancel'), hidden: true});
            s.message = el('p', {class: 'message', role: 'status', hidden: true});
            s.root = el('section', {hidden: true}, [el('h3', {text: t('cardPledgeTitle')}), s.price, s.guarantee,
                s.delivery, s.missed, s.bar, s.count, s.time, s.mine, s.form,
                el('div', {class: 'actions'}, [s.cancel]), s.message]);
            s.focus = () => (s.form.hidden ? s.cancel : s.amount);
            s.gate = null;
            s.form.addEventListener('submit', (event) => {
                event.preventDefault();
                run(s.submit, s.message, async () => {
                    const {currency, price = 1} = s.gate ?? {};
                    const amount = minorAmount(s.amount.value, currency);
                    if (amount === null || amount < price) {
                        throw {code: 1108, data: {gateCode: 'amount_too_low'}};
                    }
                    const result = await ask('page.pledge', {infoHash: this.infoHash, amount});
                    say(s.message, t(result?.status === 'alreadyPledged' ? 'cardPledgeAlready' : 'cardPledgeDone'));
                });
            });
            s.cancel.addEventListener('click', () => run(s.cancel, s.message, async () => {
                await ask('page.cancelPledge', {infoHash: this.infoHash});
                say(s.message, t('cardPledgeCancelDone'));
            }));
            return s;
        }

        renderPledge(gate, campaign) {
            const s = this.pledge;
            show(s.root, Boolean(gate?.currency));
            if (!gate?.currency) {
                return;
            }
            const first = s.gate === null;
            s.gate = gate;
            const currency = gate.currency;
            setText(s.price, t('cardPledgePrice', [money(gate.price ?? 0, currency)]));
            const deadline = date(gate.deadline);
            let guarantee;
            if (gate.goalBackers) {
                guarantee = t('cardPledgeGuaranteeBackers', [String(gate.goalBackers), deadline]);
            } else if (gate.goalAmount) {
                guarantee = t('cardPledgeGuaranteeAmount', [money(gate.goalAmount, currency), deadline]);
            } else {
                guarantee = t('cardPledgeGuaranteeNoGoal', [deadline]);
            }
            setText(s.guarantee, guarantee);
            show(s.delivery, Boolean(gate.expectedDelivery));
            setText(s.delivery, gate.expectedDelivery ? t('cardPledgeDelivery', [date(gate.expectedDelivery)]) : '');
            show(s.missed, Boolean(gate.ifGoalMissed));
            setText(s.missed, gate.ifGoalMissed ? t('cardPledgeIfMissed', [gate.ifGoalMissed]) : '');
            setText(s.label, t('cardAmountLabel', [currency]));
            s.amount.min = majorText(gate.price ?? 1, currency);
            if (first) {
                s.amount.value = majorText(gate.price ?? 1, currency);
            }
            this.renderCampaign(campaign, currency);
        }

        renderCampaign(campaign, currency) {
            const s = this.pledge;
            const open = !campaign || campaign.state === 'open';
            show(s.form, open && !campaign?.pledged);
            show(s.cancel, open && campaign?.pledged === true && campaign.pledgeState === 'active');
            show(s.bar, Boolean(campaign));
            show(s.count, Boolean(campaign));
            show(s.time, Boolean(campaign));
            show(s.mine, Boolean(campaign?.pledgeState));
            if (!campaign) {
                return;
            }
            let value = campaign.backers ?? 0;
            let goal = campaign.goalBackers ?? 0;
            let words;
            if (goal > 0) {
                words = t('cardCampaignBackers', [String(value), String(goal), percent(value, goal)]);
            } else if (campaign.goalAmount > 0) {
                [value, goal] = [campaign.amount ?? 0, campaign.goalAmount];
                words = t('cardCampaignAmount', [money(value, currency), money(goal, currency), percent(value, goal)]);
            } else {
                words = t('cardCampaignBackersNoGoal', [String(value)]);
            }
            setText(s.count, words);
            show(s.bar, goal > 0);
            if (goal > 0) {
                s.bar.max = goal;
                s.bar.value = Math.min(value, goal);
                s.bar.setAttribute('aria-label', words);
            }
            let time;
            if (campaign.state === 'funded') {
                time = t('cardCampaignFunded');
            } else if (campaign.state === 'failed') {
                time = t('cardCampaignFailed');
            } else if (Number.isFinite(campaign.secondsLeft) && campaign.secondsLeft > 0) {
                time = t('cardCampaignTimeLeft', [duration(campaign.secondsLeft)]);
            } else if (Number.isFinite(campaign.secondsLeft)) {
                time = t('cardCampaignClosing');
            } else {
                time = '';
            }
            setText(s.time, time);
            show(s.time, Boolean(time));
            if (campaign.pledgeState) {
                const state = t(PLEDGE_STATE_KEYS[campaign.pledgeState] ?? 'cardPledgeUnknown');
                setText(s.mine, t('cardPledgeYours', [state]));
            }
        }
    }

    // Watching one bundle: page.bundle, then the card port. A background that restarts forgets what this
    // page announced, so a dropped port means announcing again (a few times, further and further apart).
    const MAX_RECONNECTS = 6;

    function watchBundle(markup) {
        const card = new Card();
        card.place();
        card.showHost('connecting');
        let reconnects = 0;
        let lastConnect = 0;

        const retry = () => {
            // A port that lived a minute was a good one: its loss starts the count again.
            if (Date.now() - lastConnect > 60000) {
                reconnects = 0;
            }
            if (reconnects >= MAX_RECONNECTS) {
                return;
            }
            reconnects += 1;
            setTimeout(connect, 1000 * 2 ** reconnects);
        };

        async function connect() {
            lastConnect = Date.now();
            let result;
            try {
                result = await ask('page.bundle', {markup});
            } catch (error) {
                if (error.code === 2008) {
                    // The background refused the markup: the page claims a bundle it does not describe.
                    card.showProblem(t('errorMarkupInvalid'));
                    return;
                }
                if (error.code === 2001) {
                    card.showHost('not-installed');
                } else {
                    card.showProblem(errorWords(error));
                }
                retry();
                return;
            }
            const infoHash = typeof result?.infoHash === 'string' ? result.infoHash : null;
            if (!infoHash) {
                return;
            }
            card.infoHash = infoHash;
            const port = api.runtime.connect({name: 'card'});
            port.onMessage.addListener((message) => {
                if (message?.type !== 'card') {
                    return;
                }
                if (message.card && typeof message.card === 'object') {
                    card.render(message.card);
                } else {
                    card.showHost(message.host?.status);
                }
            });
            port.onDisconnect.addListener(retry);
            port.postMessage({type: 'watch', infoHash});
        }

        connect();
    }

    function findBundle() {
        const scripts = document.querySelectorAll('script[type="application/sluice-bundle+json"]');
        if (scripts.length !== 1) {
            return;
        }
        const text = scripts[0].textContent ?? '';
        if (text.length === 0 || text.length > MAX_MARKUP_CHARS) {
            return;
        }
        watchBundle(text);
    }

    // ---- magnet and .torrent links -------------------------------------------------------------------------

    const POLICY_TTL_MS = 5000;
    let policy = {value: null, at: 0};
    let policyAsked = null;
    // Links whose next click belongs to the page: "Not now" hands the click back.
    const bypass = new WeakSet();
    let prompt = null;

    function linkKind(anchor) {
        const href = anchor.href;
        if (typeof href !== 'string' || href.length === 0 || href.length > MAX_LINK_CHARS) {
            return null;
        }
        if (/^magnet:\?/i.test(href)) {
            return 'magnet';
        }
        try {
            const url = new URL(href);
            if ((url.protocol === 'http:' || url.protocol === 'https:') &&
                url.pathname.toLowerCase().endsWith('.torrent')) {
                return 'torrent';
            }
        } catch {
            return null;
        }
        return null;
    }

    function anchorOf(event) {
        for (const node of event.composedPath()) {
            if (node instanceof window.HTMLAnchorElement && node.hasAttribute('href')) {
                return node;
            }
        }
        return null;
    }

    function cachedPolicy() {
        return policy.value !== null && Date.now() - policy.at < POLICY_TTL_MS ? policy.value : null;
    }

    function fetchPolicy() {
        if (!policyAsked) {
            policyAsked = ask('page.linkPolicy').then((result) => {
                const value = ['ask', 'always', 'never'].includes(result?.handleLinks) ? result.handleLinks : 'ask';
                policy = {value, at: Date.now()};
                return value;
            }, () => 'never').finally(() => {
                policyAsked = null;
            });
        }
        return policyAsked;
    }

    // The page's click, as if we had never been there: its listeners and the browser's default action.
    function handBack(anchor) {
        bypass.add(anchor);
        try {
            anchor.click();
        } finally {
            bypass.delete(anchor);
        }
    }

    async function openWithSluice(anchor) {
        try {
            await ask('page.openLink', {url: anchor.href});
        } catch {
            // Sluice could not take it (host away, too many tabs): the link still does what it did before.
            handBack(anchor);
        }
    }

    function closePrompt(returnFocus) {
        if (!prompt) {
            return;
        }
        const {host, anchor, onOutside} = prompt;
        prompt = null;
        document.removeEventListener('pointerdown', onOutside, true);
        host.remove();
        if (returnFocus && anchor.isConnected) {
            anchor.focus({preventScroll: true});
        }
    }

    function showPrompt(anchor, kind) {
        closePrompt(false);
        const {host, root} = shadowHost(PROMPT_HOST_STYLE, PROMPT_CSS);
        const titleId = nextId('sluice-prompt');
        const open = el('button', {type: 'button', class: 'primary', text: t('cardPromptOpen')});
        const notNow = el('button', {type: 'button', text: t('cardPromptNotNow')});
        const box = el('div', {class: 'box', role: 'dialog', 'aria-labelledby': titleId}, [
            el('p', {class: 'title', id: titleId,
                text: t(kind === 'magnet' ? 'cardPromptMagnet' : 'cardPromptTorrent')}),
            el('p', {class: 'note', text: t('cardPromptNote')}),
            el('div', {class: 'actions'}, [open, notNow]),
        ]);
        root.append(box);

        const rect = anchor.getBoundingClientRect();
        const left = Math.max(8, Math.min(rect.left, document.documentElement.clientWidth - 330));
        host.style.setProperty('left', `${Math.round(left + window.scrollX)}px`, 'important');
        host.style.setProperty('top', `${Math.round(rect.bottom + window.scrollY + 6)}px`, 'important');

        const decline = () => {
            closePrompt(false);
            handBack(anchor);
        };
        const accept = () => {
            closePrompt(true);
            openWithSluice(anchor);
        };
        open.addEventListener('click', accept);
        notNow.addEventListener('click', decline);
        // Enter and Space are answered here, not left to the buttons' own activation: Firefox activates a
        // focused button from the keyboard only while it is the focus manager's focused element, that is while
        // its window holds the focus, and otherwise drops both keys although they reach the button (Chromium
        // has no such condition). The keydown's default is prevented, so no browser activates it a second time.
        const actions = new Map([[open, accept], [notNow, decline]]);
        let spacePressed = null;
        box.addEventListener('keydown', (event) => {
            const action = event.isTrusted ? actions.get(event.target) : undefined;
            if (event.key === 'Escape') {
                event.preventDefault();
                decline();
            } else if (event.key === 'Tab') {
                // Two buttons, and focus stays between them until one is chosen.
                event.preventDefault();
                const next = root.activeElement === open ? notNow : open;
                next.focus();
            } else if (action && event.key === 'Enter') {
                event.preventDefault();
                if (!event.repeat) {
                    action();
                }
            } else if (action && event.key === ' ') {
                // As a button does: Space acts when it is released, on the button it was pressed on.
                event.preventDefault();
                spacePressed = event.target;
            }
        });
        box.addEventListener('keyup', (event) => {
            if (event.key === ' ' && event.isTrusted && event.target === spacePressed) {
                event.preventDefault();
                spacePressed = null;
                actions.get(event.target)();
            }
        });
        // A click elsewhere puts the question away without answering it.
        const onOutside = (event) => {
            if (!event.composedPath().includes(host)) {
                closePrompt(false);
            }
        };
        document.addEventListener('pointerdown', onOutside, true);
        prompt = {host, anchor, onOutside};
        (document.body ?? document.documentElement).append(host);
        open.focus();
    }

    function act(value, anchor, kind, deferred) {
        if (value === 'always') {
            openWithSluice(anchor);
        } else if (value === 'ask') {
            showPrompt(anchor, kind);
        } else if (deferred) {
            handBack(anchor);
        }
    }

    function onClick(event) {
        // Only a person's plain left click (or Enter): a page script's click() is the page's business.
        if (!event.isTrusted || event.button !== 0 || event.ctrlKey || event.shiftKey || event.altKey ||
            event.metaKey || event.defaultPrevented) {
            return;
        }
        const anchor = anchorOf(event);
        if (!anchor || bypass.has(anchor)) {
            return;
        }
        const kind = linkKind(anchor);
        if (!kind) {
            return;
        }
        const known = cachedPolicy();
        if (known === 'never') {
            return;
        }
        event.preventDefault();
        event.stopPropagation();
        if (known) {
            act(known, anchor, kind, false);
        } else {
            // The click cannot wait for the answer: it is held, and handed back if Sluice should not take it.
            fetchPolicy().then((value) => act(value, anchor, kind, true));
        }
    }

    // Pressing on a link comes before its click: the policy is asked then, so the click knows it at once.
    function onPointerDown(event) {
        if (!event.isTrusted || event.button !== 0 || cachedPolicy() !== null) {
            return;
        }
        const anchor = anchorOf(event);
        if (anchor && linkKind(anchor)) {
            fetchPolicy();
        }
    }

    window.addEventListener('click', onClick, true);
    window.addEventListener('pointerdown', onPointerDown, true);
    if (TOP_FRAME) {
        findBundle();
    }
})();
