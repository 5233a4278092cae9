// The hosted checkout page's HTML: what the backer's browser shows at the session's `url`. It says plainly,
// at the top of every page, that it is a fake; it offers one button per test card (each carries
// `data-card` so a browser test can pick one) and leaves out anything a real checkout would need a script
// for, so the page works under a CSP that allows no script at all.
import {TEST_CARDS} from './cards.mjs';
import {escapeHtml} from './http_util.mjs';
import {formatAmount} from './money.mjs';

export const FAKE_BANNER = 'FAKE payment provider for tests and the demo — no real money, not Stripe';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:0 1rem 2rem;color:#1b1b1b}
.fake{background:#fff3c4;border:2px solid #8a6d00;padding:.5rem .75rem;border-radius:6px;margin:1rem 0}
.error{background:#fde8e8;border:2px solid #a61b1b;padding:.5rem .75rem;border-radius:6px}
fieldset{border:1px solid #888;border-radius:6px;padding:.5rem 1rem}
.card{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem 1rem;margin:.5rem 0}
button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:2px solid #0b5cad;background:#0b5cad;color:#fff;
cursor:pointer}button:focus-visible,a:focus-visible,input:focus-visible{outline:3px solid #d97b00;outline-offset:2px}
input{font:inherit;padding:.4rem;width:100%;max-width:24rem;box-sizing:border-box}
.note{color:#444;font-size:.9rem}`;

const groupDigits = (number) => number.replace(/(\d{4})(?=\d)/g, '$1 ');

export function page(title, inner) {
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — FAKE checkout</title><style>${STYLE}</style></head>
<body>
<p class="fake" role="note"><strong>${escapeHtml(FAKE_BANNER)}</strong></p>
<main>
${inner}
</main></body></html>
`;
}

function lineItemList(lineItems) {
    const rows = lineItems.map((item) => {
        const quantity = item.quantity > 1 ? ` × ${item.quantity}` : '';
        const amount = formatAmount(item.unitAmount * item.quantity, item.currency);
        const description = item.description ? `<br><span class="note">${escapeHtml(item.description)}</span>` : '';
        return `<li>${escapeHtml(item.name)}${quantity} — ${escapeHtml(amount)}${description}</li>`;
    });
    return `<ul>${rows.join('')}</ul>`;
}

function purpose(session, extra) {
    if (session.mode === 'payment') {
        const total = formatAmount(session.amount_total, session.currency);
        const description = extra.paymentIntentData?.description;
        return `<h1>Pay ${escapeHtml(total)}</h1>
${lineItemList(extra.lineItems)}
${description ? `<p>${escapeHtml(description)}</p>` : ''}`;
    }
    const notes = [session.metadata.description, extra.setupIntentData?.description].filter(Boolean);
    return `<h1>Save a card for a later charge</h1>
<p>(You are charged only if the seller later charges this card, as described here; saving it takes no money.)</p>
${notes.map((note) => `<p>${escapeHtml(note)}</p>`).join('\n')}`;
}

function cardButton(card, verb, index) {
    const noteId = `card-note-${index}`;
    return `<div class="card"><button type="submit" name="card" value="${card.number}" data-card="${card.number}"
aria-describedby="${noteId}">${escapeHtml(verb)} with ${groupDigits(card.number)}</button>
<span class="note" id="${noteId}">${escapeHtml(card.summary)}</span></div>`;
}

// `problem`: a message to show above the form (a declined card, a refused one), or null.
export function checkoutPage(session, extra, problem = null) {
    const verb = session.mode === 'payment' ? `Pay ${formatAmount(session.amount_total, session.currency)}`
        : 'Save card';
    const email = session.customer_details?.email ?? session.customer_email ?? '';
    const cancel = session.cancel_url
        ? `<p><a href="${escapeHtml(session.cancel_url)}">Cancel and go back</a></p>` : '';
    return page(session.mode === 'payment' ? 'Pay' : 'Save a card', `${purpose(session, extra)}
${problem ? `<p class="error" role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="/pay/${escapeHtml(session.id)}">
<p><label for="email">Email (optional)</label><br>
<input id="email" name="email" type="email" autocomplete="email" value="${escapeHtml(email)}"></p>
<fieldset><legend>Choose a test card (no real card is ever asked for)</legend>
${TEST_CARDS.map((card, index) => cardButton(card, verb, index)).join('\n')}
</fieldset>
</form>
${cancel}
<p class="note">Test cards marked FAKE-ONLY behave as this fake says, not as Stripe's card of that number.</p>`);
}

export function messagePage(title, text, link = null) {
    const next = link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : '';
    return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(text)}</p>\n${next}`);
}
