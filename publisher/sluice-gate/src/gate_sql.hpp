#pragma once

// Every SQL statement the gate runs, in one place. The dialect is kept to what SQLite and PostgreSQL both
// accept (TEXT, BIGINT, INTEGER, explicit primary keys, ON CONFLICT ... DO, no AUTOINCREMENT, no
// INSERT OR REPLACE, times as BIGINT seconds since the epoch, booleans as INTEGER 0/1), so a PostgreSQL store
// can run the same text with its placeholders rewritten ('?' to '$n'). Pragmas are SQLite's own and live in
// sqlite_store.cpp.

#include <iterator>

namespace sluice::gate::sql {

// A pledge whose card the provider saved, and which its backer did not cancel: what counts toward a
// campaign's goal (gate_store.hpp, pledge_record), and still counts once a failed campaign released it.
#define SLUICE_BACKER_CONDITION                                                                              \
    "state IN ('confirmed', 'charging', 'charged', 'charge_failed', 'failed', 'released') AND confirmed_at " \
    "IS "                                                                                                    \
    "NOT NULL"

// The schema. A pledge is unique per (campaign, idempotency key), a payment per (bundle, idempotency key),
// and their request hash tells a retry of the same body from a reuse of the key for another body.
// Version 2 added the payments and the provider's applied events; both are new tables, so a version 1
// database is brought up to date by running this text again (every statement is IF NOT EXISTS).
inline constexpr char const* schema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL PRIMARY KEY
);
INSERT INTO schema_version (version) VALUES (1) ON CONFLICT (version) DO NOTHING;
INSERT INTO schema_version (version) VALUES (2) ON CONFLICT (version) DO NOTHING;

CREATE TABLE IF NOT EXISTS bundles (
    id          TEXT   NOT NULL PRIMARY KEY,
    version     BIGINT NOT NULL,
    manifest    TEXT   NOT NULL,
    signature   TEXT   NOT NULL, -- base64 of bundle.sig: TEXT ports, BLOB/BYTEA differ
    keys        TEXT   NOT NULL,
    magnet      TEXT   NOT NULL,
    imported_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS unlocks (
    token_id       TEXT   NOT NULL PRIMARY KEY,
    bundle_id      TEXT   NOT NULL REFERENCES bundles (id),
    bundle_version BIGINT NOT NULL,
    grantee_kind   TEXT   NOT NULL,
    grantee_ref    TEXT   NOT NULL,
    device         TEXT   NOT NULL,
    token          TEXT   NOT NULL,
    issued_at      BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS unlocks_by_bundle ON unlocks (bundle_id);
CREATE INDEX IF NOT EXISTS unlocks_by_grantee ON unlocks (grantee_kind, grantee_ref);

CREATE TABLE IF NOT EXISTS email_requests (
    request_id      TEXT    NOT NULL PRIMARY KEY,
    bundle_id       TEXT    NOT NULL REFERENCES bundles (id),
    email           TEXT    NOT NULL,
    device          TEXT    NOT NULL,
    code_hash       TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    attempts        INTEGER NOT NULL,
    unlock_token_id TEXT    NULL REFERENCES unlocks (token_id)
);
CREATE INDEX IF NOT EXISTS email_requests_by_email ON email_requests (email, created_at);

CREATE TABLE IF NOT EXISTS campaigns (
    id                TEXT   NOT NULL PRIMARY KEY,
    bundle_id         TEXT   NOT NULL REFERENCES bundles (id),
    goal_backers      BIGINT NULL,
    goal_amount       BIGINT NULL,
    price             BIGINT NOT NULL,
    currency          TEXT   NOT NULL,
    deadline          BIGINT NOT NULL,
    expected_delivery TEXT   NOT NULL,
    if_goal_missed    TEXT   NOT NULL,
    state             TEXT   NOT NULL,
    closed_at         BIGINT NULL
);

CREATE TABLE IF NOT EXISTS pledges (
    pledge_id       TEXT   NOT NULL PRIMARY KEY,
    campaign_id     TEXT   NOT NULL REFERENCES campaigns (id),
    idempotency_key TEXT   NOT NULL,
    request_hash    TEXT   NOT NULL,
    amount          BIGINT NOT NULL,
    device          TEXT   NOT NULL,
    state           TEXT   NOT NULL,
    response        TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    cancelled_at    BIGINT NULL,
    UNIQUE (campaign_id, idempotency_key)
);
-- Holds the amount too, so that a campaign's totals (the count and sum of its active pledges, asked for on every
-- status request) are read from the index alone, not from each pledge's row: 13 ms instead of 79 at 250,000 pledges.
DROP INDEX IF EXISTS pledges_by_campaign;
CREATE INDEX IF NOT EXISTS pledges_by_campaign_amount ON pledges (campaign_id, state, amount);

CREATE TABLE IF NOT EXISTS deliveries (
    campaign_id  TEXT   NOT NULL REFERENCES campaigns (id),
    bundle_id    TEXT   NOT NULL REFERENCES bundles (id),
    delivered_at BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, bundle_id)
);

CREATE TABLE IF NOT EXISTS payments (
    payment_id      TEXT   NOT NULL PRIMARY KEY,
    bundle_id       TEXT   NOT NULL REFERENCES bundles (id),
    idempotency_key TEXT   NOT NULL,
    request_hash    TEXT   NOT NULL,
    amount          BIGINT NOT NULL,
    currency        TEXT   NOT NULL,
    device          TEXT   NOT NULL,
    state           TEXT   NOT NULL,
    response        TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    settled_at      BIGINT NULL,
    unlock_token_id TEXT   NULL REFERENCES unlocks (token_id),
    UNIQUE (bundle_id, idempotency_key)
);

-- Each provider event is applied once: its id is kept with the state change it made.
CREATE TABLE IF NOT EXISTS payment_events (
    event_id   TEXT   NOT NULL PRIMARY KEY,
    payment_id TEXT   NOT NULL REFERENCES payments (payment_id),
    type       TEXT   NOT NULL,
    applied_at BIGINT NOT NULL
);
)sql";

// The schema's version, kept in the database (SQLite: PRAGMA user_version); the gate refuses to open a
// database of a later version than it knows. `schema` above is version 1 and is created as it is; each
// migration brings the version before it to its own, in one transaction.
inline constexpr int schema_version = 7;

// 2: pledges are pre-orders charged at funding (payment_provider.hpp): the pledge keeps its saved method and
// its charges' pacing, each charge and refund is a row written before it is sent, and every provider event
// id applied is kept (the payment events of version 1 among them). Pledges of version 1 had no payment
// method: they become `confirmed`, and their charge fails until the backer saves one.
inline constexpr char const* migration_2 = R"sql(
ALTER TABLE pledges ADD COLUMN customer TEXT NOT NULL DEFAULT '';
ALTER TABLE pledges ADD COLUMN payment_method TEXT NOT NULL DEFAULT '';
ALTER TABLE pledges ADD COLUMN checkout_url TEXT NOT NULL DEFAULT '';
ALTER TABLE pledges ADD COLUMN confirmed_at BIGINT NULL;
ALTER TABLE pledges ADD COLUMN charged_at BIGINT NULL;
ALTER TABLE pledges ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pledges ADD COLUMN next_charge_at BIGINT NULL;
ALTER TABLE pledges ADD COLUMN grace_until BIGINT NULL;
ALTER TABLE pledges ADD COLUMN last_decline TEXT NOT NULL DEFAULT '';
ALTER TABLE pledges ADD COLUMN method_released INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pledges ADD COLUMN email TEXT NOT NULL DEFAULT '';
UPDATE pledges SET state = 'confirmed' WHERE state = 'active';
CREATE INDEX pledges_by_state ON pledges (state, next_charge_at);
-- The campaign's totals from the index alone, as pledges_by_campaign_amount did for version 1.
CREATE INDEX pledges_backers ON pledges (campaign_id, state, confirmed_at, amount);

CREATE TABLE charges (
    charge_key   TEXT    NOT NULL PRIMARY KEY,
    pledge_id    TEXT    NOT NULL REFERENCES pledges (pledge_id),
    attempt      INTEGER NOT NULL,
    amount       BIGINT  NOT NULL,
    currency     TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    provider_id  TEXT    NOT NULL DEFAULT '',
    decline_code TEXT    NOT NULL DEFAULT '',
    started_at   BIGINT  NOT NULL,
    settled_at   BIGINT  NULL,
    UNIQUE (pledge_id, attempt)
);
CREATE INDEX charges_by_state ON charges (state);

CREATE TABLE refunds (
    refund_key  TEXT   NOT NULL PRIMARY KEY,
    pledge_id   TEXT   NOT NULL REFERENCES pledges (pledge_id),
    charge_key  TEXT   NOT NULL REFERENCES charges (charge_key),
    amount      BIGINT NOT NULL,
    state       TEXT   NOT NULL,
    provider_id TEXT   NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX refunds_by_pledge ON refunds (pledge_id);

ALTER TABLE payments ADD COLUMN provider_id TEXT NOT NULL DEFAULT '';

CREATE TABLE provider_events (
    event_id   TEXT   NOT NULL PRIMARY KEY,
    type       TEXT   NOT NULL,
    applied_at BIGINT NOT NULL
);
INSERT INTO provider_events (event_id, type, applied_at) SELECT event_id, type, applied_at FROM payment_events;

CREATE TABLE campaign_updates (
    update_id   TEXT   NOT NULL PRIMARY KEY,
    campaign_id TEXT   NOT NULL REFERENCES campaigns (id),
    title       TEXT   NOT NULL,
    body        TEXT   NOT NULL,
    posted_at   BIGINT NOT NULL
);
CREATE INDEX campaign_updates_by_campaign ON campaign_updates (campaign_id, posted_at);
)sql";

// 3: reward tiers. A campaign's tiers, as its first import declared them (items and deliveries as JSON
// arrays, NULL for all); a version 2 campaign had one price, which becomes its one tier. A pledge names its
// tier, and a released one why it was released.
inline constexpr char const* migration_3 = R"sql(
CREATE TABLE campaign_tiers (
    campaign_id    TEXT    NOT NULL REFERENCES campaigns (id),
    tier_id        TEXT    NOT NULL,
    ordinal        INTEGER NOT NULL,
    title          TEXT    NOT NULL,
    description    TEXT    NOT NULL,
    price          BIGINT  NOT NULL,
    items          TEXT    NULL,
    deliveries     TEXT    NULL,
    quantity_limit BIGINT  NULL,
    PRIMARY KEY (campaign_id, tier_id)
);
INSERT INTO campaign_tiers (campaign_id, tier_id, ordinal, title, description, price)
    SELECT id, 'pledge', 0, 'Pledge', '', price FROM campaigns;
ALTER TABLE pledges ADD COLUMN tier_id TEXT NOT NULL DEFAULT 'pledge';
ALTER TABLE pledges ADD COLUMN release_reason TEXT NOT NULL DEFAULT '';
-- Each tier's backers from the index alone (a campaign's totals are their sum).
CREATE INDEX pledges_by_tier ON pledges (campaign_id, tier_id, state, confirmed_at, amount);
)sql";

// 4: several gates on one database. A pledge or payment whose checkout is being opened is leased to the
// request opening it until `checkout_lease` (seconds since the epoch): another request with the same key,
// on any gate, is told to retry rather than open a second page.
inline constexpr char const* migration_4 = R"sql(
ALTER TABLE pledges ADD COLUMN checkout_lease BIGINT NULL;
ALTER TABLE payments ADD COLUMN checkout_lease BIGINT NULL;
)sql";

// 5: what creators see. Landing-page views (view_counting.hpp): the day's salt and the day's visitor hashes
// are kept for that day only; what stays are counts per bundle and day, and per referring site. The swarm of
// each bundle version's info-hashes as the tracker's scrape told it (tracker_reader.hpp), its last reading of
// each day.
inline constexpr char const* migration_5 = R"sql(
CREATE TABLE swarm_days (
    bundle_id  TEXT   NOT NULL REFERENCES bundles (id),
    version    BIGINT NOT NULL,
    info_hash  TEXT   NOT NULL,
    day        BIGINT NOT NULL,
    seeds      BIGINT NOT NULL,
    leechers   BIGINT NOT NULL,
    downloaded BIGINT NOT NULL,
    read_at    BIGINT NOT NULL,
    PRIMARY KEY (bundle_id, version, info_hash, day)
);
CREATE TABLE view_salts (
    day  BIGINT NOT NULL PRIMARY KEY,
    salt TEXT   NOT NULL
);
CREATE TABLE view_visitors (
    day       BIGINT NOT NULL,
    bundle_id TEXT   NOT NULL REFERENCES bundles (id),
    visitor   TEXT   NOT NULL,
    PRIMARY KEY (day, bundle_id, visitor)
);
CREATE TABLE view_days (
    bundle_id TEXT   NOT NULL REFERENCES bundles (id),
    day       BIGINT NOT NULL,
    views     BIGINT NOT NULL,
    visitors  BIGINT NOT NULL,
    returners BIGINT NOT NULL,
    PRIMARY KEY (bundle_id, day)
);
CREATE TABLE view_referrers (
    bundle_id TEXT   NOT NULL REFERENCES bundles (id),
    day       BIGINT NOT NULL,
    site      TEXT   NOT NULL,
    views     BIGINT NOT NULL,
    PRIMARY KEY (bundle_id, day, site)
);
)sql";

// 6: plays that hosts report with their viewer's consent (play_handlers.hpp): counts per bundle version, day,
// item and event ("started", "finished"), and nothing of who played.
inline constexpr char const* migration_6 = R"sql(
CREATE TABLE play_days (
    bundle_id TEXT   NOT NULL REFERENCES bundles (id),
    version   BIGINT NOT NULL,
    day       BIGINT NOT NULL,
    item      TEXT   NOT NULL,
    event     TEXT   NOT NULL,
    plays     BIGINT NOT NULL,
    PRIMARY KEY (bundle_id, version, day, item, event)
);
)sql";

// 7: translations viewers submit (translation_handlers.hpp): the track, its translator's display name and
// the terms they agreed to, per bundle item and language, until the creator approves (the signed add-on is
// kept then) or rejects it.
inline constexpr char const* migration_7 = R"sql(
CREATE TABLE translation_submissions (
    id           TEXT   NOT NULL PRIMARY KEY,
    bundle_id    TEXT   NOT NULL REFERENCES bundles (id),
    version      BIGINT NOT NULL,
    item         TEXT   NOT NULL,
    lang         TEXT   NOT NULL,
    label        TEXT   NOT NULL,
    translator   TEXT   NOT NULL,
    licence      TEXT   NOT NULL,
    based_on     TEXT   NULL,
    track        TEXT   NOT NULL,
    sha256       TEXT   NOT NULL,
    submitted_at BIGINT NOT NULL,
    state        TEXT   NOT NULL,
    reviewed_at  BIGINT NULL,
    reason       TEXT   NULL,
    addon        TEXT   NULL
);
CREATE INDEX translation_submissions_by_language ON translation_submissions (bundle_id, item, lang, submitted_at);
)sql";

// Each version's migration, by the version it reaches (1 is `schema` itself).
inline constexpr char const* migrations[] = {nullptr,     nullptr,     migration_2, migration_3,
                                             migration_4, migration_5, migration_6, migration_7};
static_assert(std::size(migrations) == schema_version + 1, "a migration for each version");

inline constexpr char const* find_bundle_version = "SELECT version, manifest FROM bundles WHERE id = ?";
inline constexpr char const* insert_bundle =
    "INSERT INTO bundles (id, version, manifest, signature, keys, magnet, imported_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)";
inline constexpr char const* update_bundle =
    "UPDATE bundles SET version = ?, manifest = ?, signature = ?, keys = ?, magnet = ?, imported_at = ? "
    "WHERE id = ?";
inline constexpr char const* find_bundle =
    "SELECT id, version, manifest, signature, keys, magnet, imported_at FROM bundles WHERE id = ?";

inline constexpr char const* insert_unlock =
    "INSERT INTO unlocks (token_id, bundle_id, bundle_version, grantee_kind, grantee_ref, device, token, "
    "issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr char const* count_unlocks = "SELECT COUNT(*) FROM unlocks WHERE bundle_id = ?";

inline constexpr char const* insert_email_request =
    "INSERT INTO email_requests (request_id, bundle_id, email, device, code_hash, created_at, expires_at, "
    "attempts, unlock_token_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)";
inline constexpr char const* find_email_request =
    "SELECT request_id, bundle_id, email, device, code_hash, created_at, expires_at, attempts, "
    "unlock_token_id FROM email_requests WHERE request_id = ?";
inline constexpr char const* add_email_attempt =
    "UPDATE email_requests SET attempts = attempts + 1 WHERE request_id = ?";
inline constexpr char const* email_attempts = "SELECT attempts FROM email_requests WHERE request_id = ?";
inline constexpr char const* confirm_email_request =
    "UPDATE email_requests SET unlock_token_id = ? WHERE request_id = ? AND unlock_token_id IS NULL";

inline constexpr char const* insert_campaign =
    "INSERT INTO campaigns (id, bundle_id, goal_backers, goal_amount, price, currency, deadline, "
    "expected_delivery, if_goal_missed, state, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', NULL) "
    "ON CONFLICT (id) DO NOTHING";
inline constexpr char const* find_campaign =
    "SELECT id, bundle_id, goal_backers, goal_amount, price, currency, deadline, expected_delivery, "
    "if_goal_missed, state, closed_at FROM campaigns WHERE id = ?";
inline constexpr char const* campaign_totals = "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM pledges WHERE "
                                               "campaign_id = ? AND " SLUICE_BACKER_CONDITION;
inline constexpr char const* tier_totals =
    "SELECT tier_id, COUNT(*), COALESCE(SUM(amount), 0) FROM pledges WHERE campaign_id = ? "
    "AND " SLUICE_BACKER_CONDITION " GROUP BY tier_id";
inline constexpr char const* tier_backers =
    "SELECT COUNT(*) FROM pledges WHERE campaign_id = ? AND tier_id = ? AND " SLUICE_BACKER_CONDITION;
inline constexpr char const* insert_tier = "INSERT INTO campaign_tiers (campaign_id, tier_id, ordinal, "
                                           "title, description, price, items, deliveries, "
                                           "quantity_limit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr char const* campaign_tiers =
    "SELECT tier_id, title, description, price, items, deliveries, quantity_limit FROM campaign_tiers "
    "WHERE campaign_id = ? ORDER BY ordinal";
inline constexpr char const* campaign_state = "SELECT state, deadline FROM campaigns WHERE id = ?";
#define SLUICE_PLEDGE_COLUMNS                                                                                \
    "pledge_id, campaign_id, idempotency_key, request_hash, amount, device, state, response, created_at, "   \
    "cancelled_at, customer, payment_method, checkout_url, confirmed_at, charged_at, attempts, "             \
    "next_charge_at, "                                                                                       \
    "grace_until, last_decline, email, tier_id, release_reason "
inline constexpr char const* find_pledge_by_key =
    "SELECT " SLUICE_PLEDGE_COLUMNS "FROM pledges WHERE campaign_id = ? AND idempotency_key = ?";
inline constexpr char const* find_pledge = "SELECT " SLUICE_PLEDGE_COLUMNS "FROM pledges WHERE pledge_id = ?";
inline constexpr char const* insert_pledge =
    "INSERT INTO pledges (pledge_id, campaign_id, idempotency_key, request_hash, amount, device, state, "
    "response, created_at, cancelled_at, tier_id) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, NULL, ?)";
inline constexpr char const* cancel_pledge =
    "UPDATE pledges SET state = 'cancelled', cancelled_at = ? WHERE pledge_id = ? AND state IN ('pending', "
    "'confirmed')";
// At a campaign's close: a pledge whose method was never saved is released, and so is every confirmed one
// when the campaign failed.
inline constexpr char const* release_unconfirmed =
    "UPDATE pledges SET state = 'released', release_reason = 'not_confirmed' WHERE campaign_id = ? AND "
    "state = 'pending'";
inline constexpr char const* release_confirmed =
    "UPDATE pledges SET state = 'released', release_reason = 'campaign_failed' WHERE campaign_id = ? AND "
    "state = 'confirmed'";
inline constexpr char const* close_campaign =
    "UPDATE campaigns SET state = ?, closed_at = ? WHERE id = ? AND state = 'open'";
inline constexpr char const* find_unlock_by_grantee =
    "SELECT token_id, bundle_id, bundle_version, grantee_kind, grantee_ref, device, token, issued_at "
    "FROM unlocks WHERE grantee_kind = ? AND grantee_ref = ? AND bundle_id = ? ORDER BY issued_at, token_id "
    "LIMIT 1";

inline constexpr char const* insert_delivery =
    "INSERT INTO deliveries (campaign_id, bundle_id, delivered_at) VALUES (?, ?, ?) "
    "ON CONFLICT (campaign_id, bundle_id) DO NOTHING";
inline constexpr char const* campaign_deliveries =
    "SELECT d.campaign_id, d.bundle_id, b.version, b.magnet, d.delivered_at FROM deliveries d "
    "JOIN bundles b ON b.id = d.bundle_id WHERE d.campaign_id = ? ORDER BY d.delivered_at, d.bundle_id";

// The payment with its token, if one was issued.
inline constexpr char const* find_payment =
    "SELECT p.payment_id, p.bundle_id, p.idempotency_key, p.request_hash, p.amount, p.currency, p.device, "
    "p.state, p.response, p.created_at, p.settled_at, u.token FROM payments p "
    "LEFT JOIN unlocks u ON u.token_id = p.unlock_token_id WHERE p.payment_id = ?";
inline constexpr char const* find_payment_by_key =
    "SELECT p.payment_id, p.bundle_id, p.idempotency_key, p.request_hash, p.amount, p.currency, p.device, "
    "p.state, p.response, p.created_at, p.settled_at, u.token FROM payments p "
    "LEFT JOIN unlocks u ON u.token_id = p.unlock_token_id WHERE p.bundle_id = ? AND p.idempotency_key = ?";
inline constexpr char const* insert_payment =
    "INSERT INTO payments (payment_id, bundle_id, idempotency_key, request_hash, amount, currency, device, "
    "state, response, created_at, settled_at, unlock_token_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, NULL, NULL)";
inline constexpr char const* find_event = "SELECT type FROM provider_events WHERE event_id = ?";
inline constexpr char const* payment_state = "SELECT state FROM payments WHERE payment_id = ?";
inline constexpr char const* settle_payment =
    "UPDATE payments SET state = ?, settled_at = ? WHERE payment_id = ? AND state = 'pending'";
inline constexpr char const* insert_event =
    "INSERT INTO provider_events (event_id, type, applied_at) VALUES (?, ?, ?)";
inline constexpr char const* tie_payment_unlock =
    "UPDATE payments SET unlock_token_id = ? WHERE payment_id = ? AND unlock_token_id IS NULL";

inline constexpr char const* stats_bundles =
    "SELECT b.id, b.version, (SELECT COUNT(*) FROM unlocks u WHERE u.bundle_id = b.id) FROM bundles b "
    "ORDER BY b.id";
inline constexpr char const* stats_campaigns =
    "SELECT c.id, c.state, "
    "(SELECT COUNT(*) FROM pledges WHERE campaign_id = c.id AND " SLUICE_BACKER_CONDITION "), "
    "(SELECT COALESCE(SUM(amount), 0) FROM pledges WHERE campaign_id = c.id AND " SLUICE_BACKER_CONDITION ") "
    "FROM campaigns c ORDER BY c.id";
inline constexpr char const* stats_unlocks = "SELECT COUNT(*) FROM unlocks";
inline constexpr char const* stats_email_requests =
    "SELECT COUNT(*) - COUNT(unlock_token_id), COUNT(unlock_token_id) FROM email_requests";
inline constexpr char const* stats_payments =
    "SELECT COALESCE(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN state = 'paid' THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0) FROM payments";

} // namespace sluice::gate::sql
