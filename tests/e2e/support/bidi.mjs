// A small WebDriver BiDi client (Firefox speaks it natively with --remote-debugging-port): enough to find
// the browser's tabs and evaluate script in one. The `ws` package, since Node's own WebSocket needs Node 22.
import WebSocket from 'ws';

export class BidiSession {
    static async connect(url) {
        const socket = new WebSocket(url);
        await new Promise((resolve, reject) => {
            socket.onopen = resolve;
            socket.onerror = () => reject(new Error(`cannot open ${url}`));
        });
        const session = new BidiSession(socket);
        await session.send('session.new', {capabilities: {}});
        return session;
    }

    constructor(socket) {
        this.socket = socket;
        this.nextId = 1;
        this.pending = new Map();
        socket.onmessage = (message) => {
            const reply = JSON.parse(message.data);
            const waiter = this.pending.get(reply.id);
            if (waiter) {
                this.pending.delete(reply.id);
                waiter(reply);
            }
        };
    }

    async send(method, params) {
        const id = this.nextId++;
        const reply = await new Promise((resolve) => {
            this.pending.set(id, resolve);
            this.socket.send(JSON.stringify({id, method, params}));
        });
        if (reply.type === 'error') {
            throw new Error(`${method}: ${reply.error}: ${reply.message}`);
        }
        return reply.result;
    }

    async contexts() {
        const tree = await this.send('browsingContext.getTree', {});
        return tree.contexts.map(({context, url}) => ({context, url}));
    }

    // Evaluates an expression (awaiting a promise) in a tab; answers its value as JSON, or throws the page's
    // exception text.
    async evaluate(context, expression) {
        const result = await this.send('script.evaluate', {
            expression: `(async () => JSON.stringify(await (${expression})))()`,
            target: {context}, awaitPromise: true,
        });
        if (result.type === 'exception') {
            throw new Error(`${expression}: ${result.exceptionDetails.text}`);
        }
        return JSON.parse(result.result.value ?? 'null');
    }

    close() {
        this.socket.close();
    }
}
