// Turning the state's raw numbers into words and figures. Pure: the caller passes the locale, and the functions
// that name a state return an i18n key, so the page picks the words and node --test checks the logic.
// A classic script shared with the content scripts, which read globalThis.sluiceFormat; pages and the background
// import common/format.js (extension/README.md, "Code shared with the content scripts").
(() => {
    'use strict';

    // The locale figures are written in: the language of the catalogue the browser picked for the words (its
    // localeTag message), so "Il reste" is never followed by "29 days". A browser language of that same language
    // refines it ("fr-CA" for a Canadian French browser); the browser's reported UI language alone is not trusted:
    // headless Chromium started with --lang=fr shows the French catalogue but still says en-US.
    function pickLocale(catalogueTag, candidates = []) {
        const canonical = (tag) => {
            try {
                return Intl.getCanonicalLocales(String(tag).replace(/_/g, '-'))[0] ?? null;
            } catch {
                return null;
            }
        };
        const catalogue = canonical(catalogueTag);
        const primary = (tag) => tag.split('-')[0].toLowerCase();
        for (const candidate of candidates ?? []) {
            const tag = typeof candidate === 'string' ? canonical(candidate) : null;
            if (tag && (!catalogue || primary(tag) === primary(catalogue))) {
                return tag;
            }
        }
        return catalogue ?? 'en';
    }

    // Decimal units, as Intl knows them: the browser then writes "1,5 Mo" in French without a table of our own.
    // Nothing is shown in plain bytes: ICU's English short form is "500 byte", and Transmission's "0.5 kB" reads
    // better.
    const BYTE_UNITS = ['kilobyte', 'megabyte', 'gigabyte', 'terabyte', 'petabyte'];

    function scaled(value) {
        let n = Math.max(0, Number(value) || 0) / 1000;
        let i = 0;
        while (n >= 1000 && i < BYTE_UNITS.length - 1) {
            n /= 1000;
            i += 1;
        }
        // One decimal while it still says something ("1.5 MB"), none once the number is large ("153 MB").
        return {n, unit: BYTE_UNITS[i], digits: n >= 100 || n === 0 ? 0 : 1};
    }

    function formatBytes(bytes, locale) {
        const {n, unit, digits} = scaled(bytes);
        return new Intl.NumberFormat(locale, {style: 'unit', unit, unitDisplay: 'short',
            maximumFractionDigits: digits}).format(n);
    }

    function formatRate(bytesPerSecond, locale) {
        const {n, unit, digits} = scaled(bytesPerSecond);
        return new Intl.NumberFormat(locale, {
            style: 'unit', unit: `${unit}-per-second`, unitDisplay: 'short', maximumFractionDigits: digits,
        }).format(n);
    }

    // 0..1 → "42 %" in the page's locale. Floored, so a torrent shows 100 % only once it is complete.
    function formatPercent(fraction, locale) {
        const f = Math.min(1, Math.max(0, Number(fraction) || 0));
        return new Intl.NumberFormat(locale, {style: 'percent', maximumFractionDigits: 0})
            .format(Math.floor(f * 100) / 100);
    }

    // A whole percent of a goal, not capped: campaignProgress's percent, 130 for an overfunded campaign → "130 %".
    function formatGoalPercent(percent, locale) {
        return new Intl.NumberFormat(locale, {style: 'percent', maximumFractionDigits: 0})
            .format((Number(percent) || 0) / 100);
    }

    // Gate amounts travel in the currency's minor unit (cents); how many digits that is depends on the currency.
    function formatMoney(minor, currency, locale) {
        const nf = new Intl.NumberFormat(locale, {style: 'currency', currency});
        const digits = nf.resolvedOptions().maximumFractionDigits;
        return nf.format((Number(minor) || 0) / 10 ** digits);
    }

    // The two largest units that are not zero: "3 days and 4 hours", "5 minutes", "40 seconds".
    function formatDuration(seconds, locale) {
        let s = Math.max(0, Math.floor(Number(seconds) || 0));
        const parts = [];
        for (const [unit, size] of [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]]) {
            const count = Math.floor(s / size);
            s -= count * size;
            if (count > 0 || (unit === 'second' && parts.length === 0)) {
                parts.push(new Intl.NumberFormat(locale, {style: 'unit', unit, unitDisplay: 'long'}).format(count));
            }
            if (parts.length === 2) {
                break;
            }
            if (parts.length === 1 && count === 0) {
                break;
            }
        }
        return new Intl.ListFormat(locale, {type: 'unit', style: 'long'}).format(parts);
    }

    // Remaining time in a few characters ("3 min", "2 h 5 min", "3 days, 4 hr"): a rate that moves every second
    // is worth two units at most. The callers' own words say it is an estimate ("about … left"). Intl.DurationFormat
    // where the browser has it (Chromium), units joined by Intl.ListFormat otherwise (Firefox ESR, Node 20): both
    // follow the locale, so no unit name is ours. '' when there is nothing to say.
    function formatEta(seconds, locale) {
        const value = Number(seconds);
        if (seconds === null || seconds === undefined || !Number.isFinite(value) || value < 0) {
            return '';
        }
        // Rounded up at the smallest unit shown: "0 min" would read as done, and 59.5 s is "1 min", not "60 s".
        const secs = Math.max(1, Math.ceil(value));
        const minutes = Math.ceil(secs / 60);
        let parts;
        if (secs < 60) {
            parts = {seconds: secs};
        } else if (minutes < 60) {
            parts = {minutes};
        } else if (minutes < 1440) {
            parts = {hours: Math.floor(minutes / 60), minutes: minutes % 60};
        } else {
            const hours = Math.ceil(secs / 3600);
            parts = {days: Math.floor(hours / 24), hours: hours % 24};
        }
        for (const k of Object.keys(parts)) {
            if (parts[k] === 0) {
                delete parts[k];
            }
        }
        return durationText(parts, locale);
    }

    const DURATION_UNITS = [['days', 'day'], ['hours', 'hour'], ['minutes', 'minute'], ['seconds', 'second']];

    function durationText(parts, locale) {
        if (typeof Intl.DurationFormat === 'function') {
            try {
                return new Intl.DurationFormat(locale, {style: 'short'}).format(parts);
            } catch {
                // An engine with a partial DurationFormat: the fallback below says the same.
            }
        }
        const texts = DURATION_UNITS.filter(([key]) => parts[key] !== undefined)
            .map(([key, unit]) => new Intl.NumberFormat(locale, {style: 'unit', unit, unitDisplay: 'short'})
                .format(parts[key]));
        return new Intl.ListFormat(locale, {type: 'unit', style: 'short'}).format(texts);
    }

    // Seconds until a torrent.list entry is downloaded at its current rate; null when that cannot be said: no
    // metadata yet (the size is unknown), not downloading (paused, finished, seeding, checking), or no rate.
    // size and downloaded count only the wanted files, so a bundle with locked items still reaches its end.
    function etaSeconds(torrent) {
        if (!torrent || torrent.hasMetadata === false || torrent.state !== 'downloading') {
            return null;
        }
        const size = Number(torrent.size);
        const downloaded = Number(torrent.downloaded);
        const rate = Number(torrent.downloadRate);
        if (!(size > 0) || !Number.isFinite(downloaded) || !(rate > 0) || downloaded >= size) {
            return null;
        }
        return Math.ceil((size - downloaded) / rate);
    }

    // A manifest's date ("2027-09-01", a calendar day, shown as that day wherever the reader is) or instant
    // ("2027-01-04T00:00:00Z") as a long date in the locale: "4 janvier 2027". Text that is no date is shown as is.
    function formatDate(text, locale) {
        if (typeof text !== 'string') {
            return '';
        }
        const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
        const d = new Date(text);
        if (Number.isNaN(d.getTime())) {
            return text;
        }
        return new Intl.DateTimeFormat(locale, day ? {dateStyle: 'long', timeZone: 'UTC'} : {dateStyle: 'long'})
            .format(d);
    }

    // The download rate worth showing: only while the torrent downloads (or fetches its metadata). A finished or
    // seeding torrent may still carry the last rate it had until the host's next update; it shows none.
    function shownDownloadRate(torrent) {
        if (!torrent || !['downloading', 'fetching-metadata'].includes(torrent.state)) {
            return null;
        }
        return Math.max(0, Number(torrent.downloadRate) || 0);
    }

    // A campaign counts towards backers or an amount (or both: backers then win, being what the gate counts first).
    // The bar's value is capped at its max; the percent is not, so an overfunded campaign says "130 %".
    function campaignProgress(campaign) {
        if (!campaign) {
            return null;
        }
        let kind;
        let value;
        let goal;
        if (campaign.goalBackers > 0) {
            [kind, value, goal] = ['backers', campaign.backers ?? 0, campaign.goalBackers];
        } else if (campaign.goalAmount > 0) {
            [kind, value, goal] = ['amount', campaign.amount ?? 0, campaign.goalAmount];
        } else {
            return null;
        }
        return {kind, value, goal, barValue: Math.min(value, goal), percent: Math.floor((value / goal) * 100)};
    }

    const TORRENT_STATE_KEYS = {
        'checking': 'popupStateChecking',
        'fetching-metadata': 'popupStateFetchingMetadata',
        'downloading': 'popupStateDownloading',
        'finished': 'popupStateFinished',
        'seeding': 'popupStateSeeding',
        'paused': 'popupStatePaused',
        'error': 'popupStateError',
    };

    function torrentStateKey(state) {
        return TORRENT_STATE_KEYS[state] ?? 'popupStateUnknown';
    }

    // What a bundle item's lock looks like to the viewer: free, unlocked, or locked by the named gate.
    function itemLockKey(item) {
        if (item.access !== 'locked') {
            return 'popupLockFree';
        }
        if (item.unlocked) {
            return 'popupLockUnlocked';
        }
        return {email: 'popupLockEmail', pay: 'popupLockPay', pledge: 'popupLockPledge'}[item.gate] ??
            'popupLockLocked';
    }

    function itemIsOpen(item) {
        return item.access !== 'locked' || item.unlocked === true;
    }

    function itemIsPlayable(item) {
        return itemIsOpen(item) && /^(video|audio)\//.test(item.mediaType ?? '');
    }

    // A manifest path as a person reads it: the last part, without the ".locked" the format adds.
    function itemTitle(path) {
        const last = String(path).split('/').pop();
        return last.endsWith('.locked') ? last.slice(0, -'.locked'.length) : last;
    }

    const CAMPAIGN_STATE_KEYS = {
        open: 'popupCampaignOpen', funded: 'popupCampaignFunded', failed: 'popupCampaignFailed',
    };

    function campaignStateKey(state) {
        return CAMPAIGN_STATE_KEYS[state] ?? 'popupCampaignUnknown';
    }

    const PLEDGE_STATE_KEYS = {
        sending: 'popupPledgeSending', pending: 'popupPledgePending', confirmed: 'popupPledgeConfirmed',
        charging: 'popupPledgeCharging', charged: 'popupPledgeCharged', charge_failed: 'popupPledgeChargeFailed',
        failed: 'popupPledgeFailed', cancelled: 'popupPledgeCancelled', released: 'popupPledgeReleased',
        refused: 'popupPledgeRefused',
    };

    function pledgeStateKey(state) {
        return PLEDGE_STATE_KEYS[state] ?? 'popupPledgeUnknown';
    }

    // A pledge can still be withdrawn until it is charged: while its card is still to be saved, or saved, and the
    // campaign is open (the gate's own rule).
    function pledgeCancellable(pledge, campaign) {
        return Boolean(pledge) && ['pending', 'confirmed'].includes(pledge.state) && campaign?.state === 'open';
    }

    // A declined charge is tried again until the grace period ends: meanwhile the backer can save another card.
    function pledgePaymentToUpdate(pledge) {
        return pledge?.state === 'charge_failed';
    }

    const HOST_STATUS_KEYS = {
        'connecting': 'popupHostConnecting',
        'not-installed': 'popupHostNotInstalled',
        'crashed': 'popupHostCrashed',
        'incompatible': 'popupHostIncompatible',
    };

    // null when the host is ready: no banner then.
    function hostStatusKey(status) {
        if (status === 'ready') {
            return null;
        }
        return HOST_STATUS_KEYS[status] ?? 'popupHostConnecting';
    }

    // Options show rate limits in KiB/s; the host counts bytes/s. 0 means no limit on both sides.
    function kibToBytes(kib) {
        return Math.round(Number(kib) * 1024);
    }

    function bytesToKib(bytes) {
        return Math.round((Number(bytes) || 0) / 1024);
    }

    globalThis.sluiceFormat = Object.freeze({
        pickLocale, formatBytes, formatRate, formatPercent, formatGoalPercent, formatMoney, formatDuration,
        formatEta, etaSeconds, formatDate, shownDownloadRate, campaignProgress, torrentStateKey, itemLockKey,
        itemIsOpen, itemIsPlayable, itemTitle, campaignStateKey, pledgeStateKey, pledgeCancellable,
        pledgePaymentToUpdate, hostStatusKey, kibToBytes, bytesToKib,
    });
})();
