#pragma once

#include "sluice-gate/gate_sql.hpp"

// The statements of the pledges' money (sql_store_money.cpp): checkouts, saved methods, charges, refunds,
// the ledger. The same dialect as gate_sql.hpp.

namespace sluice::gate::sql {

inline constexpr char const* set_pledge_checkout =
    "UPDATE pledges SET checkout_url = ?, response = CASE WHEN response = '' THEN ? ELSE response END "
    "WHERE pledge_id = ?";
inline constexpr char const* set_payment_response =
    "UPDATE payments SET response = ? WHERE payment_id = ? AND response = ''";
// A checkout's lease (gate_sql.hpp, version 4): taken only while no answer is recorded and no other
// request holds it.
inline constexpr char const* take_pledge_lease =
    "UPDATE pledges SET checkout_lease = ? WHERE pledge_id = ? AND response = '' AND "
    "(checkout_lease IS NULL OR checkout_lease <= ?)";
inline constexpr char const* end_pledge_lease =
    "UPDATE pledges SET checkout_lease = NULL WHERE pledge_id = ?";
inline constexpr char const* take_payment_lease =
    "UPDATE payments SET checkout_lease = ? WHERE payment_id = ? AND response = '' AND "
    "(checkout_lease IS NULL OR checkout_lease <= ?)";
inline constexpr char const* end_payment_lease =
    "UPDATE payments SET checkout_lease = NULL WHERE payment_id = ?";

inline constexpr char const* pledge_with_campaign =
    "SELECT p.state, c.state, c.deadline, p.campaign_id, p.tier_id, "
    "CASE WHEN t.quantity_limit IS NULL THEN 0 ELSE 1 END "
    "FROM pledges p JOIN campaigns c ON c.id = p.campaign_id "
    "LEFT JOIN campaign_tiers t ON t.campaign_id = p.campaign_id AND t.tier_id = p.tier_id "
    "WHERE p.pledge_id = ?";
// Confirms a pending pledge while its tier has a place: the count runs inside the same write, so two
// methods saved at once cannot both take the last place (on SQLite, whose writes are one at a time; on
// PostgreSQL the store also locks the tier, as two writes would each count before the other's commit).
inline constexpr char const* confirm_pledge =
    "UPDATE pledges SET state = 'confirmed', customer = ?, payment_method = ?, confirmed_at = ? "
    "WHERE pledge_id = ? AND state = 'pending' AND NOT EXISTS (SELECT 1 FROM campaign_tiers t WHERE "
    "t.campaign_id = pledges.campaign_id AND t.tier_id = pledges.tier_id AND t.quantity_limit IS NOT NULL "
    "AND t.quantity_limit <= (SELECT COUNT(*) FROM pledges q WHERE q.campaign_id = t.campaign_id AND "
    "q.tier_id = t.tier_id AND " SLUICE_BACKER_CONDITION "))";
inline constexpr char const* release_sold_out =
    "UPDATE pledges SET state = 'released', release_reason = 'tier_sold_out', customer = ?, "
    "payment_method = ? WHERE pledge_id = ? AND state = 'pending'";
inline constexpr char const* set_pledge_email = "UPDATE pledges SET email = ? WHERE pledge_id = ?";
inline constexpr char const* replace_pledge_method =
    "UPDATE pledges SET customer = ?, payment_method = ?, next_charge_at = ? WHERE pledge_id = ? "
    "AND state IN ('confirmed', 'charge_failed')";

#define SLUICE_CHARGE_COLUMNS                                                                                \
    "ch.charge_key, ch.pledge_id, p.campaign_id, ch.attempt, ch.amount, ch.currency, p.customer, "           \
    "p.payment_method, ch.state, ch.provider_id, ch.decline_code, ch.started_at, ch.settled_at "
inline constexpr char const* unsettled_charges =
    "SELECT " SLUICE_CHARGE_COLUMNS "FROM charges ch JOIN pledges p ON p.pledge_id = ch.pledge_id "
    "WHERE ch.state = 'started' ORDER BY ch.started_at, ch.charge_key";
inline constexpr char const* succeeded_charges =
    "SELECT " SLUICE_CHARGE_COLUMNS "FROM charges ch JOIN pledges p ON p.pledge_id = ch.pledge_id "
    "WHERE ch.state = 'succeeded' ORDER BY ch.charge_key";
inline constexpr char const* find_charge =
    "SELECT " SLUICE_CHARGE_COLUMNS "FROM charges ch JOIN pledges p ON p.pledge_id = ch.pledge_id "
    "WHERE ch.charge_key = ?";

inline constexpr char const* expire_grace =
    "UPDATE pledges SET state = 'failed', next_charge_at = NULL WHERE state = 'charge_failed' AND "
    "grace_until <= ?";
// The pledges to charge now, in two statements so that retries that are due go first: a long first run
// must not hold them back past their grace period.
#define SLUICE_CHARGEABLE                                                                                    \
    "SELECT p.pledge_id, p.campaign_id, p.attempts, p.amount, c.currency, p.customer, p.payment_method "     \
    "FROM pledges p JOIN campaigns c ON c.id = p.campaign_id WHERE c.state = 'funded' AND "
inline constexpr char const* due_retries =
    SLUICE_CHARGEABLE "p.state = 'charge_failed' AND p.next_charge_at <= ? LIMIT ?";
inline constexpr char const* first_charges = SLUICE_CHARGEABLE "p.state = 'confirmed' LIMIT ?";
inline constexpr char const* insert_charge =
    "INSERT INTO charges (charge_key, pledge_id, attempt, amount, currency, state, started_at) "
    "VALUES (?, ?, ?, ?, ?, 'started', ?)";
inline constexpr char const* pledge_charging =
    "UPDATE pledges SET state = 'charging', attempts = ? WHERE pledge_id = ?";
inline constexpr char const* settle_charge =
    "UPDATE charges SET state = ?, provider_id = ?, decline_code = ?, settled_at = ? WHERE charge_key = ? "
    "AND state = 'started'";
inline constexpr char const* charge_pledge = "SELECT pledge_id FROM charges WHERE charge_key = ?";
inline constexpr char const* pledge_charged =
    "UPDATE pledges SET state = 'charged', charged_at = ?, next_charge_at = NULL WHERE pledge_id = ? AND "
    "state IN ('charging', 'charge_failed', 'failed')";
// The grace period runs from the first failure; a retry is due after the interval, or never past it.
inline constexpr char const* pledge_charge_failed =
    "UPDATE pledges SET state = 'charge_failed', last_decline = ?, grace_until = COALESCE(grace_until, ?), "
    "next_charge_at = ? WHERE pledge_id = ? AND state = 'charging'";
inline constexpr char const* next_charge_due =
    "SELECT MIN(next_charge_at) FROM pledges WHERE state = 'charge_failed'";

inline constexpr char const* due_campaigns =
    "SELECT id FROM campaigns WHERE state = 'open' AND deadline <= ?";
inline constexpr char const* releasable_methods =
    "SELECT pledge_id, payment_method FROM pledges WHERE state IN ('released', 'cancelled') AND "
    "payment_method <> '' AND method_released = 0 LIMIT ?";
inline constexpr char const* mark_released = "UPDATE pledges SET method_released = 1 WHERE pledge_id = ?";

inline constexpr char const* refundable_charge =
    "SELECT ch.charge_key, ch.provider_id, ch.amount, ch.currency, "
    "(SELECT COALESCE(SUM(r.amount), 0) FROM refunds r WHERE r.charge_key = ch.charge_key AND "
    "r.state <> 'failed'), (SELECT COUNT(*) FROM refunds r WHERE r.pledge_id = ch.pledge_id) "
    "FROM charges ch WHERE ch.pledge_id = ? AND ch.state = 'succeeded'";
inline constexpr char const* insert_refund =
    "INSERT INTO refunds (refund_key, pledge_id, charge_key, amount, state, created_at) "
    "VALUES (?, ?, ?, ?, 'started', ?)";
inline constexpr char const* settle_refund =
    "UPDATE refunds SET state = ?, provider_id = ? WHERE refund_key = ? AND state = 'started'";
inline constexpr char const* succeeded_refunds =
    "SELECT r.refund_key, r.pledge_id, r.charge_key, ch.provider_id, r.amount, ch.currency, r.state, "
    "r.provider_id, r.created_at FROM refunds r JOIN charges ch ON ch.charge_key = r.charge_key "
    "WHERE r.state = 'succeeded' ORDER BY r.refund_key";

// Each pledge of a campaign with its succeeded charge, what was refunded of it, and its failed charges. The
// charge's id through MIN: one value even should a pledge ever hold two (PostgreSQL refuses a scalar subquery
// of two rows where SQLite takes the first).
inline constexpr char const* ledger =
    "SELECT " SLUICE_PLEDGE_COLUMNS ", "
    "COALESCE((SELECT MIN(ch.provider_id) FROM charges ch WHERE ch.pledge_id = pledges.pledge_id AND "
    "ch.state = 'succeeded'), ''), "
    "COALESCE((SELECT SUM(ch.amount) FROM charges ch WHERE ch.pledge_id = pledges.pledge_id AND "
    "ch.state = 'succeeded'), 0), "
    "COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.pledge_id = pledges.pledge_id AND "
    "r.state = 'succeeded'), 0), "
    "(SELECT COUNT(*) FROM charges ch WHERE ch.pledge_id = pledges.pledge_id AND ch.state IN ('declined', "
    "'requires_action', 'error')) "
    "FROM pledges WHERE campaign_id = ? ORDER BY created_at, pledge_id";

inline constexpr char const* insert_update =
    "INSERT INTO campaign_updates (update_id, campaign_id, title, body, posted_at) VALUES (?, ?, ?, ?, ?)";
inline constexpr char const* campaign_updates =
    "SELECT update_id, campaign_id, title, body, posted_at FROM campaign_updates WHERE campaign_id = ? "
    "ORDER BY posted_at, update_id";

} // namespace sluice::gate::sql
