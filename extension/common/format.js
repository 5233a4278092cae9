// Turning the state's raw numbers into words and figures: defined in classic/format.js, a classic script the
// content scripts load too (extension/README.md, "Code shared with the content scripts").
import './classic/format.js';

export const {
    pickLocale, formatBytes, formatRate, formatPercent, formatGoalPercent, formatMoney, formatDuration, formatEta,
    etaSeconds, formatDate, shownDownloadRate, campaignProgress, torrentStateKey, itemLockKey, itemIsOpen,
    itemIsPlayable, itemTitle, campaignStateKey, pledgeStateKey, pledgeCancellable, pledgePaymentToUpdate,
    hostStatusKey, kibToBytes, bytesToKib,
} = globalThis.sluiceFormat;
