// What the viewer's sections share: the page's elements by id, and the words for a file's progress.
import {t, uiLocale} from '../common/ui.js';
import {formatPercent} from '../common/format.js';
import {fileFraction, fileState} from '../common/file_state.js';

export const $ = (id) => document.getElementById(id);

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
