// The card a page's content script shows for a bundle, built from picked members only: defined in
// classic/card.js, a classic script the content scripts load too (extension/README.md, "Code shared with the
// content scripts").
import './format.js';
import './classic/card.js';

export const {cardStatus, buildCard, itemUnlockable, gatesShown, pledgeView} = globalThis.sluiceCard;
