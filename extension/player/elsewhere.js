// What is left when the file cannot be played here: Export, for an open bundle item (as the viewer offers it),
// and Open in a player, which copies the stream's address for VLC or mpv, which play what a browser cannot.
import {t, ask, describeError, runBusy, say} from '../common/ui.js';
import {itemIsOpen, itemTitle} from '../common/format.js';
import {$} from './page.js';

// The open bundle item this file carries, or null: a torrent that is no bundle answers bundle.get with an error.
async function bundleItem(file) {
    try {
        const bundle = await ask('bundle.get', {infoHash: file.infoHash});
        const item = bundle.items?.find((i) => i.fileIndex === file.fileIndex);
        return bundle.status === 'verified' && item && itemIsOpen(item) ? item : null;
    } catch {
        return null;
    }
}

async function offerExport(file) {
    const item = await bundleItem(file);
    if (!item) {
        return;
    }
    const button = $('export');
    button.setAttribute('aria-label', t('viewerExportItem', [itemTitle(item.path)]));
    button.addEventListener('click', () => runBusy(button, $('elsewhere-text'), async () => {
        const result = await ask('bundle.export', {infoHash: file.infoHash, path: item.path});
        say($('elsewhere-text'), t('popupExported', [result.destination]));
    }, describeError));
    button.hidden = false;
}

// The browser may refuse the clipboard (a frame inside a page that does not allow it): the address is then
// shown, selected, for the person to copy.
async function copyAddress(url) {
    try {
        await globalThis.navigator.clipboard.writeText(url);
        say($('elsewhere-text'), t('playerAddressCopied'));
    } catch {
        say($('elsewhere-text'), t('playerAddressToCopy'));
        const field = $('stream-address');
        field.value = url;
        field.hidden = false;
        field.focus();
        field.select();
    }
}

export function offerElsewhere(file, info) {
    if (!$('elsewhere').hidden) {
        return;
    }
    $('open-elsewhere').addEventListener('click', () => copyAddress(String(info.streamUrl)));
    $('elsewhere').hidden = false;
    offerExport(file);
}
