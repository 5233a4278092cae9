// The resume position: where the person left this item, kept in storage.local under its item key and restored
// on the next visit, through the controller so that a converted stream restarts there rather than at 0.
import {webext} from '../common/webext.js';
import {resumeKey, resumeAction, restorePosition} from '../common/media.js';

const SAVE_EVERY_MS = 5000;

export function keepPosition(controller, itemKey) {
    const {media} = controller;
    const key = resumeKey(itemKey);
    const storage = webext.storage.local;
    let lastSaved = 0;

    const save = () => {
        const position = controller.position();
        const action = resumeAction(position, controller.duration());
        if (action === 'save') {
            lastSaved = Date.now();
            storage.set({[key]: {position, savedAt: lastSaved}}).catch(() => {});
        } else if (action === 'clear') {
            storage.remove(key).catch(() => {});
        }
    };

    media.addEventListener('loadedmetadata', async () => {
        let stored;
        try {
            stored = (await storage.get(key))[key];
        } catch {
            return;
        }
        const position = restorePosition(stored, controller.duration());
        // Only when the person has not moved already: a seek made while storage answered wins.
        if (position !== null && controller.position() < 1) {
            controller.seek(position);
        }
    }, {once: true});
    media.addEventListener('timeupdate', () => {
        if (!media.paused && Date.now() - lastSaved >= SAVE_EVERY_MS) {
            save();
        }
    });
    media.addEventListener('pause', () => {
        if (!media.ended) {
            save();
        }
    });
    media.addEventListener('ended', () => storage.remove(key).catch(() => {}));
    window.addEventListener('pagehide', () => {
        if (!media.ended && controller.position() > 0) {
            save();
        }
    });
}
