// As much of a DOM as the content scripts' card touches when it draws and is clicked: elements made by
// document.createElement (ui.js's el), their text, attributes, children, hidden flag and listeners, and a closed
// shadow root. No layout, no selectors but the page's first heading.

class FakeText {
    constructor(text) {
        this.textContent = String(text);
        this.parent = null;
    }
}

// The properties el() sets as properties (`k in node`); anything else becomes an attribute.
const PROPERTIES = {id: '', type: '', value: '', min: '', max: '', step: '', src: '', title: '', name: '', required: false,
    spellcheck: true, hidden: false, checked: false, disabled: false};

export class FakeElement {
    constructor(tag) {
        this.tagName = tag.toUpperCase();
        Object.assign(this, PROPERTIES);
        this.className = '';
        this.children = [];
        this.parent = null;
        this.attributes = new Map();
        this.listeners = new Map();
        this.dataset = {};
        const element = this;
        this.classList = {
            toggle(name, on) {
                const names = new Set(element.className.split(' ').filter(Boolean));
                if (on ?? !names.has(name)) {
                    names.add(name);
                } else {
                    names.delete(name);
                }
                element.className = [...names].join(' ');
            },
            add(name) {
                this.toggle(name, true);
            },
            contains(name) {
                return element.className.split(' ').includes(name);
            },
        };
    }

    get textContent() {
        return this.children.map((c) => c.textContent).join('');
    }

    set textContent(text) {
        this.replaceChildren(String(text));
    }

    get firstChild() {
        return this.children[0] ?? null;
    }

    get nextSibling() {
        const siblings = this.parent?.children ?? [];
        return siblings[siblings.indexOf(this) + 1] ?? null;
    }

    adopt(child) {
        const node = typeof child === 'string' ? new FakeText(child) : child;
        node.parent?.children.splice(node.parent.children.indexOf(node), 1);
        node.parent = this;
        return node;
    }

    append(...children) {
        for (const child of children) {
            this.children.push(this.adopt(child));
        }
    }

    prepend(...children) {
        this.children.unshift(...children.map((c) => this.adopt(c)));
    }

    replaceChildren(...children) {
        this.children.forEach((c) => { c.parent = null; });
        this.children = [];
        this.append(...children.filter((c) => c !== ''));
    }

    insertBefore(child, before) {
        const node = this.adopt(child);
        const at = before ? this.children.indexOf(before) : -1;
        this.children.splice(at < 0 ? this.children.length : at, 0, node);
    }

    after(node) {
        const siblings = this.parent.children;
        const adopted = this.parent.adopt(node);
        siblings.splice(siblings.indexOf(this) + 1, 0, adopted);
    }

    remove() {
        this.parent?.children.splice(this.parent.children.indexOf(this), 1);
        this.parent = null;
    }

    setAttribute(name, value) {
        this.attributes.set(name, String(value));
    }

    getAttribute(name) {
        return this.attributes.get(name) ?? null;
    }

    removeAttribute(name) {
        this.attributes.delete(name);
    }

    addEventListener(type, listener) {
        if (!this.listeners.has(type)) {
            this.listeners.set(type, []);
        }
        this.listeners.get(type).push(listener);
    }

    // Runs the listeners of `type`; a form's submit gets an event whose default can be prevented.
    dispatch(type) {
        const event = {type, defaultPrevented: false, preventDefault() { this.defaultPrevented = true; }};
        for (const listener of this.listeners.get(type) ?? []) {
            listener(event);
        }
        return event;
    }

    attachShadow() {
        this.shadow = new FakeElement('#shadow-root');
        return this.shadow;
    }

    focus() {}

    scrollIntoView() {}
}

// A document with a body, no bundle markup and no heading unless given.
export function fakeDom({heading = false} = {}) {
    const body = new FakeElement('body');
    const h1 = heading ? new FakeElement('h1') : null;
    if (h1) {
        body.append(h1);
    }
    return {
        body,
        documentElement: new FakeElement('html'),
        asked: [],
        createElement: (tag) => new FakeElement(tag),
        querySelector: (selector) => (selector === 'h1' ? h1 : null),
        querySelectorAll(selector) {
            this.asked.push(selector);
            return [];
        },
    };
}
