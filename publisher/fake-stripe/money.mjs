// Amounts as the page shows them. Stripe counts in the currency's smallest unit: cents for EUR, but whole
// yen for JPY, so the number of decimals comes from the currency.
export function formatAmount(minor, currency) {
    try {
        const format = new Intl.NumberFormat('en', {style: 'currency', currency: currency.toUpperCase()});
        return format.format(minor / 10 ** format.resolvedOptions().maximumFractionDigits);
    } catch {
        return `${minor} ${currency}`;
    }
}
