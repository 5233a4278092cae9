// A bundle in the viewer: its items (not the files that carry them: the manifest, its signature and the
// locked format's .locked names are the host's business), each with Play, Unlock and Export as on the
// bundle's card, and the gates' forms. What is shown is the card's model (common/card.js), so the viewer
// and a page's card offer the same things; only the file indexes, which a page never gets, come from the
// state's bundle entry.
import {
    t, uiLocale, ask, describeGateError, el, setText, show, say, runBusy, renderKeyed, words, updateTierChoice,
} from '../common/ui.js';
import {buildCard, itemUnlockable, gatesShown, pledgeView} from '../common/card.js';
import {
    formatBytes, formatDate, formatMoney, formatDuration, formatGoalPercent, campaignProgress, itemLockKey,
} from '../common/format.js';
import {fileFraction, fileWantable} from '../common/file_state.js';
import {majorText, minorAmount, gateRefusal} from '../common/gates.js';
import {$, progressWords} from './parts.js';

const bundle = {
    infoHash: null,
    // play(fileIndex, title, mediaType) and refreshFiles(), from the page.
    play: null,
    refreshFiles: null,
    card: null,
    // Manifest path → the state's item (fileIndex, subtitles).
    raw: new Map(),
    files: new Map(),
    rows: new Map(),
    requestId: null,
    payGate: null,
    pledgeGate: null,
    pledgeCampaign: null,
    // The tier picked (kept across the state's updates), the one the amount was last set for, and its price.
    chosenTier: null,
    pledgeTier: undefined,
    pledgeMinimum: 1,
    tierViews: new Map(),
};

function money(minor, currency) {
    try {
        return formatMoney(minor, currency, uiLocale);
    } catch {
        return `${minor} ${currency}`;
    }
}

// The item's own file and its subtitles', as torrent.download wants them one by one.
function itemFileIndexes(raw) {
    return [raw?.fileIndex, ...(raw?.subtitles ?? []).map((s) => s.fileIndex)].filter(Number.isInteger);
}

async function wantItem(raw) {
    const wanted = itemFileIndexes(raw).filter((index) => {
        const file = bundle.files.get(index);
        return !file || fileWantable(file);
    });
    await Promise.all(wanted.map((fileIndex) => ask('torrent.download', {infoHash: bundle.infoHash, fileIndex})));
    return wanted.length > 0;
}

// ---- items -----------------------------------------------------------------------------------------------

function buildItem() {
    const row = {
        title: el('span', {class: 'item-title'}),
        lock: el('span', {class: 'badge'}),
        meta: el('span', {class: 'meta'}),
        bar: el('progress', {max: '1', value: 0}),
        percent: el('span', {class: 'percent'}),
        play: el('button', {type: 'button', class: 'primary', text: t('viewerPlay')}),
        unlock: el('button', {type: 'button', text: t('cardUnlock')}),
        download: el('button', {type: 'button', text: t('viewerDownload')}),
        export: el('button', {type: 'button', text: t('popupExport')}),
        message: el('p', {class: 'message', role: 'status', hidden: true}),
        item: null,
    };
    row.progress = el('div', {class: 'item-progress'}, [row.bar, row.percent]);
    row.li = el('li', {class: 'item'}, [
        el('div', {class: 'item-line'}, [row.title, row.lock, row.meta]),
        row.progress,
        el('div', {class: 'actions'}, [row.play, row.unlock, row.download, row.export]),
        row.message,
    ]);
    row.play.addEventListener('click', () => runBusy(row.play, row.message, async () => {
        const raw = bundle.raw.get(row.item.path);
        // A bundle a page's card brought in has its items skipped until one is played.
        if (await wantItem(raw)) {
            bundle.refreshFiles();
        }
        bundle.play(raw.fileIndex, row.item.title, row.item.mediaType);
    }, describeGateError));
    row.unlock.addEventListener('click', () => openGate(row.item.gate));
    row.download.addEventListener('click', () => runBusy(row.download, row.message, async () => {
        await wantItem(bundle.raw.get(row.item.path));
        say(row.message, t('viewerDownloadStarted', [row.item.title]));
        bundle.refreshFiles();
    }, describeGateError));
    row.export.addEventListener('click', () => runBusy(row.export, row.message, async () => {
        const result = await ask('bundle.export', {infoHash: bundle.infoHash, path: row.item.path});
        say(row.message, t('popupExported', [result.destination]));
    }, describeGateError));
    return row;
}

function updateItem(row, item) {
    row.item = item;
    const raw = bundle.raw.get(item.path);
    setText(row.title, item.title || item.path);
    const lockKey = itemLockKey(item);
    setText(row.lock, t(lockKey));
    row.lock.dataset.lock = lockKey;
    const labels = (raw?.subtitles ?? []).map((s) => String(s.label ?? s.lang ?? '')).filter(Boolean);
    setText(row.meta, labels.length > 0
        ? `${formatBytes(item.size, uiLocale)} · ${t('viewerItemSubtitles', [labels.join(', ')])}`
        : formatBytes(item.size, uiLocale));
    const file = bundle.files.get(raw?.fileIndex);
    show(row.progress, Boolean(file));
    if (file) {
        row.bar.value = fileFraction(file);
        setText(row.percent, progressWords(file));
        row.bar.setAttribute('aria-label', t('viewerProgressOf', [row.title.textContent]));
    }
    const open = item.access !== 'locked' || item.unlocked;
    show(row.play, item.playable && Number.isInteger(raw?.fileIndex));
    show(row.unlock, itemUnlockable(item, bundle.card?.gates));
    show(row.download, open && Boolean(file) && fileWantable(file));
    show(row.export, open);
    const name = row.title.textContent;
    row.play.setAttribute('aria-label', t('viewerPlayFile', [name]));
    row.unlock.setAttribute('aria-label', t('cardUnlockItem', [name]));
    row.download.setAttribute('aria-label', t('viewerDownloadFile', [name]));
    row.export.setAttribute('aria-label', t('viewerExportItem', [name]));
}

function renderItems(items) {
    renderKeyed($('items'), bundle.rows, items,
        {key: (item) => item.path, build: buildItem, update: updateItem, node: (row) => row.li});
    show($('bundle-items-block'), items.length > 0);
}

function openGate(gate) {
    const section = {email: $('gate-email'), pay: $('gate-pay'), pledge: $('gate-pledge')}[gate];
    if (!section || section.hidden) {
        return;
    }
    section.scrollIntoView({block: 'nearest'});
    const target = {
        email: () => ($('code-form').hidden ? $('email-address') : $('email-code')),
        pay: () => $('pay-amount'),
        pledge: () => {
            if (!$('pledge-form').hidden) {
                return $('pledge-amount');
            }
            return $('pledge-payment').hidden ? $('pledge-cancel') : $('pledge-payment');
        },
    }[gate]();
    target.focus();
}

// ---- gates -----------------------------------------------------------------------------------------------

function showCodeForm(visible) {
    show($('code-form'), visible);
    show($('email-code-note'), visible);
}

function setupEmail() {
    $('email-form').addEventListener('submit', (event) => {
        event.preventDefault();
        runBusy($('email-send'), $('email-message'), async () => {
            const email = $('email-address').value.trim();
            if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
                throw gateRefusal('invalid_email');
            }
            const result = await ask('bundle.unlock', {infoHash: bundle.infoHash, gate: 'email', email});
            if (result?.status === 'confirmationSent') {
                bundle.requestId = String(result.requestId);
                showCodeForm(true);
                $('email-code').focus();
            } else {
                say($('email-message'), t('cardUnlockedDone'));
            }
        }, describeGateError);
    });
    $('code-form').addEventListener('submit', (event) => {
        event.preventDefault();
        runBusy($('code-confirm'), $('email-message'), async () => {
            const code = $('email-code').value.trim();
            if (!code || !bundle.requestId) {
                throw gateRefusal('wrong_code');
            }
            await ask('bundle.confirmEmail', {infoHash: bundle.infoHash, requestId: bundle.requestId, code});
            bundle.requestId = null;
            $('email-code').value = '';
            showCodeForm(false);
            say($('email-message'), t('cardUnlockedDone'));
        }, describeGateError);
    });
}

// The amount typed in `input`, in the currency's minor units; refused as a gate would when below `least`.
function typedAmount(input, currency, least) {
    const amount = minorAmount(input.value, currency);
    if (amount === null || amount < least) {
        throw gateRefusal('amount_too_low');
    }
    return amount;
}

function setupPay() {
    $('pay-form').addEventListener('submit', (event) => {
        event.preventDefault();
        runBusy($('pay-submit'), $('pay-message'), async () => {
            const {currency, minimum = 1} = bundle.payGate ?? {};
            const amount = typedAmount($('pay-amount'), currency, minimum);
            await ask('bundle.unlock', {infoHash: bundle.infoHash, gate: 'pay', amount});
            say($('pay-message'), t('cardPayCheckoutOpened'));
        }, describeGateError);
    });
}

function renderPay(gate) {
    const first = bundle.payGate === null;
    bundle.payGate = gate;
    const minimum = gate.minimum ?? 1;
    setText($('pay-intro'), t('cardPayIntro', [money(minimum, gate.currency)]));
    setText($('pay-label'), t('cardAmountLabel', [gate.currency]));
    $('pay-amount').min = majorText(minimum, gate.currency);
    $('pay-amount').step = majorText(1, gate.currency);
    if (first) {
        $('pay-amount').value = majorText(gate.suggested ?? minimum, gate.currency);
    }
}

function setupPledge() {
    $('pledge-form').addEventListener('submit', (event) => {
        event.preventDefault();
        runBusy($('pledge-submit'), $('pledge-message'), async () => {
            const amount = typedAmount($('pledge-amount'), bundle.pledgeGate?.currency, bundle.pledgeMinimum);
            const params = {infoHash: bundle.infoHash, amount};
            if (bundle.pledgeTier) {
                params.tier = bundle.pledgeTier;
            }
            // The background opens the provider's page, where the card is saved, in a new tab.
            const result = await ask('bundle.pledge', params);
            let done = 'cardPledgeAlready';
            if (result?.status === 'pledged') {
                done = 'cardPledgeDone';
            } else if (result?.state === 'pending') {
                done = 'cardPledgeSaveCardOpened';
            }
            say($('pledge-message'), t(done));
        }, describeGateError);
    });
    $('pledge-payment').addEventListener('click', () => runBusy($('pledge-payment'), $('pledge-message'), async () => {
        await ask('bundle.updatePledgePayment', {infoHash: bundle.infoHash});
        say($('pledge-message'), t('cardPledgeSaveCardOpened'));
    }, describeGateError));
    $('pledge-cancel').addEventListener('click', () => runBusy($('pledge-cancel'), $('pledge-message'), async () => {
        await ask('bundle.cancelPledge', {infoHash: bundle.infoHash});
        say($('pledge-message'), t('cardPledgeCancelDone'));
    }, describeGateError));
}

// The tiers as radio choices, as a page's card shows them.
function renderTiers(view) {
    show($('pledge-tiers'), view.choose);
    renderKeyed($('pledge-tier-list'), bundle.tierViews, view.choose ? view.tiers : [], {
        key: (choice) => choice.id,
        build: (choice) => {
            const v = {
                radio: el('input', {type: 'radio', name: 'pledge-tier', value: choice.id}),
                title: el('span', {class: 'tier-title'}),
                price: el('span', {class: 'tier-price'}),
                left: el('span', {class: 'note'}),
                description: el('p', {class: 'note tier-description'}),
            };
            v.root = el('div', {class: 'tier'}, [el('label', {class: 'tier-head'}, [v.radio, v.title, v.price, v.left]),
                v.description]);
            v.radio.addEventListener('change', () => {
                bundle.chosenTier = choice.id;
                renderPledge(bundle.pledgeGate, bundle.pledgeCampaign);
            });
            return v;
        },
        update: updateTierChoice,
        node: (v) => v.root,
    });
}

function renderPledge(gate, campaign) {
    bundle.pledgeGate = gate;
    bundle.pledgeCampaign = campaign;
    const currency = gate.currency;
    const view = pledgeView(gate, campaign,
        {money, date: (text) => formatDate(text, uiLocale), chosen: bundle.chosenTier});
    setText($('pledge-price'), words(view.price));
    setText($('pledge-goal'), words(view.goal));
    setText($('pledge-guarantee'), words(view.charge));
    show($('pledge-delivery'), Boolean(view.delivery));
    setText($('pledge-delivery'), words(view.delivery));
    show($('pledge-missed'), Boolean(view.missed));
    setText($('pledge-missed'), words(view.missed));
    setText($('pledge-label'), t('cardAmountLabel', [currency]));
    bundle.pledgeMinimum = Math.max(1, view.minimum);
    $('pledge-amount').min = majorText(bundle.pledgeMinimum, currency);
    // The amount starts at the price of the tier chosen, and again when another is: the backer may raise it.
    if (view.tier !== bundle.pledgeTier) {
        bundle.pledgeTier = view.tier;
        $('pledge-amount').value = majorText(bundle.pledgeMinimum, currency);
    }
    bundle.chosenTier = view.tier ?? bundle.chosenTier;
    renderTiers(view);
    show($('pledge-your-tier'), Boolean(view.yourTier));
    setText($('pledge-your-tier'), words(view.yourTier));
    show($('pledge-all-sold-out'), Boolean(view.allSoldOut));
    setText($('pledge-all-sold-out'), words(view.allSoldOut));

    show($('pledge-form'), view.form);
    show($('pledge-form-note'), view.form);
    show($('pledge-cancel'), view.cancel);
    show($('pledge-payment'), Boolean(view.payment));
    setText($('pledge-payment'), view.payment ? t(view.payment) : '');
    show($('pledge-decline'), Boolean(view.decline));
    setText($('pledge-decline'), (view.decline ?? []).map(words).join(' '));
    const progress = campaignProgress(campaign);
    show($('pledge-bar'), Boolean(progress));
    show($('pledge-count'), Boolean(campaign));
    if (campaign) {
        const percent = formatGoalPercent(progress?.percent ?? 0, uiLocale);
        let count;
        if (progress?.kind === 'backers') {
            count = t('cardCampaignBackers', [String(progress.value), String(progress.goal), percent]);
        } else if (progress) {
            count = t('cardCampaignAmount', [money(progress.value, currency), money(progress.goal, currency), percent]);
        } else {
            count = t('cardCampaignBackersNoGoal', [String(campaign.backers ?? 0)]);
        }
        setText($('pledge-count'), count);
        if (progress) {
            $('pledge-bar').max = progress.goal;
            $('pledge-bar').value = progress.barValue;
            $('pledge-bar').setAttribute('aria-label', count);
        }
    }
    let time = '';
    if (campaign?.state === 'funded') {
        time = t('cardCampaignFunded');
    } else if (campaign?.state === 'failed') {
        time = t('cardCampaignFailed');
    } else if (Number.isFinite(campaign?.secondsLeft)) {
        time = campaign.secondsLeft > 0
            ? t('cardCampaignTimeLeft', [formatDuration(campaign.secondsLeft, uiLocale)]) : t('cardCampaignClosing');
    }
    setText($('pledge-time'), time);
    show($('pledge-time'), Boolean(time));
    show($('pledge-mine'), Boolean(view.state));
    setText($('pledge-mine'), words(view.state));
}

// ---- the page's side -------------------------------------------------------------------------------------

export function setupBundle({infoHash, play, refreshFiles}) {
    bundle.infoHash = infoHash;
    bundle.play = play;
    bundle.refreshFiles = refreshFiles;
    setupEmail();
    setupPay();
    setupPledge();
}

export function setBundleInfoHash(infoHash) {
    bundle.infoHash = infoHash;
}

// torrent.files' latest answer, for the items' bars.
export function setBundleFiles(files) {
    bundle.files = new Map(files.map((f) => [f.index, f]));
    if (bundle.card) {
        renderItems(bundle.card.items);
    }
}

// The bundle's status as the card names it: 'fetching', 'verified' or 'refused'. The page shows its file
// list instead of items unless verified.
export function renderBundle(torrent) {
    const card = buildCard({infoHash: torrent.infoHash, torrent});
    bundle.card = card;
    bundle.raw = new Map((torrent.bundle?.items ?? []).map((i) => [String(i.path), i]));
    show($('bundle'), true);
    const verified = card.status === 'verified';
    show($('bundle-status'), !verified);
    if (!verified) {
        $('bundle-status').classList.toggle('is-error', card.status === 'refused');
        setText($('bundle-status'), t(card.status === 'refused' ? 'viewerBundleRefused' : 'viewerBundleChecking'));
    }
    show($('bundle-creator'), verified && Boolean(card.creator));
    setText($('bundle-creator'), verified && card.creator ? t('cardBy', [card.creator]) : '');
    show($('bundle-description'), verified && Boolean(card.description));
    setText($('bundle-description'), verified ? card.description : '');
    renderItems(verified ? card.items : []);
    const shown = verified ? gatesShown(card) : {};
    show($('gate-email'), Boolean(shown.email));
    show($('gate-pay'), Boolean(shown.pay));
    show($('gate-pledge'), Boolean(shown.pledge));
    if (shown.pay) {
        renderPay(card.gates.pay);
    }
    if (shown.pledge) {
        renderPledge(card.gates.pledge, card.campaign ?? null);
    }
    return card;
}
