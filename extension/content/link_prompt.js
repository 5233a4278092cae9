// The question a click on a magnet or .torrent link asks when the options say "ask": open it with Sluice, or
// not now (the click then goes to the page). Drawn in a closed shadow root under the link, in the link's frame;
// one at a time, put away by a click elsewhere. content/links.js decides when to ask and what each answer does.
(() => {
    'use strict';

    const {t, el} = globalThis.sluiceUi;
    const {BASE_CSS, shadowHost, nextId} = globalThis.sluiceShadow;

    const PROMPT_HOST_STYLE = 'all: initial !important; display: block !important; position: absolute !important; ' +
        'z-index: 2147483647 !important; visibility: visible !important; opacity: 1 !important;';

    const PROMPT_CSS = `${BASE_CSS}
.box { padding: 10px 12px; box-shadow: 0 4px 16px rgba(0, 0, 0, 0.25); max-width: 320px; }
.title { font-weight: 600; }
.note { font-size: 13px; color: var(--muted); margin-top: 2px; }
.actions { display: flex; gap: 8px; margin-top: 8px; }
`;

    // The question shown, if any: {host, anchor, onOutside}.
    let prompt = null;

    function closePrompt(returnFocus) {
        if (!prompt) {
            return;
        }
        const {host, anchor, onOutside} = prompt;
        prompt = null;
        document.removeEventListener('pointerdown', onOutside, true);
        host.remove();
        if (returnFocus && anchor.isConnected) {
            anchor.focus({preventScroll: true});
        }
    }

    // Asks about `anchor`, a link of `kind` ('magnet' or 'torrent'), in place of any question shown before; the
    // question is put away before onOpen or onNotNow is called.
    function showPrompt(anchor, kind, {onOpen, onNotNow}) {
        closePrompt(false);
        const {host, root} = shadowHost(PROMPT_HOST_STYLE, PROMPT_CSS);
        const titleId = nextId('sluice-prompt');
        const open = el('button', {type: 'button', class: 'primary', text: t('cardPromptOpen')});
        const notNow = el('button', {type: 'button', text: t('cardPromptNotNow')});
        const box = el('div', {class: 'box', role: 'dialog', 'aria-labelledby': titleId}, [
            el('p', {class: 'title', id: titleId,
                text: t(kind === 'magnet' ? 'cardPromptMagnet' : 'cardPromptTorrent')}),
            el('p', {class: 'note', text: t('cardPromptNote')}),
            el('div', {class: 'actions'}, [open, notNow]),
        ]);
        root.append(box);

        const rect = anchor.getBoundingClientRect();
        const left = Math.max(8, Math.min(rect.left, document.documentElement.clientWidth - 330));
        host.style.setProperty('left', `${Math.round(left + window.scrollX)}px`, 'important');
        host.style.setProperty('top', `${Math.round(rect.bottom + window.scrollY + 6)}px`, 'important');

        const decline = () => {
            closePrompt(false);
            onNotNow();
        };
        const accept = () => {
            closePrompt(true);
            onOpen();
        };
        open.addEventListener('click', accept);
        notNow.addEventListener('click', decline);
        // Enter and Space are answered here, not left to the buttons' own activation: Firefox activates a
        // focused button from the keyboard only while it is the focus manager's focused element, that is while
        // its window holds the focus, and otherwise drops both keys although they reach the button (Chromium
        // has no such condition). The keydown's default is prevented, so no browser activates it a second time.
        const actions = new Map([[open, accept], [notNow, decline]]);
        let spacePressed = null;
        box.addEventListener('keydown', (event) => {
            const action = event.isTrusted ? actions.get(event.target) : undefined;
            if (event.key === 'Escape') {
                event.preventDefault();
                decline();
            } else if (event.key === 'Tab') {
                // Two buttons, and focus stays between them until one is chosen.
                event.preventDefault();
                const next = root.activeElement === open ? notNow : open;
                next.focus();
            } else if (action && event.key === 'Enter') {
                event.preventDefault();
                if (!event.repeat) {
                    action();
                }
            } else if (action && event.key === ' ') {
                // As a button does: Space acts when it is released, on the button it was pressed on.
                event.preventDefault();
                spacePressed = event.target;
            }
        });
        box.addEventListener('keyup', (event) => {
            if (event.key === ' ' && event.isTrusted && event.target === spacePressed) {
                event.preventDefault();
                spacePressed = null;
                actions.get(event.target)();
            }
        });
        // A click elsewhere puts the question away without answering it.
        const onOutside = (event) => {
            if (!event.composedPath().includes(host)) {
                closePrompt(false);
            }
        };
        document.addEventListener('pointerdown', onOutside, true);
        prompt = {host, anchor, onOutside};
        (document.body ?? document.documentElement).append(host);
        open.focus();
    }

    globalThis.sluiceLinkPrompt = Object.freeze({showPrompt});
})();
