// The intent table: who may ask what. The sender is classified by what the browser says about it, the
// intent is looked up in that sender's table only, content scripts are rate-limited per tab, and every
// answer has one shape: {ok: true, result} or {ok: false, error: {code, message, data?}}.
import {ErrorCode, ExtensionError} from '../common/error_codes.js';
import {APP_INTENTS, wantItemFiles} from './app_intents.js';
import {FRAME_INTENTS, PAGE_INTENTS} from './page_intents.js';
import {classifySender, senderOrigin} from './senders.js';
import {RateLimiter} from './rate_limit.js';
import {Announcements} from './announcements.js';

const ERROR_NAMES = new Map([...Object.entries(ErrorCode), ...Object.entries(ExtensionError)]
    .map(([name, code]) => [code, name.toLowerCase()]));
// What a page may learn of a host error beyond its code: the gate's reason code and the token problem name.
const PAGE_ERROR_DATA = ['gateCode', 'problem', 'willRetry'];

const TABLES = {extension: APP_INTENTS, content: PAGE_INTENTS, frame: FRAME_INTENTS};
const SENDER_NAMES = {extension: 'a page of ours', content: 'a content script', frame: 'a frame\'s content script'};

function failure(code, message, data) {
    const error = {code, message};
    if (data !== undefined) {
        error.data = data;
    }
    return {ok: false, error};
}

// A content script gets the code and a fixed name for it: host messages can hold paths and other details
// that are none of the page's business.
function pageFailure(error) {
    const code = Number.isInteger(error.code) ? error.code : ErrorCode.INTERNAL_ERROR;
    const data = {};
    for (const key of PAGE_ERROR_DATA) {
        const value = error.data?.[key];
        if (typeof value === 'string' ? value.length <= 64 : typeof value === 'boolean') {
            data[key] = value;
        }
    }
    return failure(code, ERROR_NAMES.get(code) ?? 'error', Object.keys(data).length > 0 ? data : undefined);
}

function appFailure(error) {
    const code = Number.isInteger(error.code) ? error.code : ErrorCode.INTERNAL_ERROR;
    return failure(code, String(error.message ?? ''), error.data);
}

// deps: host, state, priorities, runtimeId, extensionOrigin, extensionUrl(path), openTab(url),
// linkPolicy() → 'ask' | 'always' | 'never', playsAnswered(answered?) → whether the viewer answered the player's
// question about reporting plays (true: remember that they did), cardChanged(infoHash), log(text); optionally now() for the
// rate limits and pledged(infoHash, result) after the host recorded a pledge (the notification).
export function createIntents(deps) {
    const announcements = deps.announcements ?? new Announcements();
    const now = deps.now ?? (() => Date.now());
    const limiter = new RateLimiter({limit: 20, windowMs: 1000, now});
    // Tabs a page can make us open: one a second is plenty for a person clicking.
    const tabLimiter = new RateLimiter({limit: 1, windowMs: 1000, now});
    const log = deps.log ?? (() => {});
    const base = {...deps, announcements, tabLimiter, log};
    base.wantItems = (hash, paths) => wantItemFiles(base, hash, paths);

    async function handle(message, sender) {
        const kind = classifySender(sender, deps);
        if (!kind) {
            log(`refused a message from ${String(sender?.url).slice(0, 200)} (id ${sender?.id})`);
            return failure(ExtensionError.NOT_ALLOWED, 'not allowed');
        }
        // A tab's frames share its budget, keyed by the tab alone: a page cannot buy more by embedding frames.
        if (kind !== 'extension' && !limiter.allow(`${sender.tab.id}`)) {
            return failure(ExtensionError.RATE_LIMITED, 'rate_limited');
        }
        const table = TABLES[kind];
        const intent = message !== null && typeof message === 'object' ? message.intent : undefined;
        if (typeof intent !== 'string' || !Object.hasOwn(table, intent)) {
            const known = Object.hasOwn(APP_INTENTS, intent) || Object.hasOwn(PAGE_INTENTS, intent);
            if (known) {
                log(`refused ${intent} from ${SENDER_NAMES[kind]}`);
            }
            return kind === 'extension' ? failure(known ? ExtensionError.NOT_ALLOWED : ExtensionError.BAD_INTENT,
                known ? 'not allowed' : 'unknown intent') : pageFailure({code: known ? ExtensionError.NOT_ALLOWED
                : ExtensionError.BAD_INTENT});
        }
        // A frame speaks for its own origin, never for the page around it.
        const ctx = kind === 'extension' ? base
            : {...base, page: {tabId: sender.tab.id, frameId: sender.frameId, origin: senderOrigin(sender)}};
        try {
            return {ok: true, result: await table[intent](ctx, message)};
        } catch (error) {
            if (!Number.isInteger(error?.code)) {
                log(`${intent} failed: ${error?.stack ?? error}`);
            }
            return kind === 'extension' ? appFailure(error ?? {}) : pageFailure(error ?? {});
        }
    }

    return {
        handle,
        announcements,
        wantItems: base.wantItems,
        // A tab closed or navigated away: its page's announcements and its rate-limit history go.
        forgetTab(tabId) {
            announcements.forgetTab(tabId);
            limiter.forget(`${tabId}`);
            tabLimiter.forget(`${tabId}`);
        },
    };
}
