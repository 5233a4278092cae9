// A bundle's card in its page: what the background's card model says (common/card.js: title, items, gates,
// campaign), with Play, Unlock and the gates' forms, drawn in a closed shadow root after the page's first heading.
// It shows what it is given and sends intents; watching the bundle is content/bundle_page.js's job.
(() => {
    'use strict';

    const {webext} = globalThis.sluiceWebext;
    const {
        t, uiLocale, IntentError, describeGateError, el, setText, show, say, runBusy, renderKeyed, words,
        updateTierChoice,
    } = globalThis.sluiceUi;
    const {formatBytes, formatMoney, formatDate, formatDuration, formatGoalPercent, campaignProgress} =
        globalThis.sluiceFormat;
    const {currencyDigits, minorAmount, majorText, gateRefusal} = globalThis.sluiceGates;
    const {itemUnlockable, gatesShown, pledgeView} = globalThis.sluiceCard;
    const {BASE_CSS, shadowHost, nextId} = globalThis.sluiceShadow;
    const {ask} = globalThis.sluiceMessaging;

    const HOST_STYLE = 'all: initial !important; display: block !important; position: static !important; ' +
        'visibility: visible !important; opacity: 1 !important; margin: 16px 0 !important; ' +
        'max-width: 720px !important;';

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
.updates { margin-top: 10px; }
h4 { font-size: 14px; margin: 0 0 4px; }
/* Twenty long updates would bury the page: the list scrolls instead. */
.updates ol { list-style: none; margin: 0; padding: 0; max-height: 24em; overflow: auto; }
.update-head { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; margin: 0; }
.update-title { font-weight: 600; overflow-wrap: anywhere; }
.update-date { font-size: 13px; color: var(--muted); }
.update-text { margin: 2px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
fieldset { border: 0; margin: 8px 0 0; padding: 0; min-width: 0; }
legend { font-size: 13px; font-weight: 600; padding: 0; }
.tier { border-top: 1px solid var(--line); padding: 6px 0; }
.tier-head { flex-direction: row; align-items: baseline; gap: 8px; flex-wrap: wrap; font-size: 14px; }
.tier-title { font-weight: 600; overflow-wrap: anywhere; }
.tier.is-sold-out .tier-title, .tier.is-sold-out .tier-price { color: var(--muted); }
.tier-description { margin: 2px 0 0 24px; font-size: 13px; white-space: pre-line; overflow-wrap: anywhere; }
`;


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
    const LOCK_KEYS = {email: 'cardLockEmail', pay: 'cardLockPay', pledge: 'cardLockPledge'};

    function money(minor, currency) {
        return formatMoney(minor, currency, uiLocale);
    }

    function amountInput(id) {
        return el('input', {id, type: 'number', inputmode: 'decimal', required: true, autocomplete: 'off'});
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

        // After the page's first heading, or at the top of its body.
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
            const shown = verified ? gatesShown(card) : {};
            this.renderEmail(Boolean(shown.email), card.pending);
            this.renderPay(shown.pay ? card.gates.pay : null);
            this.renderPledge(shown.pledge ? card.gates.pledge : null, card.campaign ?? null);
        }

        // ---- items

        renderItems(items) {
            renderKeyed(this.list, this.items, items, {
                key: (item) => item.path,
                build: (item) => this.buildItem(item),
                update: (row, item) => this.updateItem(row, item),
                node: (row) => row.li,
            });
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
            row.play.addEventListener('click', () => runBusy(row.play, row.message, () => this.play(row),
                describeGateError));
            row.unlock.addEventListener('click', () => this.openGate(row.item.gate));
            return row;
        }

        updateItem(row, item) {
            row.item = item;
            setText(row.title, item.title || item.path);
            const lock = item.access !== 'locked' ? t('cardFree')
                : item.unlocked ? t('cardUnlocked') : t(LOCK_KEYS[item.gate] ?? 'cardLocked');
            setText(row.meta, `${formatBytes(item.size, uiLocale)} · ${lock}`);
            show(row.play, item.playable === true);
            row.play.setAttribute('aria-label', t('cardPlayItem', [row.title.textContent]));
            show(row.unlock, itemUnlockable(item, this.card?.gates));
            row.unlock.setAttribute('aria-label', t('cardUnlockItem', [row.title.textContent]));
        }

        async play(row) {
            const result = await ask('page.play', {infoHash: this.infoHash, path: row.item.path});
            // Only our own player page is ever framed, whatever the answer says.
            const base = webext.runtime.getURL('player/player.html?');
            if (typeof result?.frame !== 'string' || !result.frame.startsWith(base)) {
                throw new IntentError();
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
            s.address = el('input', {id: addressId, type: 'email', required: true, autocomplete: 'email',
                maxlength: '254', spellcheck: false});
            s.send = el('button', {type: 'submit', class: 'primary', text: t('cardEmailSend')});
            s.askForm = el('form', {novalidate: ''}, [
                el('label', {for: addressId}, [t('cardEmailLabel'), s.address]), s.send]);
            s.code = el('input', {id: codeId, type: 'text', required: true, autocomplete: 'one-time-code',
                inputmode: 'numeric', maxlength: '32', spellcheck: false});
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
                runBusy(s.send, s.message, async () => {
                    const email = s.address.value.trim();
                    if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
                        throw gateRefusal('invalid_email');
                    }
                    const result = await ask('page.unlock', {infoHash: this.infoHash, gate: 'email', email});
                    if (result?.status === 'confirmationSent') {
                        this.requestId = String(result.requestId);
                        this.showCodeForm(true);
                        s.code.focus();
                    } else {
                        say(this.message, t('cardUnlockedDone'));
                    }
                }, describeGateError);
            });
            s.codeForm.addEventListener('submit', (event) => {
                event.preventDefault();
                runBusy(s.confirm, s.message, async () => {
                    const code = s.code.value.trim();
                    if (!code) {
                        throw gateRefusal('wrong_code');
                    }
                    await ask('page.confirmEmail', {infoHash: this.infoHash, requestId: this.requestId, code});
                    this.requestId = null;
                    s.code.value = '';
                    this.showCodeForm(false);
                    say(this.message, t('cardUnlockedDone'));
                }, describeGateError);
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
                runBusy(s.submit, s.message, async () => {
                    const {currency, minimum = 1} = s.gate ?? {};
                    const amount = minorAmount(s.amount.value, currency);
                    if (amount === null || amount < minimum) {
                        throw gateRefusal('amount_too_low');
                    }
                    await ask('page.unlock', {infoHash: this.infoHash, gate: 'pay', amount});
                    say(s.message, t('cardPayCheckoutOpened'));
                }, describeGateError);
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
            s.goal = el('p');
            s.guarantee = el('p', {class: 'guarantee'});
            s.delivery = el('p', {class: 'note', hidden: true});
            s.missed = el('p', {class: 'note', hidden: true});
            s.bar = el('progress', {hidden: true});
            s.count = el('p', {class: 'campaign-line', hidden: true});
            s.time = el('p', {class: 'campaign-line', hidden: true});
            s.mine = el('p', {class: 'campaign-line', hidden: true});
            s.decline = el('p', {class: 'note', hidden: true});
            s.yourTier = el('p', {class: 'campaign-line', hidden: true});
            s.tierName = nextId('sluice-tier');
            s.tierList = el('div');
            s.tierViews = new Map();
            s.tiers = el('fieldset', {hidden: true}, [el('legend', {text: t('cardPledgeTiers')}), s.tierList]);
            s.allSoldOut = el('p', {class: 'note', hidden: true});
            s.amount = amountInput(amountId);
            s.label = el('span');
            s.submit = el('button', {type: 'submit', class: 'primary', text: t('cardPledgeSubmit')});
            s.form = el('form', {novalidate: '', hidden: true}, [
                el('label', {for: amountId}, [s.label, s.amount]), s.submit]);
            s.formNote = el('p', {class: 'note', text: t('cardPledgeCheckoutNote'), hidden: true});
            s.payment = el('button', {type: 'button', class: 'primary', hidden: true});
            s.cancel = el('button', {type: 'button', text: t('cardPledgeCancel'), hidden: true});
            s.message = el('p', {class: 'message', role: 'status', hidden: true});
            s.updateList = el('ol');
            s.updateViews = new Map();
            s.updates = el('div', {class: 'updates', hidden: true},
                [el('h4', {text: t('cardUpdatesTitle')}), s.updateList]);
            s.root = el('section', {hidden: true}, [el('h3', {text: t('cardPledgeTitle')}), s.price, s.goal,
                s.guarantee, s.delivery, s.missed, s.bar, s.count, s.time, s.mine, s.yourTier, s.decline, s.tiers,
                s.allSoldOut, s.form, s.formNote, el('div', {class: 'actions'}, [s.payment, s.cancel]), s.message,
                s.updates]);
            s.focus = () => {
                if (!s.form.hidden) {
                    return s.amount;
                }
                return s.payment.hidden ? s.cancel : s.payment;
            };
            s.gate = null;
            s.campaign = null;
            // The tier picked (kept across the state's updates) and the one the amount was last set for.
            s.chosen = null;
            s.tier = undefined;
            s.minimum = 1;
            s.form.addEventListener('submit', (event) => {
                event.preventDefault();
                runBusy(s.submit, s.message, async () => {
                    const amount = minorAmount(s.amount.value, s.gate?.currency);
                    if (amount === null || amount < s.minimum) {
                        throw gateRefusal('amount_too_low');
                    }
                    const params = {infoHash: this.infoHash, amount};
                    if (s.tier) {
                        params.tier = s.tier;
                    }
                    // The background opens the provider's page, where the card is saved, in a new tab.
                    const result = await ask('page.pledge', params);
                    let done = 'cardPledgeAlready';
                    if (result?.status === 'pledged') {
                        done = 'cardPledgeDone';
                    } else if (result?.state === 'pending') {
                        done = 'cardPledgeSaveCardOpened';
                    }
                    say(s.message, t(done));
                }, describeGateError);
            });
            s.payment.addEventListener('click', () => runBusy(s.payment, s.message, async () => {
                await ask('page.updatePledgePayment', {infoHash: this.infoHash});
                say(s.message, t('cardPledgeSaveCardOpened'));
            }, describeGateError));
            s.cancel.addEventListener('click', () => runBusy(s.cancel, s.message, async () => {
                await ask('page.cancelPledge', {infoHash: this.infoHash});
                say(s.message, t('cardPledgeCancelDone'));
            }, describeGateError));
            return s;
        }

        renderPledge(gate, campaign) {
            const s = this.pledge;
            show(s.root, Boolean(gate?.currency));
            if (!gate?.currency) {
                return;
            }
            s.gate = gate;
            s.campaign = campaign;
            const currency = gate.currency;
            const view = pledgeView(gate, campaign,
                {money, date: (text) => formatDate(text, uiLocale), chosen: s.chosen});
            setText(s.price, words(view.price));
            setText(s.goal, words(view.goal));
            setText(s.guarantee, words(view.charge));
            show(s.delivery, Boolean(view.delivery));
            setText(s.delivery, words(view.delivery));
            show(s.missed, Boolean(view.missed));
            setText(s.missed, words(view.missed));
            setText(s.label, t('cardAmountLabel', [currency]));
            s.minimum = Math.max(1, view.minimum);
            s.amount.min = majorText(s.minimum, currency);
            // The amount starts at the price of the tier chosen, and again when another is: the backer may raise it.
            if (view.tier !== s.tier) {
                s.tier = view.tier;
                s.amount.value = majorText(s.minimum, currency);
            }
            s.chosen = view.tier ?? s.chosen;
            this.renderTiers(view);
            show(s.yourTier, Boolean(view.yourTier));
            setText(s.yourTier, words(view.yourTier));
            show(s.allSoldOut, Boolean(view.allSoldOut));
            setText(s.allSoldOut, words(view.allSoldOut));
            show(s.form, view.form);
            show(s.formNote, view.form);
            show(s.cancel, view.cancel);
            show(s.payment, Boolean(view.payment));
            setText(s.payment, view.payment ? t(view.payment) : '');
            show(s.mine, Boolean(view.state));
            setText(s.mine, words(view.state));
            show(s.decline, Boolean(view.decline));
            setText(s.decline, (view.decline ?? []).map(words).join(' '));
            this.renderCampaign(campaign, currency);
            this.renderUpdates(campaign?.updates ?? []);
        }

        // The tiers as radio choices: title, price, the places left or "sold out" (not to be picked), and what
        // the creator says of it, drawn as text.
        renderTiers(view) {
            const s = this.pledge;
            show(s.tiers, view.choose);
            renderKeyed(s.tierList, s.tierViews, view.choose ? view.tiers : [], {
                key: (choice) => choice.id,
                build: (choice) => {
                    const radioId = nextId('sluice-tier-choice');
                    const descriptionId = nextId('sluice-tier-description');
                    const v = {
                        radio: el('input', {type: 'radio', id: radioId, name: s.tierName, value: choice.id,
                            'aria-describedby': descriptionId}),
                        title: el('span', {class: 'tier-title'}),
                        price: el('span', {class: 'tier-price'}),
                        left: el('span', {class: 'meta'}),
                        description: el('p', {class: 'tier-description', id: descriptionId}),
                    };
                    v.root = el('div', {class: 'tier'}, [
                        el('label', {class: 'tier-head', for: radioId}, [v.radio, v.title, v.price, v.left]),
                        v.description]);
                    v.radio.addEventListener('change', () => this.chooseTier(choice.id));
                    return v;
                },
                update: updateTierChoice,
                node: (v) => v.root,
            });
        }

        chooseTier(id) {
            const s = this.pledge;
            s.chosen = id;
            this.renderPledge(s.gate, s.campaign);
        }

        renderCampaign(campaign, currency) {
            const s = this.pledge;
            const progress = campaignProgress(campaign);
            show(s.bar, Boolean(progress));
            show(s.count, Boolean(campaign));
            show(s.time, Boolean(campaign));
            if (!campaign) {
                return;
            }
            const percent = progress ? formatGoalPercent(progress.percent, uiLocale) : '';
            let line;
            if (progress?.kind === 'backers') {
                line = t('cardCampaignBackers', [String(progress.value), String(progress.goal), percent]);
            } else if (progress) {
                line = t('cardCampaignAmount',
                    [money(progress.value, currency), money(progress.goal, currency), percent]);
            } else {
                line = t('cardCampaignBackersNoGoal', [String(campaign.backers ?? 0)]);
            }
            setText(s.count, line);
            if (progress) {
                s.bar.max = progress.goal;
                s.bar.value = progress.barValue;
                s.bar.setAttribute('aria-label', line);
            }
            let time;
            if (campaign.state === 'funded') {
                time = t('cardCampaignFunded');
            } else if (campaign.state === 'failed') {
                time = t('cardCampaignFailed');
            } else if (Number.isFinite(campaign.secondsLeft) && campaign.secondsLeft > 0) {
                time = t('cardCampaignTimeLeft', [formatDuration(campaign.secondsLeft, uiLocale)]);
            } else if (Number.isFinite(campaign.secondsLeft)) {
                time = t('cardCampaignClosing');
            } else {
                time = '';
            }
            setText(s.time, time);
            show(s.time, Boolean(time));
        }

        // ---- what the creator told the backers, newest first

        renderUpdates(updates) {
            const s = this.pledge;
            renderKeyed(s.updateList, s.updateViews, [...updates].reverse(), {
                key: (update) => update.id,
                build: () => {
                    const view = {
                        title: el('span', {class: 'update-title'}),
                        date: el('time', {class: 'update-date'}),
                        text: el('p', {class: 'update-text'}),
                    };
                    view.li = el('li', {}, [el('p', {class: 'update-head'}, [view.title, view.date]), view.text]);
                    return view;
                },
                // The creator's words are text, whatever they look like: never parsed as markup.
                update: (view, update) => {
                    setText(view.title, update.title);
                    setText(view.date, formatDate(update.postedAt, uiLocale));
                    view.date.setAttribute('datetime', update.postedAt);
                    setText(view.text, update.text);
                },
                node: (view) => view.li,
            });
            show(s.updates, updates.length > 0);
        }
    }

    globalThis.sluiceBundleCard = Object.freeze({Card});
})();
