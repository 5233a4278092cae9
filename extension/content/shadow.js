// What the content scripts draw in a page (a bundle's card, the question a link click asks) lives in a closed
// shadow root, under a host element whose style the page cannot easily undo: the page sees an empty element, and
// its styles reach the host but not what is inside.
(() => {
    'use strict';

    const {el} = globalThis.sluiceUi;

    // What the card and the prompt have in common: colours (light and dark), text, buttons and inputs.
    const BASE_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.box {
    --fg: #1b1f24; --bg: #ffffff; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa;
    --accent: #0b5cc4; --accent-fg: #ffffff; --error: #b42318; --ok: #1a7f37; --focus: #0969da;
    display: block; color: var(--fg); background: var(--bg); border: 1px solid var(--line);
    border-radius: 8px; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
    text-align: start; direction: ltr; letter-spacing: normal; text-transform: none;
}
@media (prefers-color-scheme: dark) {
    .box {
        --fg: #e6edf3; --bg: #15191e; --muted: #9aa6b2; --line: #30363d; --soft: #1e242b;
        --accent: #4c9bff; --accent-fg: #0b1320; --error: #ff7b72; --ok: #56d364; --focus: #79b8ff;
    }
}
button {
    font: inherit; font-size: 14px; padding: 5px 14px; border-radius: 6px; cursor: pointer;
    border: 1px solid var(--accent); color: var(--accent); background: transparent; margin: 0;
}
button.primary { color: var(--accent-fg); background: var(--accent); }
button[aria-busy="true"] { opacity: 0.6; cursor: progress; }
input {
    font: inherit; font-size: 14px; padding: 5px 8px; border: 1px solid var(--muted); border-radius: 6px;
    color: var(--fg); background: var(--bg); margin: 0; min-width: 0;
}
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
p { margin: 0; }
`;

    // A host element and its closed shadow root holding `css`. The page's own styles reach the host element (not its
    // shadow tree): `hostStyle`, made of !important declarations, wins over them but for a page script, which can
    // always remove what it hosts.
    function shadowHost(hostStyle, css) {
        const host = document.createElement('div');
        host.setAttribute('style', hostStyle);
        const root = host.attachShadow({mode: 'closed'});
        root.append(el('style', {text: css}));
        return {host, root};
    }

    // Ids unique in the frame, for aria-labelledby and label[for] inside a shadow root.
    let uid = 0;
    function nextId(prefix) {
        uid += 1;
        return `${prefix}-${uid}`;
    }

    globalThis.sluiceShadow = Object.freeze({BASE_CSS, shadowHost, nextId});
})();
