// The card a page's content script shows for a bundle: built only from members picked one by one, so no
// stream URL, token, save path or key ever reaches the page's tab, whatever bundle.get or the state hold.
// Strings are cut to bounded lengths and numbers must be finite: the card is drawn from a signed manifest,
// but a shadow root is no place to find out what a megabyte-long title does.
// A classic script shared with the content scripts, which read globalThis.sluiceCard; pages and the background
// import common/card.js (extension/README.md, "Code shared with the content scripts").
(() => {
    'use strict';

    // What an item is called and whether it plays are the popup's and the viewer's facts too: format.js says them.
    const {itemIsPlayable, itemTitle} = globalThis.sluiceFormat;

    const TEXT_LIMITS = {title: 300, creator: 300, description: 5000, path: 1024, mediaType: 128, id: 64, date: 32,
        currency: 3, state: 32, requestId: 128, ifGoalMissed: 2000, declineCode: 64, updateId: 22,
        updateTitle: 200, updateText: 10000, tierTitle: 100, tierDescription: 1000, reason: 64};
    // The host keeps the last 20; a card does not take more whatever it is given.
    const MAX_UPDATES = 20;
    // The host passes on at most 20 tiers, as a manifest lists at most 20.
    const MAX_TIERS = 20;
    const TIER_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
    // The one tier a single-price campaign has: it is no choice, and the card offers none.
    const SINGLE_TIER_ID = 'pledge';

    function text(value, limit) {
        return typeof value === 'string' ? value.slice(0, limit) : undefined;
    }

    function count(value) {
        return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
    }

    function fraction(value) {
        return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
    }

    // Members whose value is undefined are left out, so optional ones stay optional.
    function defined(object) {
        return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
    }

    function cardItem(item) {
        const access = item.access === 'locked' ? 'locked' : 'free';
        const unlocked = access === 'locked' && item.unlocked === true;
        const mediaType = text(item.mediaType, TEXT_LIMITS.mediaType) ?? '';
        return {
            path: text(item.path, TEXT_LIMITS.path) ?? '',
            title: itemTitle(text(item.path, TEXT_LIMITS.path) ?? ''),
            size: count(item.size) ?? 0,
            mediaType,
            access,
            gate: access === 'locked' && ['email', 'pay', 'pledge'].includes(item.gate) ? item.gate : null,
            unlocked,
            playable: itemIsPlayable({access, unlocked, mediaType}),
        };
    }

    // What a backer picks from, as the manifest lists it (id, title, description, price, limit) or as the gate
    // counts it (backers, and the places left of a limited tier, 0 when it is sold out). A tier without an id, a
    // title or a price is left out, as is an id already seen.
    function cardTiers(tiers) {
        if (!Array.isArray(tiers)) {
            return [];
        }
        const out = [];
        const seen = new Set();
        for (const t of tiers) {
            if (out.length === MAX_TIERS) {
                break;
            }
            if (!t || typeof t !== 'object' || typeof t.id !== 'string' || !TIER_ID.test(t.id) || seen.has(t.id)) {
                continue;
            }
            const tier = defined({
                id: t.id,
                title: text(t.title, TEXT_LIMITS.tierTitle),
                description: text(t.description, TEXT_LIMITS.tierDescription) || undefined,
                price: count(t.price),
                backers: count(t.backers),
                limit: count(t.limit),
                left: count(t.left),
            });
            if (tier.title && tier.price !== undefined) {
                seen.add(t.id);
                out.push(tier);
            }
        }
        return out;
    }

    function cardGates(gates) {
        const out = {};
        if (!gates || typeof gates !== 'object') {
            return out;
        }
        if (gates.email && typeof gates.email === 'object') {
            out.email = {};
        }
        if (gates.pay && typeof gates.pay === 'object') {
            out.pay = defined({
                currency: text(gates.pay.currency, TEXT_LIMITS.currency),
                minimum: count(gates.pay.minimum),
                suggested: count(gates.pay.suggested),
            });
        }
        if (gates.pledge && typeof gates.pledge === 'object') {
            const p = gates.pledge;
            out.pledge = defined({
                campaignId: text(p.campaignId, TEXT_LIMITS.id),
                price: count(p.price),
                currency: text(p.currency, TEXT_LIMITS.currency),
                goalBackers: count(p.goalBackers),
                goalAmount: count(p.goalAmount),
                deadline: text(p.deadline, TEXT_LIMITS.date),
                expectedDelivery: text(p.expectedDelivery, TEXT_LIMITS.date),
                ifGoalMissed: text(p.ifGoalMissed, TEXT_LIMITS.ifGoalMissed),
                tiers: Array.isArray(p.tiers) ? cardTiers(p.tiers) : undefined,
            });
        }
        return out;
    }

    // What the creator told the backers, in the order posted: plain text the card shows as text.
    function cardUpdates(updates) {
        if (!Array.isArray(updates)) {
            return [];
        }
        const out = [];
        for (const u of updates.slice(-MAX_UPDATES)) {
            const update = u && typeof u === 'object' ? {
                id: text(u.id, TEXT_LIMITS.updateId),
                title: text(u.title, TEXT_LIMITS.updateTitle),
                text: text(u.text, TEXT_LIMITS.updateText),
                postedAt: text(u.postedAt, TEXT_LIMITS.date),
            } : {};
            if (update.id && update.title && update.text && update.postedAt) {
                out.push(update);
            }
        }
        return out;
    }

    // A pledge in one of these stands for its campaign: no second one is offered beside it.
    const PLEDGED_STATES = ['sending', 'pending', 'confirmed', 'charging', 'charged', 'charge_failed'];

    // The provider's page (checkoutUrl) is not among what is picked: the background opens it, the page never
    // sees it.
    function cardCampaign({campaign, pledge}) {
        const failed = pledge?.state === 'charge_failed';
        const released = pledge?.state === 'released';
        return defined({
            state: text(campaign.state, TEXT_LIMITS.state),
            backers: count(campaign.backers) ?? 0,
            amount: count(campaign.amount) ?? 0,
            goalBackers: count(campaign.goalBackers),
            goalAmount: count(campaign.goalAmount),
            secondsLeft: count(campaign.secondsLeft),
            pledged: Boolean(pledge) && PLEDGED_STATES.includes(pledge.state),
            pledgeState: pledge ? text(pledge.state, TEXT_LIMITS.state) : undefined,
            declineCode: failed ? text(pledge.declineCode, TEXT_LIMITS.declineCode) : undefined,
            retryUntil: failed ? text(pledge.retryUntil, TEXT_LIMITS.date) : undefined,
            pledgeTier: typeof pledge?.tier === 'string' && TIER_ID.test(pledge.tier) ? pledge.tier : undefined,
            releaseReason: released ? text(pledge.reason, TEXT_LIMITS.reason) : undefined,
            updates: cardUpdates(campaign.updates),
            tiers: cardTiers(campaign.tiers),
        });
    }

    const PLEDGE_STATE_KEYS = {
        sending: 'cardPledgeSending',
        pending: 'cardPledgePending',
        confirmed: 'cardPledgeConfirmed',
        charging: 'cardPledgeCharging',
        charged: 'cardPledgeCharged',
        charge_failed: 'cardPledgeChargeFailed',
        failed: 'cardPledgeFailed',
        cancelled: 'cardPledgeCancelled',
        released: 'cardPledgeReleased',
        refused: 'cardPledgeRefused',
    };

    // The tiers a backer picks from: the gate's, which count the places left, else the manifest's; none when the
    // campaign has a single price.
    function offeredTiers(gate, campaign) {
        const tiers = campaign?.tiers?.length ? campaign.tiers : gate.tiers ?? [];
        return tiers.length === 1 && tiers[0].id === SINGLE_TIER_ID ? [] : tiers;
    }

    const soldOut = (tier) => tier.left === 0;

    // What a campaign's pledge section says and offers, for a page's card and the viewer alike: each line an
    // i18n key with its substitutions (or null: not shown), figures written by money(minor, currency) and
    // date(text) in the words' language. gate: the card's gates.pledge; campaign: the card's campaign or null;
    // chosen: the id of the tier the backer picked, kept while it is still open (else the first open one is).
    // `tiers` lists the choices (null: a single price, no choice), `choose` says whether they are shown, `tier` is
    // the one Pledge sends (null: none) and `minimum` the least it takes.
    function pledgeView(gate, campaign, {money, date, chosen = null}) {
        const currency = gate.currency;
        const deadline = date(gate.deadline);
        const backers = gate.goalBackers ?? campaign?.goalBackers;
        const amount = gate.goalAmount ?? campaign?.goalAmount;
        let goal;
        if (backers && amount) {
            goal = ['cardPledgeGoalBackersAmount', [String(backers), money(amount, currency), deadline]];
        } else if (backers) {
            goal = ['cardPledgeGoalBackers', [String(backers), deadline]];
        } else if (amount) {
            goal = ['cardPledgeGoalAmount', [money(amount, currency), deadline]];
        } else {
            goal = ['cardPledgeGoalNone', [deadline]];
        }
        const state = campaign?.pledgeState;
        const open = !campaign || campaign.state === 'open';
        const chargeFailed = state === 'charge_failed';
        const tiers = offeredTiers(gate, campaign);
        const available = tiers.filter((t) => !soldOut(t));
        const tier = available.find((t) => t.id === chosen) ?? available[0] ?? null;
        // A tiered manifest has no price of its own: its lowest tier's is the campaign's.
        const lowest = tiers.length > 0 ? Math.min(...tiers.map((t) => t.price)) : gate.price ?? 0;
        const minimum = tier ? tier.price : lowest;
        const mine = tiers.find((t) => t.id === campaign?.pledgeTier);
        let stateKey = null;
        if (state) {
            stateKey = state === 'released' && campaign.releaseReason === 'tier_sold_out'
                ? 'cardPledgeReleasedSoldOut' : PLEDGE_STATE_KEYS[state] ?? 'cardPledgeUnknown';
        }
        const pledgeable = open && campaign?.pledged !== true;
        let decline = null;
        if (chargeFailed) {
            const retry = campaign.retryUntil ? ['cardPledgeRetryUntil', [date(campaign.retryUntil)]]
                : ['cardPledgeRetrySoon', []];
            decline = campaign.declineCode ? [['cardPledgeDeclineReason', [campaign.declineCode]], retry] : [retry];
        }
        let payment = null;
        if (chargeFailed) {
            payment = 'cardPledgeUpdatePayment';
        } else if (state === 'pending' && open) {
            // The provider's page was closed before the card was saved: another one.
            payment = 'cardPledgeSaveCard';
        }
        return {
            price: ['cardPledgePrice', [money(minimum, currency)]],
            goal,
            charge: ['cardPledgeChargedOn', [deadline]],
            delivery: gate.expectedDelivery ? ['cardPledgeDelivery', [date(gate.expectedDelivery)]] : null,
            missed: gate.ifGoalMissed ? ['cardPledgeIfMissed', [gate.ifGoalMissed]] : null,
            state: stateKey ? [stateKey, []] : null,
            yourTier: campaign?.pledged === true && mine ? ['cardPledgeTierYours', [mine.title]] : null,
            decline,
            tiers: tiers.length === 0 ? null : tiers.map((t) => ({
                id: t.id,
                title: t.title,
                description: t.description ?? '',
                price: money(t.price, currency),
                left: t.left > 0 ? ['cardPledgeTierLeft', [String(t.left)]] : null,
                soldOut: soldOut(t),
                chosen: t.id === tier?.id,
            })),
            // Shown while a pledge can be made, sold-out tiers too (they cannot be picked).
            choose: pledgeable && tiers.length > 0,
            tier: tier?.id ?? null,
            minimum,
            allSoldOut: pledgeable && tiers.length > 0 && !tier ? ['cardPledgeAllSoldOut', []] : null,
            // With tiers, a pledge is in one of them: none open, nothing to pledge.
            form: pledgeable && (tiers.length === 0 || tier !== null),
            cancel: open && (state === 'pending' || state === 'confirmed'),
            payment,
        };
    }

    // The card's status: what the signed bundle says, set against what the page claimed.
    function cardStatus({bundle, notBundle, claim}) {
        if (!bundle) {
            // The host has the metadata and says it is no bundle: the page's magnet is not what it claimed.
            return notBundle ? 'refused' : 'fetching';
        }
        if (bundle.status === 'refused') {
            return 'refused';
        }
        if (bundle.status !== 'verified') {
            return 'fetching';
        }
        if (claim && (bundle.publisherKey !== claim.publisherKey || bundle.bundleId !== claim.bundleId)) {
            return 'mismatch';
        }
        return 'verified';
    }

    // infoHash: the torrent the card is about; torrent: its entry in the state (with bundle? and campaign?);
    // notBundle: the host answered that it is no bundle; claim: {bundleId, publisherKey} from the page's markup;
    // pending: {requestId} while an email code is awaited.
    function buildCard({infoHash, torrent, notBundle = false, claim, pending}) {
        const bundle = torrent?.bundle;
        const status = cardStatus({bundle, notBundle, claim});
        const card = {
            infoHash: String(infoHash),
            status,
            title: '',
            creator: '',
            description: '',
            progress: fraction(torrent?.progress),
            items: [],
            gates: {},
        };
        if (status !== 'verified' && status !== 'mismatch') {
            return card;
        }
        card.title = text(bundle.title, TEXT_LIMITS.title) ?? '';
        card.creator = text(bundle.creator, TEXT_LIMITS.creator) ?? '';
        // A bundle that is not the one the page announced is named, so the person sees what it really is,
        // but offers nothing to play, unlock or pledge on that page's word.
        if (status === 'mismatch') {
            return card;
        }
        card.description = text(bundle.description, TEXT_LIMITS.description) ?? '';
        card.items = Array.isArray(bundle.items) ? bundle.items.slice(0, 1000).map(cardItem) : [];
        card.gates = cardGates(bundle.gates);
        if (torrent.campaign?.campaign) {
            card.campaign = cardCampaign(torrent.campaign);
        }
        if (pending && typeof pending.requestId === 'string') {
            card.pending = {requestId: pending.requestId.slice(0, TEXT_LIMITS.requestId)};
        }
        return card;
    }

    // Whether a card item offers Unlock: locked, not yet unlocked, by a gate the bundle offers.
    function itemUnlockable(item, gates) {
        return item?.access === 'locked' && item.unlocked !== true && Boolean(gates?.[item.gate]);
    }

    // The gates a card shows a form for: email and pay while an item they open is still locked (nothing is left
    // to buy once all is open), the pledge always, as its campaign's progress goes on being worth seeing.
    function gatesShown(card) {
        const gates = card?.gates ?? {};
        const locked = (gate) => (card?.items ?? []).some((i) => i.gate === gate && i.unlocked !== true);
        return {
            email: Boolean(gates.email) && locked('email'),
            pay: Boolean(gates.pay?.currency) && locked('pay'),
            pledge: Boolean(gates.pledge?.currency),
        };
    }

    globalThis.sluiceCard = Object.freeze({cardStatus, buildCard, itemUnlockable, gatesShown, pledgeView});
})();
