// Error codes of the native-messaging protocol, mirrored from protocol/errors.json (a test keeps the two
// in step). The extension shows people what went wrong by these, never by parsing messages.
// A classic script shared with the content scripts, which read globalThis.sluiceErrorCodes; pages and the
// background import common/error_codes.js (extension/README.md, "Code shared with the content scripts").
(() => {
    'use strict';

    const ErrorCode = Object.freeze({
        PARSE_ERROR: -32700,
        INVALID_REQUEST: -32600,
        METHOD_NOT_FOUND: -32601,
        INVALID_PARAMS: -32602,
        INTERNAL_ERROR: -32603,
        FRAME_TOO_LARGE: -32000,
        EMPTY_FRAME: -32001,
        REPLY_TOO_LARGE: -32002,
        INVALID_MAGNET: 1001,
        INVALID_TORRENT: 1002,
        TORRENT_NOT_FOUND: 1003,
        FILE_NOT_FOUND: 1004,
        FETCH_FAILED: 1005,
        INVALID_SAVE_PATH: 1006,
        ADD_FAILED: 1007,
        BUNDLE_NOT_FOUND: 1101,
        TOKEN_REFUSED: 1102,
        ITEM_NOT_FOUND: 1103,
        ITEM_LOCKED: 1104,
        ITEM_INCOMPLETE: 1105,
        EXPORT_FAILED: 1106,
        GATE_UNREACHABLE: 1107,
        GATE_REFUSED: 1108,
        GATE_BAD_ANSWER: 1109,
        GATE_NOT_OFFERED: 1110,
        PLEDGE_NOT_FOUND: 1111,
        PLEDGE_PENDING: 1112,
        PAYMENT_PROVIDER_FAILED: 1113,
        PLEDGE_NOT_UPDATABLE: 1114,
        TIER_SOLD_OUT: 1115,
        UNKNOWN_TIER: 1116,
        MEDIA_TOOLS_MISSING: 1201,
        MEDIA_UNREADABLE: 1202,
        MEDIA_UNPLAYABLE: 1203,
        MEDIA_BUSY: 1204,
    });

    // The extension's own codes, for what happens before a request reaches the host or after it failed to answer.
    // Kept apart from the protocol's (2000s) so the two can never collide.
    const ExtensionError = Object.freeze({
        HOST_NOT_INSTALLED: 2001,
        HOST_CRASHED: 2002,
        HOST_TIMEOUT: 2003,
        HOST_INCOMPATIBLE: 2004,
        NOT_ALLOWED: 2005,
        BAD_INTENT: 2006,
        RATE_LIMITED: 2007,
        MARKUP_INVALID: 2008,
    });

    globalThis.sluiceErrorCodes = Object.freeze({ErrorCode, ExtensionError});
})();
