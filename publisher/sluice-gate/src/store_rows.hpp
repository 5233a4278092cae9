#pragma once

#include "sluice-gate/gate_store.hpp"

#include <sluice/protocol/keys.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// The store's records from the rows of gate_sql.hpp's and money_sql.hpp's queries, read by column index
// with the functions both engines' rows have (text, integer, maybe_integer, is_null): SQLite's statement
// and PostgreSQL's pg_rows::row.

namespace sluice::gate {

// A pledge's columns (SLUICE_PLEDGE_COLUMNS) come first in the queries that read one; a query that selects
// more after them reads them from `pledge_columns` on.
inline constexpr int pledge_columns = 22;

template <class Row>
std::uint64_t read_count(Row const& row) {
    return static_cast<std::uint64_t>(row.integer(0));
}

template <class Row>
stored_bundle read_bundle(Row const& row) {
    stored_bundle b;
    b.id = row.text(0);
    b.version = static_cast<std::uint64_t>(row.integer(1));
    b.manifest = row.text(2);
    b.signature = protocol::from_base64(row.text(3)).value_or(std::string());
    b.keys = row.text(4);
    b.magnet = row.text(5);
    b.imported_at = row.integer(6);
    return b;
}

template <class Row>
unlock_record read_unlock(Row const& row) {
    unlock_record u;
    u.token_id = row.text(0);
    u.bundle_id = row.text(1);
    u.bundle_version = static_cast<std::uint64_t>(row.integer(2));
    u.grantee_kind = row.text(3);
    u.grantee_ref = row.text(4);
    u.device = row.text(5);
    u.token = row.text(6);
    u.issued_at = row.integer(7);
    return u;
}

template <class Row>
email_request read_email_request(Row const& row) {
    email_request r;
    r.request_id = row.text(0);
    r.bundle_id = row.text(1);
    r.email = row.text(2);
    r.device = row.text(3);
    r.code_hash = row.text(4);
    r.created_at = row.integer(5);
    r.expires_at = row.integer(6);
    r.attempts = static_cast<int>(row.integer(7));
    if (!row.is_null(8)) {
        r.unlock_token_id = row.text(8);
    }
    return r;
}

inline std::optional<std::int64_t> signed_optional(std::optional<std::uint64_t> v) {
    return v ? std::optional<std::int64_t>(static_cast<std::int64_t>(*v)) : std::nullopt;
}

inline std::optional<std::uint64_t> unsigned_optional(std::optional<std::int64_t> v) {
    return v ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(*v)) : std::nullopt;
}

template <class Row>
campaign_record read_campaign(Row const& row) {
    campaign_record c;
    c.id = row.text(0);
    c.bundle_id = row.text(1);
    c.goal_backers = unsigned_optional(row.maybe_integer(2));
    c.goal_amount = unsigned_optional(row.maybe_integer(3));
    c.price = static_cast<std::uint64_t>(row.integer(4));
    c.currency = row.text(5);
    c.deadline = row.integer(6);
    c.expected_delivery = row.text(7);
    c.if_goal_missed = row.text(8);
    c.state = row.text(9);
    c.closed_at = row.maybe_integer(10);
    return c;
}

// A tier's item paths or delivery ids as the campaign_tiers table keeps them: a JSON array, NULL for all.
inline std::optional<std::string> optional_list(std::optional<std::vector<std::string>> const& list) {
    return list ? std::optional<std::string>(nlohmann::json(*list).dump()) : std::nullopt;
}

// A list the gate wrote itself; should the text ever be damaged, the tier brings nothing rather than all.
template <class Row>
std::optional<std::vector<std::string>> read_list(Row const& row, int column) {
    if (row.is_null(column)) {
        return std::nullopt;
    }
    auto const list = nlohmann::json::parse(row.text(column), nullptr, false);
    std::vector<std::string> out;
    if (list.is_array()) {
        for (auto const& v : list) {
            if (v.is_string()) {
                out.push_back(v.template get<std::string>());
            }
        }
    }
    return out;
}

template <class Row>
protocol::pledge_tier read_tier(Row const& row) {
    protocol::pledge_tier t;
    t.id = row.text(0);
    t.title = row.text(1);
    t.description = row.text(2);
    t.price = static_cast<std::uint64_t>(row.integer(3));
    t.items = read_list(row, 4);
    t.deliveries = read_list(row, 5);
    t.limit = unsigned_optional(row.maybe_integer(6));
    return t;
}

// The campaign's state and deadline, for checks inside a transaction.
struct campaign_status {
    std::string state;
    std::int64_t deadline = 0;
};

template <class Row>
campaign_status read_campaign_status(Row const& row) {
    return {row.text(0), row.integer(1)};
}

template <class Row>
pledge_record read_pledge(Row const& row) {
    pledge_record p;
    p.pledge_id = row.text(0);
    p.campaign_id = row.text(1);
    p.idempotency_key = row.text(2);
    p.request_hash = row.text(3);
    p.amount = static_cast<std::uint64_t>(row.integer(4));
    p.device = row.text(5);
    p.state = row.text(6);
    p.response = row.text(7);
    p.created_at = row.integer(8);
    p.cancelled_at = row.maybe_integer(9);
    p.customer = row.text(10);
    p.payment_method = row.text(11);
    p.checkout_url = row.text(12);
    p.confirmed_at = row.maybe_integer(13);
    p.charged_at = row.maybe_integer(14);
    p.attempts = static_cast<int>(row.integer(15));
    p.next_charge_at = row.maybe_integer(16);
    p.grace_until = row.maybe_integer(17);
    p.last_decline = row.text(18);
    p.email = row.text(19);
    p.tier_id = row.text(20);
    p.release_reason = row.text(21);
    return p;
}

template <class Row>
delivery_record read_delivery(Row const& row) {
    return {row.text(0), row.text(1), static_cast<std::uint64_t>(row.integer(2)), row.text(3),
            row.integer(4)};
}

template <class Row>
payment_record read_payment(Row const& row) {
    payment_record p;
    p.payment_id = row.text(0);
    p.bundle_id = row.text(1);
    p.idempotency_key = row.text(2);
    p.request_hash = row.text(3);
    p.amount = static_cast<std::uint64_t>(row.integer(4));
    p.currency = row.text(5);
    p.device = row.text(6);
    p.state = row.text(7);
    p.response = row.text(8);
    p.created_at = row.integer(9);
    p.settled_at = row.maybe_integer(10);
    p.token = row.text(11);
    return p;
}

template <class Row>
charge_record read_charge(Row const& row) {
    charge_record c;
    c.charge_key = row.text(0);
    c.pledge_id = row.text(1);
    c.campaign_id = row.text(2);
    c.attempt = static_cast<int>(row.integer(3));
    c.amount = static_cast<std::uint64_t>(row.integer(4));
    c.currency = row.text(5);
    c.customer = row.text(6);
    c.payment_method = row.text(7);
    c.state = row.text(8);
    c.provider_id = row.text(9);
    c.decline_code = row.text(10);
    c.started_at = row.integer(11);
    c.settled_at = row.maybe_integer(12);
    return c;
}

} // namespace sluice::gate
