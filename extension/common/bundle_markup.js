// The bundle markup a landing page carries (protocol/gate-api.md): the text of its
// <script type="application/sluice-bundle+json"> element, one JSON object with exactly five members.
// The page is hostile and the markup only a hint: it says which magnet to add and which publisher key and
// bundle id the page claims, so the card can say when the signed bundle.json does not agree.
import {isMagnet, isWebUrl} from './links.js';

export const MAX_MARKUP_BYTES = 8192;

const MEMBERS = ['bundleId', 'gateUrl', 'magnet', 'publisherKey', 'version'];
const BUNDLE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
// An Ed25519 public key as the manifest writes it: 32 bytes of standard base64.
const PUBLISHER_KEY = /^ed25519:[A-Za-z0-9+/]{43}=$/;
const MAX_GATE_URL = 2048;

// UTF-8 bytes, counted without allocating them: a surrogate pair is 4 bytes, two halves of 2 each.
function byteLength(text) {
    let bytes = 0;
    for (let i = 0; i < text.length; i += 1) {
        const c = text.charCodeAt(i);
        bytes += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c < 0xe000) ? 2 : 3;
    }
    return bytes;
}

// {ok: true, markup: {bundleId, gateUrl, magnet, publisherKey, version}} or {ok: false, reason} (English,
// for the log; the page is told only that the markup was refused).
export function parseBundleMarkup(text) {
    if (typeof text !== 'string') {
        return {ok: false, reason: 'the markup is not text'};
    }
    if (byteLength(text) > MAX_MARKUP_BYTES) {
        return {ok: false, reason: `the markup is larger than ${MAX_MARKUP_BYTES} bytes`};
    }
    let value;
    try {
        value = JSON.parse(text);
    } catch {
        return {ok: false, reason: 'the markup is not JSON'};
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return {ok: false, reason: 'the markup is not a JSON object'};
    }
    const keys = Object.keys(value).sort();
    if (keys.length !== MEMBERS.length || keys.some((key, i) => key !== MEMBERS[i])) {
        return {ok: false, reason: `the markup must have exactly the members ${MEMBERS.join(', ')}`};
    }
    const {bundleId, gateUrl, magnet, publisherKey, version} = value;
    if (typeof bundleId !== 'string' || !BUNDLE_ID.test(bundleId)) {
        return {ok: false, reason: 'bundleId is not a bundle id'};
    }
    if (!Number.isSafeInteger(version) || version < 1) {
        return {ok: false, reason: 'version is not a positive integer'};
    }
    if (typeof publisherKey !== 'string' || !PUBLISHER_KEY.test(publisherKey)) {
        return {ok: false, reason: 'publisherKey is not an ed25519 key'};
    }
    if (typeof gateUrl !== 'string' || gateUrl.length > MAX_GATE_URL || (gateUrl !== '' && !isWebUrl(gateUrl))) {
        return {ok: false, reason: 'gateUrl is not an http(s) URL'};
    }
    if (!isMagnet(magnet)) {
        return {ok: false, reason: 'magnet is not a magnet link with a btih or btmh info-hash'};
    }
    return {ok: true, markup: {bundleId, gateUrl, magnet, publisherKey, version}};
}
