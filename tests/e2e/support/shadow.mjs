// The card and the link prompt live in closed shadow roots, which page script (and Playwright's selectors)
// cannot enter. The DevTools protocol can: DOM.getDocument with pierce lists closed roots too. These helpers
// find an element there and act on it as a person's mouse and keyboard would.
export async function shadowElement(page, selector, {timeout = 15000} = {}) {
    const cdp = await page.context().newCDPSession(page);
    const deadline = Date.now() + timeout;
    try {
        for (;;) {
            const {root} = await cdp.send('DOM.getDocument', {depth: -1, pierce: true});
            for (const shadow of closedRoots(root)) {
                const {nodeId} = await cdp.send('DOM.querySelector', {nodeId: shadow.nodeId, selector});
                if (nodeId) {
                    const {object} = await cdp.send('DOM.resolveNode', {nodeId});
                    return {cdp, objectId: object.objectId, nodeId};
                }
            }
            if (Date.now() > deadline) {
                throw new Error(`no ${selector} in any shadow root after ${timeout} ms`);
            }
            await new Promise((resolve) => setTimeout(resolve, 250));
        }
    } catch (error) {
        await cdp.detach().catch(() => {});
        throw error;
    }
}

function* closedRoots(node) {
    for (const shadow of node.shadowRoots ?? []) {
        yield shadow;
        yield* closedRoots(shadow);
    }
    for (const child of node.children ?? []) {
        yield* closedRoots(child);
    }
    if (node.contentDocument) {
        yield* closedRoots(node.contentDocument);
    }
}

// Runs `fn` (source of a function taking the element as `this`) on the first match; answers its value.
export async function onShadowElement(page, selector, fn, options) {
    const {cdp, objectId} = await shadowElement(page, selector, options);
    try {
        const {result, exceptionDetails} = await cdp.send('Runtime.callFunctionOn', {
            objectId, functionDeclaration: fn, returnByValue: true, awaitPromise: true,
        });
        if (exceptionDetails) {
            throw new Error(`${selector}: ${exceptionDetails.text} ${exceptionDetails.exception?.description ?? ''}`);
        }
        return result.value;
    } finally {
        await cdp.detach().catch(() => {});
    }
}

// Clicks the element's centre with the mouse, as a person would (trusted events, focus and all), once it is
// laid out (a section may still be opening).
export async function clickShadow(page, selector, {timeout = 15000} = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
        const {cdp, nodeId} = await shadowElement(page, selector, {timeout});
        try {
            await cdp.send('DOM.scrollIntoViewIfNeeded', {nodeId});
            const {model} = await cdp.send('DOM.getBoxModel', {nodeId});
            const [x1, y1, , , x3, y3] = model.content;
            await page.mouse.click((x1 + x3) / 2, (y1 + y3) / 2);
            return;
        } catch (error) {
            if (Date.now() > deadline) {
                throw new Error(`${selector}: ${error.message}`);
            }
        } finally {
            await cdp.detach().catch(() => {});
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
}

// Types into an input as a person would: focus by click, then key presses.
export async function typeShadow(page, selector, text, options) {
    await clickShadow(page, selector, options);
    await page.keyboard.type(text);
}

export async function shadowText(page, selector, options) {
    return onShadowElement(page, selector, 'function () { return this.textContent; }', options);
}
