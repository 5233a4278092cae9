// A MOCK payment provider for the demo and the tests: no card, no money. It plays the provider's two roles
// in the pay-what-you-want gate (protocol/gate-api.md): a hosted checkout page the viewer is sent to, and
// the signed webhook that tells the gate the outcome. The page's Pay button makes this server sign
// `payment.succeeded` with the secret it shares with the gate (HMAC-SHA256 over "<t>.<body>", header
// `Sluice-Signature: t=<t>,v1=<hex>`) and POST it to the gate, exactly as a real provider would.
import {createHmac, randomBytes} from 'node:crypto';
import {createServer} from 'node:http';

export function signWebhook(secret, body, t = Math.floor(Date.now() / 1000)) {
    const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    return `t=${t},v1=${v1}`;
}

function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatAmount(minor, currency) {
    try {
        return new Intl.NumberFormat('fr-FR', {style: 'currency', currency}).format(minor / 100);
    } catch {
        return `${minor} ${currency}`;
    }
}

const style = `body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
.mock{background:#fff3c4;border:2px solid #8a6d00;padding:.5rem .75rem;border-radius:6px}
button{font:inherit;padding:.6rem 1.4rem;margin:.25rem .5rem .25rem 0;border-radius:6px;border:2px solid #1b1b1b;
background:#fff;cursor:pointer}button.pay{background:#0b5cad;border-color:#0b5cad;color:#fff}
button:focus-visible{outline:3px solid #d97b00;outline-offset:2px}`;

function page(title, inner) {
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title><style>${style}</style></head>
<body><main>
<h1>Demo checkout — no real payment</h1>
<p class="mock" lang="fr">Paiement de démonstration : aucun argent réel ne circule.</p>
${inner}
</main></body></html>`;
}

// Starts the mock provider on 127.0.0.1 (a free port). `gateUrl()` says where the gate listens (known only
// once the gate is started, after this server); `log` hears what happened to each payment.
export async function startMockCheckout({secret, gateUrl, log = () => {}}) {
    async function notifyGate(paymentId, outcome) {
        const body = JSON.stringify({id: `evt_${randomBytes(12).toString('hex')}`,
            type: outcome === 'paid' ? 'payment.succeeded' : 'payment.failed', paymentId});
        const reply = await fetch(new URL('v1/payments/webhook', gateUrl()), {
            method: 'POST', body,
            headers: {'Content-Type': 'application/json', 'Sluice-Signature': signWebhook(secret, body)},
        });
        const answer = await reply.json().catch(() => ({}));
        log(`mock checkout: payment ${paymentId} ${outcome}; the gate answered ${reply.status}`);
        return {status: reply.status, answer};
    }

    async function payment(paymentId) {
        const reply = await fetch(new URL(`v1/payments/${encodeURIComponent(paymentId)}`, gateUrl()));
        return reply.ok ? reply.json() : null;
    }

    async function handle(req, res) {
        const url = new URL(req.url, 'http://127.0.0.1');
        const send = (status, html) => {
            res.writeHead(status, {
                'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store',
                'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
            });
            res.end(html);
        };
        const paymentId = url.searchParams.get('p') ?? '';
        if (url.pathname !== '/checkout' || !/^[A-Za-z0-9_-]{1,64}$/.test(paymentId)) {
            send(404, page('Not found', '<p>No such checkout.</p>'));
            return;
        }
        if (req.method === 'POST') {
            const outcome = url.searchParams.get('outcome') === 'decline' ? 'failed' : 'paid';
            const {status} = await notifyGate(paymentId, outcome);
            const done = status === 200
                ? (outcome === 'paid'
                    ? '<p>Paid. You can close this tab: Sluice unlocks the item by itself.</p>'
                    : '<p>Payment declined. Nothing was charged.</p>')
                : `<p>The gate refused the notification (HTTP ${status}).</p>`;
            send(200, page('Demo checkout', done));
            return;
        }
        const p = await payment(paymentId);
        if (!p) {
            send(404, page('Not found', '<p>The gate knows no such payment.</p>'));
            return;
        }
        const action = (outcome) => `?p=${encodeURIComponent(paymentId)}&amp;outcome=${outcome}`;
        send(200, page('Demo checkout', `
<p>Bundle <strong>${escapeHtml(p.bundleId)}</strong>, payment <code>${escapeHtml(p.paymentId)}</code>:
<strong>${escapeHtml(formatAmount(p.amount, p.currency))}</strong> (${escapeHtml(p.state)}).</p>
<form method="post" action="${action('pay')}"><button class="pay" type="submit">Pay (mock)</button></form>
<form method="post" action="${action('decline')}"><button type="submit">Decline</button></form>`));
    }

    const server = createServer((req, res) => {
        handle(req, res).catch((error) => {
            log(`mock checkout: ${error.message}`);
            if (!res.headersSent) {
                res.writeHead(502, {'Content-Type': 'text/plain'});
            }
            res.end('mock checkout failed\n');
        });
    });
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
    });
    const base = `http://127.0.0.1:${server.address().port}/`;
    return {
        base,
        checkoutTemplate: `${base}checkout?p={payment}`,
        // What the Pay button does, for tests that have no browser at hand.
        complete: (paymentId, outcome = 'paid') => notifyGate(paymentId, outcome),
        close: () => new Promise((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}
