// The toolbar popup: the background's state, drawn live. Each torrent's nodes are made once and updated in
// place (keyed by infoHash, bundle items by path), so focus, an open "remove?" question and typed text
// survive the several state messages a second.
import {webext} from '../common/webext.js';
import {t, uiLocale, localize, ask, el, setText, show, say, runBusy as run, renderKeyed} from '../common/ui.js';
import * as fmt from '../common/format.js';

const $ = (id) => document.getElementById(id);

function openPage(path) {
    webext.tabs.create({url: webext.runtime.getURL(path)});
    window.close();
}

// ---- host banner ---------------------------------------------------------------------------------------

let retryAt = null;
let retryTimer = null;

function stopCountdown() {
    retryAt = null;
    clearTimeout(retryTimer);
    retryTimer = null;
}

function renderRetryCountdown() {
    const left = retryAt === null ? null : Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
    const node = $('banner-countdown');
    if (left === null) {
        show(node, false);
        return;
    }
    setText(node, left > 0 ? t('popupHostRetryIn', [fmt.formatDuration(left, uiLocale)]) : t('popupHostRetryNow'));
    show(node, true);
    clearTimeout(retryTimer);
    retryTimer = left > 0 ? setTimeout(renderRetryCountdown, 1000) : null;
}

function renderHost(host) {
    const key = fmt.hostStatusKey(host?.status);
    const banner = $('banner');
    show(banner, key !== null);
    if (key === null) {
        stopCountdown();
        return;
    }
    banner.dataset.status = host?.status ?? 'connecting';
    setText($('banner-text'), t(key));
    show($('banner-install'), host?.status === 'not-installed');
    show($('banner-update'), host?.status === 'incompatible');
    if (host?.status === 'incompatible') {
        setText($('banner-update'), host.version
            ? t('popupHostUpdateWithVersion', [host.version])
            : t('popupHostUpdate'));
    }
    show($('banner-retry'), host?.status === 'crashed' || host?.status === 'not-installed');
    if (host?.status === 'crashed' && Number.isFinite(host.retryInSeconds)) {
        retryAt = Date.now() + host.retryInSeconds * 1000;
    } else {
        stopCountdown();
    }
    renderRetryCountdown();
}

// ---- one torrent ---------------------------------------------------------------------------------------

let serial = 0;

class TorrentView {
    constructor(torrent) {
        this.infoHash = torrent.infoHash;
        const id = `t${serial += 1}`;
        this.nameId = `${id}-name`;
        this.items = new Map();

        this.name = el('h2', {class: 'name', id: this.nameId});
        this.progress = el('progress', {max: 1, value: 0});
        this.percent = el('span', {class: 'percent', 'aria-hidden': 'true'});
        this.state = el('span', {class: 'state'});
        this.eta = el('span', {class: 'eta', hidden: true});
        this.size = el('span', {class: 'size'});
        this.rates = el('span', {class: 'rates'});
        this.peers = el('span', {class: 'peers'});
        this.error = el('p', {class: 'error', hidden: true});

        this.bundle = el('section', {class: 'bundle', hidden: true});
        // The bundle's title is the torrent's heading; the creator goes under it.
        this.bundleHead = el('p', {class: 'bundle-creator'});
        this.bundleStatus = el('p', {class: 'bundle-status', hidden: true});
        this.itemList = el('ul', {class: 'items', 'aria-label': t('popupBundleItems')});
        this.bundle.append(this.bundleHead, this.bundleStatus, this.itemList);

        this.campaign = this.buildCampaign();

        this.pauseButton = el('button', {type: 'button', 'aria-describedby': this.nameId});
        this.pauseButton.addEventListener('click', () => this.togglePause());
        this.filesButton = el('button', {type: 'button', text: t('popupFiles'), 'aria-describedby': this.nameId});
        this.filesButton.addEventListener('click', () => this.openFiles());
        this.removeButton = el('button', {type: 'button', class: 'danger-quiet', text: t('popupRemove'),
            'aria-describedby': this.nameId});
        this.removeButton.addEventListener('click', () => this.askRemove());
        this.actions = el('div', {class: 'actions'}, [this.pauseButton, this.filesButton, this.removeButton]);

        this.confirm = this.buildConfirm();
        this.message = el('p', {class: 'message', role: 'status', hidden: true});

        this.root = el('li', {class: 'torrent'}, [
            this.name,
            el('div', {class: 'progress-row'}, [this.progress, this.percent]),
            el('p', {class: 'meta'}, [el('span', {}, [this.state, this.eta]), this.size]),
            el('p', {class: 'meta'}, [this.rates, this.peers]),
            this.error, this.bundle, this.campaign.root, this.actions, this.confirm.root, this.message,
        ]);
        this.root.dataset.infoHash = torrent.infoHash;
    }

    buildConfirm() {
        const deleteFiles = el('input', {type: 'checkbox'});
        const yes = el('button', {type: 'button', class: 'danger', text: t('popupRemoveConfirm')});
        const no = el('button', {type: 'button', text: t('popupRemoveCancel')});
        const question = el('p', {class: 'confirm-question'});
        const root = el('div', {class: 'confirm', role: 'group', hidden: true}, [
            question,
            el('label', {class: 'check'}, [deleteFiles, t('popupRemoveDeleteFiles')]),
            el('div', {class: 'actions'}, [yes, no]),
        ]);
        root.addEventListener('keydown', (e) => {
            if (e.key === 'Escape') {
                e.preventDefault();
                e.stopPropagation();
                this.cancelRemove();
            }
        });
        yes.addEventListener('click', () => run(yes, this.message, async () => {
            await ask('torrent.remove', {infoHash: this.infoHash, deleteFiles: deleteFiles.checked});
            show(root, false);
            show(this.actions, true);
            say(this.message, t('popupRemoved'));
        }));
        no.addEventListener('click', () => this.cancelRemove());
        return {root, question, deleteFiles, yes};
    }

    buildCampaign() {
        const c = {};
        c.state = el('span', {class: 'badge'});
        c.progress = el('progress', {max: 1, value: 0, 'aria-label': t('popupCampaignProgress')});
        c.count = el('p', {class: 'campaign-count'});
        c.timeLeft = el('p', {class: 'campaign-time', hidden: true});
        c.pledge = el('p', {class: 'campaign-pledge', hidden: true});
        c.updates = el('p', {class: 'campaign-updates', hidden: true});
        c.cancel = el('button', {type: 'button', text: t('popupPledgeCancel'), hidden: true});
        c.payment = el('button', {type: 'button', class: 'primary', text: t('popupPledgeUpdatePayment'),
            hidden: true});
        c.message = el('p', {class: 'message', role: 'status', hidden: true});
        c.cancel.addEventListener('click', () => run(c.cancel, c.message, async () => {
            await ask('bundle.cancelPledge', {infoHash: this.infoHash});
            say(c.message, t('popupPledgeCancelled'));
        }));
        // The background opens the new page of the provider the host answers (checkoutUrl) in a tab.
        c.payment.addEventListener('click', () => run(c.payment, c.message, async () => {
            await ask('bundle.updatePledgePayment', {infoHash: this.infoHash});
            say(c.message, t('popupPledgePaymentOpened'));
        }));
        c.root = el('section', {class: 'campaign', hidden: true}, [
            el('h3', {}, [t('popupCampaign'), ' ', c.state]),
            c.progress, c.count, c.timeLeft, c.updates,
            el('div', {class: 'pledge-row'}, [c.pledge, c.payment, c.cancel]),
            c.message,
        ]);
        return c;
    }

    update(torrent) {
        this.torrent = torrent;
        const name = torrent.bundle?.status === 'verified' && torrent.bundle.title
            ? torrent.bundle.title : (torrent.name || torrent.infoHash);
        setText(this.name, name);
        const progress = Math.min(1, Math.max(0, Number(torrent.progress) || 0));
        if (Number(this.progress.value) !== progress) {
            this.progress.value = progress;
        }
        this.progress.setAttribute('aria-label', t('popupProgressOf', [name]));
        setText(this.percent, fmt.formatPercent(progress, uiLocale));
        this.root.dataset.state = torrent.state;
        setText(this.state, t(fmt.torrentStateKey(torrent.state)));
        setText(this.size, progress < 1 && torrent.size > 0
            ? t('popupSizeOf', [fmt.formatBytes(torrent.downloaded, uiLocale), fmt.formatBytes(torrent.size, uiLocale)])
            : fmt.formatBytes(torrent.size, uiLocale));
        const eta = fmt.formatEta(fmt.etaSeconds(torrent), uiLocale);
        show(this.eta, Boolean(eta));
        setText(this.eta, eta ? t('popupTimeLeft', [eta]) : '');
        const down = fmt.shownDownloadRate(torrent);
        const up = fmt.formatRate(torrent.uploadRate, uiLocale);
        setText(this.rates, down === null ? t('popupRateUp', [up]) : t('popupRates', [fmt.formatRate(down, uiLocale), up]));
        setText(this.peers, t('popupPeers', [String(torrent.peers ?? 0), String(torrent.seeds ?? 0)]));
        show(this.error, Boolean(torrent.error) || torrent.state === 'error');
        setText(this.error, torrent.error ? t('popupTorrentError', [torrent.error]) : t('popupTorrentErrorNoDetail'));

        const paused = torrent.state === 'paused';
        setText(this.pauseButton, paused ? t('popupResume') : t('popupPause'));
        show(this.filesButton, !torrent.bundle);
        setText(this.confirm.question, t('popupRemoveQuestion', [name]));

        this.updateBundle(torrent.bundle);
        this.updateCampaign(torrent.campaign);
    }

    updateBundle(bundle) {
        show(this.bundle, Boolean(bundle));
        if (!bundle) {
            return;
        }
        const verified = bundle.status === 'verified';
        show(this.itemList, verified);
        show(this.bundleStatus, !verified);
        if (!verified) {
            show(this.bundleHead, false);
            setText(this.bundleStatus, bundle.status === 'refused' ? t('popupBundleRefused') : t('popupBundleFetching'));
            this.bundleStatus.classList.toggle('is-error', bundle.status === 'refused');
            return;
        }
        setText(this.bundleHead, bundle.creator ? t('popupBundleBy', [bundle.creator]) : '');
        show(this.bundleHead, Boolean(bundle.creator));

        renderKeyed(this.itemList, this.items, bundle.items ?? [], {
            key: (item) => item.path,
            build: (item) => this.buildItem(item.path),
            update: (view, item) => view.update(item),
            node: (view) => view.root,
        });
    }

    buildItem(path) {
        const title = el('span', {class: 'item-title', text: fmt.itemTitle(path), title: path});
        const titleId = `t${serial += 1}-item`;
        title.id = titleId;
        const lock = el('span', {class: 'badge'});
        const size = el('span', {class: 'item-size'});
        const play = el('button', {type: 'button', text: t('popupPlay'), 'aria-describedby': titleId});
        const exportButton = el('button', {type: 'button', text: t('popupExport'), 'aria-describedby': titleId});
        const message = el('p', {class: 'message', role: 'status', hidden: true});
        const root = el('li', {class: 'item'}, [
            el('div', {class: 'item-line'}, [title, lock, size]),
            el('div', {class: 'actions'}, [play, exportButton]),
            message,
        ]);
        const view = {root, item: null};
        play.addEventListener('click', () => run(play, message, async () => {
            await ask('player.open', {infoHash: this.infoHash, fileIndex: view.item.fileIndex});
            window.close();
        }));
        exportButton.addEventListener('click', () => run(exportButton, message, async () => {
            const result = await ask('bundle.export', {infoHash: this.infoHash, path: view.item.path});
            say(message, t('popupExported', [result.destination]));
        }));
        view.update = (item) => {
            view.item = item;
            const key = fmt.itemLockKey(item);
            setText(lock, t(key));
            lock.dataset.lock = key;
            setText(size, fmt.formatBytes(item.size, uiLocale));
            show(play, fmt.itemIsPlayable(item));
            show(exportButton, fmt.itemIsOpen(item));
        };
        return view;
    }

    updateCampaign(entry) {
        const c = this.campaign;
        const campaign = entry?.campaign;
        show(c.root, Boolean(campaign));
        if (!campaign) {
            return;
        }
        setText(c.state, t(fmt.campaignStateKey(campaign.state)));
        c.state.dataset.state = campaign.state;
        // bundle.campaign may leave out the currency; the manifest's pledge gate always names it.
        const currency = campaign.currency ?? this.torrent?.bundle?.gates?.pledge?.currency;
        const money = (minor) => (currency ? fmt.formatMoney(minor, currency, uiLocale) : String(minor));
        const p = fmt.campaignProgress(campaign);
        show(c.progress, Boolean(p));
        if (p) {
            c.progress.max = p.goal;
            c.progress.value = p.barValue;
            const percent = fmt.formatGoalPercent(p.percent, uiLocale);
            setText(c.count, p.kind === 'backers'
                ? t('popupCampaignBackers', [String(p.value), String(p.goal), percent])
                : t('popupCampaignAmount', [money(p.value), money(p.goal), percent]));
        } else {
            setText(c.count, t('popupCampaignBackersNoGoal', [String(campaign.backers ?? 0)]));
        }
        const open = campaign.state === 'open';
        show(c.timeLeft, open && Number.isFinite(campaign.secondsLeft));
        if (open && Number.isFinite(campaign.secondsLeft)) {
            setText(c.timeLeft, campaign.secondsLeft > 0
                ? t('popupCampaignTimeLeft', [fmt.formatDuration(campaign.secondsLeft, uiLocale)])
                : t('popupCampaignClosing'));
        }
        // The bundle's page shows what they say; the popup only that there are some.
        const updates = Array.isArray(campaign.updates) ? campaign.updates.length : 0;
        show(c.updates, updates > 0);
        setText(c.updates, updates > 0 ? t('popupCampaignUpdates', [String(updates)]) : '');
        const pledge = entry.pledge;
        show(c.pledge, Boolean(pledge));
        if (pledge) {
            const state = t(fmt.pledgeStateKey(pledge.state));
            setText(c.pledge, pledge.amount
                ? t('popupPledgeYours', [money(pledge.amount), state])
                : t('popupPledgeYoursNoAmount', [state]));
        }
        show(c.cancel, fmt.pledgeCancellable(pledge, campaign));
        show(c.payment, fmt.pledgePaymentToUpdate(pledge));
    }

    togglePause() {
        const intent = this.torrent?.state === 'paused' ? 'torrent.resume' : 'torrent.pause';
        run(this.pauseButton, this.message, () => ask(intent, {infoHash: this.infoHash}));
    }

    // A single audio or video file goes straight to the player; anything else to the file list.
    openFiles() {
        run(this.filesButton, this.message, async () => {
            const listing = await ask('torrent.files', {infoHash: this.infoHash});
            const only = listing.total === 1 ? listing.files?.[0] : null;
            if (only && /^(video|audio)\//.test(only.mime ?? '')) {
                await ask('player.open', {infoHash: this.infoHash, fileIndex: only.index});
                window.close();
                return;
            }
            openPage(`viewer/viewer.html?infoHash=${encodeURIComponent(this.infoHash)}`);
        });
    }

    askRemove() {
        this.confirm.deleteFiles.checked = false;
        show(this.actions, false);
        show(this.confirm.root, true);
        this.confirm.deleteFiles.focus();
    }

    cancelRemove() {
        show(this.confirm.root, false);
        show(this.actions, true);
        this.removeButton.focus();
    }
}

// ---- the list ------------------------------------------------------------------------------------------

const views = new Map();

function renderTorrents(torrents) {
    const list = $('torrents');
    renderKeyed(list, views, torrents, {
        key: (torrent) => torrent.infoHash,
        build: (torrent) => new TorrentView(torrent),
        update: (view, torrent) => view.update(torrent),
        node: (view) => view.root,
        drop: (view) => {
            // Focus inside a torrent that went away would fall to <body>; the magnet field is the next useful place.
            const hadFocus = view.root.contains(document.activeElement);
            view.root.remove();
            if (hadFocus) {
                $('add-uri').focus();
            }
        },
    });
    show(list, torrents.length > 0);
}

function render(state) {
    renderHost(state.host);
    const torrents = Array.isArray(state.torrents) ? state.torrents : [];
    renderTorrents(torrents);
    show($('empty'), torrents.length === 0 && state.host?.status === 'ready');
}

// ---- wiring --------------------------------------------------------------------------------------------

function connect() {
    const port = webext.runtime.connect({name: 'ui'});
    port.onMessage.addListener((message) => {
        if (message?.type === 'state' && message.state) {
            render(message.state);
        }
    });
    // The background (a service worker in Chromium) may be restarted under us; the popup just reattaches.
    port.onDisconnect.addListener(() => setTimeout(connect, 500));
}

function wire() {
    $('open-options').addEventListener('click', () => {
        webext.runtime.openOptionsPage();
        window.close();
    });
    $('banner-retry').addEventListener('click', (e) => run(e.currentTarget, $('banner-message'), async () => {
        const state = await ask('host.retry');
        if (state) {
            render(state);
        }
    }));
    $('add-form').addEventListener('submit', (e) => {
        e.preventDefault();
        const input = $('add-uri');
        const uri = input.value.trim();
        const message = $('add-message');
        if (!uri) {
            say(message, t('popupAddEmpty'), true);
            input.focus();
            return;
        }
        run($('add-button'), message, async () => {
            const result = await ask('torrent.add', {uri});
            input.value = '';
            say(message, t(result?.duplicate ? 'popupAddDuplicate' : 'popupAdded', [result?.name || result?.infoHash || '']));
        });
    });
}

localize();
wire();
render({host: {status: 'connecting'}, torrents: []});
connect();
