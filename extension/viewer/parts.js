// What the viewer's sections share: actions whose errors speak as the viewer does, and the words for a file's
// progress.
import {t, uiLocale, describeError, runBusy} from '../common/ui.js';
import {formatPercent} from '../common/format.js';
import {gateRefusalKey} from '../common/gates.js';
import {fileFraction, fileState} from '../common/file_state.js';

export const $ = (id) => document.getElementById(id);

// An error in words: a gate's own reason when it gave one, else the words for its code.
export function words(error) {
    const key = gateRefusalKey(error);
    return key ? t(key) : describeError(error);
}

// The viewer's errors prefer a gate's refusal reason over the words for its code.
export function run(button, messageNode, action) {
    return runBusy(button, messageNode, action, words);
}

// The text beside a file's bar: the bar's own percent, and whether the rest is coming.
export function progressWords(file) {
    const percent = formatPercent(fileFraction(file), uiLocale);
    switch (fileState(file)) {
        case 'skipped':
            return t('viewerSkipped');
        case 'stopped':
            return t('viewerFilePartial', [percent]);
        default:
            return percent;
    }
}
