// The content scripts as a browser runs them: the manifest's files, in the manifest's order, as classic scripts in
// one fresh global (node:vm), beside a stand-in for the extension API and as much of a page as they touch while
// they load. A test reaches what each script set on that global (sluiceLinks, sluiceMessaging, ...).
// Objects made in there come from another realm: compare their members, not the objects, with deepEqual.
import vm from 'node:vm';
import {readFileSync} from 'node:fs';

const extension = new URL('../../../extension/', import.meta.url);

export const manifest = JSON.parse(readFileSync(new URL('manifest.json', extension), 'utf8'));
export const contentScripts = manifest.content_scripts.flatMap((entry) => entry.js);

export function extensionSource(path) {
    return readFileSync(new URL(path, extension), 'utf8');
}

// i18n answers '' for every key, as for a missing one, so t() shows the key itself: a test reads which words
// were picked. `send` answers runtime.sendMessage.
export function fakeExtension({send = async () => ({ok: true, result: null})} = {}) {
    const sent = [];
    return {
        sent,
        runtime: {
            id: 'ljkaphncpbkfgfeoncgogkmhcmcompjk',
            sendMessage: (message) => {
                sent.push(message);
                return send(message);
            },
            getURL: (path) => `chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk/${path}`,
        },
        i18n: {getMessage: () => '', getUILanguage: () => 'en-US'},
    };
}

// A document with no bundle markup unless `scripts` are given; records the selectors asked for.
export function fakeDocument(scripts = []) {
    const asked = [];
    return {
        asked,
        querySelectorAll: (selector) => {
            asked.push(selector);
            return scripts.map((text) => ({textContent: text}));
        },
    };
}

// Loads `files` (the manifest's content scripts by default) into a new global. `top: false` makes it a frame's.
export function loadContentScripts({api = fakeExtension(), document = fakeDocument(), top = true,
    files = contentScripts} = {}) {
    const listeners = [];
    const world = vm.createContext({
        chrome: api, document, console, setTimeout, clearTimeout, URL,
        navigator: {languages: ['en-US']},
        addEventListener: (type, listener, capture) => listeners.push({type, capture}),
    });
    world.window = world;
    world.top = top ? world : {};
    for (const file of files) {
        vm.runInContext(extensionSource(file), world, {filename: file});
    }
    return {world, api, document, listeners};
}
