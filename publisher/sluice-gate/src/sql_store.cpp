#include "sluice-gate/sql_store.hpp"

#include "sluice-gate/gate_sql.hpp"
#include "sluice-gate/sql_statement.hpp"
#include "sluice-gate/store_rows.hpp"

#include <sluice/protocol/keys.hpp>

namespace sluice::gate {

namespace {

void insert_unlock(sql_connection& db, unlock_record const& u, std::error_code& ec) {
    statement(db, sql::insert_unlock)
        .bind(u.token_id)
        .bind(u.bundle_id)
        .bind(static_cast<std::int64_t>(u.bundle_version))
        .bind(u.grantee_kind)
        .bind(u.grantee_ref)
        .bind(u.device)
        .bind(u.token)
        .bind(u.issued_at)
        .execute(ec);
}

} // namespace

sql_store::sql_store(std::unique_ptr<sql_connection> db) : db_(std::move(db)) {}

sql_store::~sql_store() = default;

import_outcome sql_store::put_bundle(stored_bundle const& bundle, std::error_code& ec) {
    transaction tx(*db_, ec);
    tx.lock(lock_key("bundle", bundle.id), lock_mode::exclusive, ec); // its version, read then written
    if (ec) {
        return import_outcome::refused;
    }
    auto const signature = protocol::to_base64(bundle.signature);
    struct stored_version {
        std::uint64_t version = 0;
        std::string manifest;
    };
    auto const stored =
        statement(*db_, sql::find_bundle_version)
            .bind(bundle.id)
            .query_one(
                [](statement const& row) {
                    return stored_version{static_cast<std::uint64_t>(row.integer(0)), row.text(1)};
                },
                ec);
    if (ec) {
        return import_outcome::refused;
    }
    import_outcome outcome = import_outcome::inserted;
    if (stored) {
        if (stored->version == bundle.version) {
            return stored->manifest == bundle.manifest ? import_outcome::unchanged : import_outcome::refused;
        }
        if (stored->version > bundle.version) {
            return import_outcome::refused;
        }
        outcome = import_outcome::replaced;
    }
    if (outcome == import_outcome::inserted) {
        statement(*db_, sql::insert_bundle)
            .bind(bundle.id)
            .bind(static_cast<std::int64_t>(bundle.version))
            .bind(bundle.manifest)
            .bind(signature)
            .bind(bundle.keys)
            .bind(bundle.magnet)
            .bind(bundle.imported_at)
            .execute(ec);
    } else {
        statement(*db_, sql::update_bundle)
            .bind(static_cast<std::int64_t>(bundle.version))
            .bind(bundle.manifest)
            .bind(signature)
            .bind(bundle.keys)
            .bind(bundle.magnet)
            .bind(bundle.imported_at)
            .bind(bundle.id)
            .execute(ec);
    }
    if (ec) {
        return import_outcome::refused;
    }
    tx.commit(ec);
    if (ec) {
        return import_outcome::refused;
    }
    return outcome;
}

std::optional<stored_bundle> sql_store::find_bundle(std::string_view id, std::error_code& ec) {
    return statement(*db_, sql::find_bundle).bind(id).query_one(read_bundle<statement>, ec);
}

void sql_store::record_unlock(unlock_record const& unlock, std::error_code& ec) {
    // A single statement outside BEGIN is its own transaction, committed (and fsynced) when step returns.
    insert_unlock(*db_, unlock, ec);
}

std::uint64_t sql_store::count_unlocks(std::string_view bundle_id, std::error_code& ec) {
    return statement(*db_, sql::count_unlocks).bind(bundle_id).query_row(read_count<statement>, ec);
}

void sql_store::create_email_request(email_request const& r, std::error_code& ec) {
    statement(*db_, sql::insert_email_request)
        .bind(r.request_id)
        .bind(r.bundle_id)
        .bind(r.email)
        .bind(r.device)
        .bind(r.code_hash)
        .bind(r.created_at)
        .bind(r.expires_at)
        .bind(static_cast<std::int64_t>(r.attempts))
        .execute(ec);
}

std::optional<email_request> sql_store::find_email_request(std::string_view request_id, std::error_code& ec) {
    return statement(*db_, sql::find_email_request)
        .bind(request_id)
        .query_one(read_email_request<statement>, ec);
}

int sql_store::add_email_attempt(std::string_view request_id, std::error_code& ec) {
    transaction tx(*db_, ec);
    if (ec) {
        return 0;
    }
    statement(*db_, sql::add_email_attempt).bind(request_id).execute(ec);
    if (ec) {
        return 0;
    }
    int const attempts =
        statement(*db_, sql::email_attempts)
            .bind(request_id)
            .query_row([](statement const& row) { return static_cast<int>(row.integer(0)); }, ec);
    if (ec) {
        return 0;
    }
    tx.commit(ec);
    return attempts;
}

bool sql_store::confirm_email_request(std::string_view request_id, unlock_record const& unlock,
                                      std::error_code& ec) {
    transaction tx(*db_, ec);
    if (ec) {
        return false;
    }
    // The unlock row first: the request refers to it.
    insert_unlock(*db_, unlock, ec);
    if (ec) {
        return false;
    }
    auto const confirmed =
        statement(*db_, sql::confirm_email_request).bind(unlock.token_id).bind(request_id).execute(ec);
    if (ec || confirmed != 1) {
        return false;
    }
    tx.commit(ec);
    return !ec;
}

void sql_store::ensure_campaign(campaign_record const& c, std::error_code& ec) {
    transaction tx(*db_, ec);
    if (ec) {
        return;
    }
    auto const inserted = statement(*db_, sql::insert_campaign)
                              .bind(c.id)
                              .bind(c.bundle_id)
                              .bind(signed_optional(c.goal_backers))
                              .bind(signed_optional(c.goal_amount))
                              .bind(static_cast<std::int64_t>(c.price))
                              .bind(c.currency)
                              .bind(c.deadline)
                              .bind(c.expected_delivery)
                              .bind(c.if_goal_missed)
                              .execute(ec);
    if (ec || inserted == 0) {
        return; // the first definition stands, tiers and all
    }
    auto const tiers = c.tiers.empty() ? std::vector{protocol::single_price_tier(c.price)} : c.tiers;
    std::int64_t ordinal = 0;
    for (auto const& t : tiers) {
        statement(*db_, sql::insert_tier)
            .bind(c.id)
            .bind(t.id)
            .bind(ordinal++)
            .bind(t.title)
            .bind(t.description)
            .bind(static_cast<std::int64_t>(t.price))
            .bind_or_null(optional_list(t.items))
            .bind_or_null(optional_list(t.deliveries))
            .bind(signed_optional(t.limit))
            .execute(ec);
        if (ec) {
            return;
        }
    }
    tx.commit(ec);
}

std::optional<campaign_record> sql_store::find_campaign(std::string_view id, std::error_code& ec) {
    auto campaign = statement(*db_, sql::find_campaign).bind(id).query_one(read_campaign<statement>, ec);
    if (campaign) {
        campaign->tiers = statement(*db_, sql::campaign_tiers).bind(id).query_all(read_tier<statement>, ec);
    }
    return ec ? std::nullopt : campaign;
}

campaign_totals sql_store::totals(std::string_view campaign_id, std::error_code& ec) {
    campaign_totals out;
    statement(*db_, sql::tier_totals)
        .bind(campaign_id)
        .query_all(
            [&out](statement const& row) {
                tier_totals const t{static_cast<std::uint64_t>(row.integer(1)),
                                    static_cast<std::uint64_t>(row.integer(2))};
                out.backers += t.backers;
                out.amount += t.amount;
                out.by_tier.emplace(row.text(0), t);
                return 0;
            },
            ec);
    return out;
}

pledge_outcome sql_store::add_pledge(pledge_record const& pledge, std::int64_t now,
                                     std::optional<pledge_record>& existing, std::error_code& ec) {
    existing.reset();
    transaction tx(*db_, ec);
    // The campaign stays open until this pledge is in (its close waits), and one request at a time makes
    // the pledge of a key: a retry sent to another gate at the same moment finds it, never a second one.
    tx.lock(lock_key("campaign", pledge.campaign_id), lock_mode::shared, ec);
    tx.lock(lock_key("pledge key", pledge.campaign_id, pledge.idempotency_key), lock_mode::exclusive, ec);
    if (ec) {
        return pledge_outcome::closed;
    }
    existing = find_pledge_by_key(pledge.campaign_id, pledge.idempotency_key, ec);
    if (ec) {
        return pledge_outcome::closed;
    }
    if (existing) {
        return pledge_outcome::existing;
    }
    auto const campaign = statement(*db_, sql::campaign_state)
                              .bind(pledge.campaign_id)
                              .query_one(read_campaign_status<statement>, ec);
    if (ec) {
        return pledge_outcome::closed;
    }
    if (!campaign) {
        return pledge_outcome::no_campaign;
    }
    if (campaign->state != "open" || now >= campaign->deadline) {
        return pledge_outcome::closed;
    }
    statement(*db_, sql::insert_pledge)
        .bind(pledge.pledge_id)
        .bind(pledge.campaign_id)
        .bind(pledge.idempotency_key)
        .bind(pledge.request_hash)
        .bind(static_cast<std::int64_t>(pledge.amount))
        .bind(pledge.device)
        .bind(pledge.response)
        .bind(pledge.created_at)
        .bind(pledge.tier_id)
        .execute(ec);
    if (ec) {
        return pledge_outcome::closed;
    }
    tx.commit(ec);
    return pledge_outcome::created;
}

std::uint64_t sql_store::tier_backers(std::string_view campaign_id, std::string_view tier_id,
                                      std::error_code& ec) {
    return statement(*db_, sql::tier_backers)
        .bind(campaign_id)
        .bind(tier_id)
        .query_row(read_count<statement>, ec);
}

std::optional<pledge_record> sql_store::find_pledge(std::string_view pledge_id, std::error_code& ec) {
    return statement(*db_, sql::find_pledge).bind(pledge_id).query_one(read_pledge<statement>, ec);
}

std::optional<pledge_record> sql_store::find_pledge_by_key(std::string_view campaign_id,
                                                           std::string_view idempotency_key,
                                                           std::error_code& ec) {
    return statement(*db_, sql::find_pledge_by_key)
        .bind(campaign_id)
        .bind(idempotency_key)
        .query_one(read_pledge<statement>, ec);
}

cancel_outcome sql_store::cancel_pledge(std::string_view pledge_id, std::int64_t now, std::error_code& ec) {
    transaction tx(*db_, ec);
    tx.lock(lock_key("pledge", pledge_id), lock_mode::exclusive, ec);
    if (ec) {
        return cancel_outcome::not_found;
    }
    auto const pledge =
        statement(*db_, sql::find_pledge).bind(pledge_id).query_one(read_pledge<statement>, ec);
    if (ec || !pledge) {
        return cancel_outcome::not_found;
    }
    if (pledge->state == "cancelled") {
        return cancel_outcome::already_cancelled;
    }
    if (pledge->state != "pending" && pledge->state != "confirmed") {
        return cancel_outcome::closed;
    }
    tx.lock(lock_key("campaign", pledge->campaign_id), lock_mode::shared, ec);
    if (ec) {
        return cancel_outcome::not_found;
    }
    // A pledge refers to its campaign: a campaign missing under it is a damaged database.
    auto const campaign = statement(*db_, sql::campaign_state)
                              .bind(pledge->campaign_id)
                              .query_row(read_campaign_status<statement>, ec);
    if (ec) {
        return cancel_outcome::not_found;
    }
    if (campaign.state != "open" || now >= campaign.deadline) {
        return cancel_outcome::closed;
    }
    statement(*db_, sql::cancel_pledge).bind(now).bind(pledge_id).execute(ec);
    if (ec) {
        return cancel_outcome::not_found;
    }
    tx.commit(ec);
    return cancel_outcome::cancelled;
}

std::string sql_store::close_campaign(std::string_view campaign_id, std::int64_t now, std::error_code& ec) {
    transaction tx(*db_, ec);
    // Waits for the pledges, cancellations and confirmations under way, and makes this the one close:
    // another gate seeing the same deadline finds the campaign closed when it gets the lock.
    tx.lock(lock_key("campaign", campaign_id), lock_mode::exclusive, ec);
    if (ec) {
        return {};
    }
    auto const campaign = find_campaign(campaign_id, ec);
    if (ec || !campaign) {
        return {};
    }
    if (campaign->state != "open") {
        return campaign->state;
    }
    auto const sums = totals(campaign_id, ec);
    if (ec) {
        return {};
    }
    bool const funded = (!campaign->goal_backers || sums.backers >= *campaign->goal_backers) &&
                        (!campaign->goal_amount || sums.amount >= *campaign->goal_amount);
    std::string const state = funded ? "funded" : "failed";
    statement(*db_, sql::close_campaign).bind(state).bind(now).bind(campaign_id).execute(ec);
    if (ec) {
        return {};
    }
    statement(*db_, sql::release_unconfirmed).bind(campaign_id).execute(ec);
    if (!ec && !funded) {
        statement(*db_, sql::release_confirmed).bind(campaign_id).execute(ec);
    }
    if (ec) {
        return {};
    }
    tx.commit(ec);
    if (ec) {
        return {};
    }
    return state;
}

std::optional<unlock_record> sql_store::find_unlock(std::string_view grantee_kind,
                                                    std::string_view grantee_ref, std::string_view bundle_id,
                                                    std::error_code& ec) {
    return statement(*db_, sql::find_unlock_by_grantee)
        .bind(grantee_kind)
        .bind(grantee_ref)
        .bind(bundle_id)
        .query_one(read_unlock<statement>, ec);
}

std::string sql_store::record_unlock_once(unlock_record const& unlock, std::error_code& ec) {
    transaction tx(*db_, ec);
    tx.lock(lock_key("unlock", unlock.grantee_kind, unlock.grantee_ref, unlock.bundle_id),
            lock_mode::exclusive, ec);
    if (ec) {
        return {};
    }
    auto const first = find_unlock(unlock.grantee_kind, unlock.grantee_ref, unlock.bundle_id, ec);
    if (ec || first) {
        return ec ? std::string() : first->token;
    }
    insert_unlock(*db_, unlock, ec);
    if (!ec) {
        tx.commit(ec);
    }
    return ec ? std::string() : unlock.token;
}

gate_stats sql_store::stats(std::error_code& ec) {
    gate_stats s;
    s.bundles = statement(*db_, sql::stats_bundles)
                    .query_all(
                        [](statement const& row) {
                            return bundle_stats{row.text(0), static_cast<std::uint64_t>(row.integer(1)),
                                                static_cast<std::uint64_t>(row.integer(2))};
                        },
                        ec);
    if (ec) {
        return s;
    }
    s.campaigns = statement(*db_, sql::stats_campaigns)
                      .query_all(
                          [](statement const& row) {
                              return campaign_stats{row.text(0),
                                                    row.text(1),
                                                    {static_cast<std::uint64_t>(row.integer(2)),
                                                     static_cast<std::uint64_t>(row.integer(3))}};
                          },
                          ec);
    if (ec) {
        return s;
    }
    s.unlocks = statement(*db_, sql::stats_unlocks).query_row(read_count<statement>, ec);
    if (ec) {
        return s;
    }
    auto const requests = statement(*db_, sql::stats_email_requests)
                              .query_row(
                                  [](statement const& row) {
                                      return std::pair{static_cast<std::uint64_t>(row.integer(0)),
                                                       static_cast<std::uint64_t>(row.integer(1))};
                                  },
                                  ec);
    if (ec) {
        return s;
    }
    s.email_requests_pending = requests.first;
    s.email_requests_confirmed = requests.second;
    s.payments = statement(*db_, sql::stats_payments)
                     .query_row(
                         [](statement const& row) {
                             return payment_stats{static_cast<std::uint64_t>(row.integer(0)),
                                                  static_cast<std::uint64_t>(row.integer(1)),
                                                  static_cast<std::uint64_t>(row.integer(2))};
                         },
                         ec);
    return s;
}

bool sql_store::add_delivery(std::string_view campaign_id, std::string_view bundle_id, std::int64_t now,
                             std::error_code& ec) {
    return statement(*db_, sql::insert_delivery).bind(campaign_id).bind(bundle_id).bind(now).execute(ec) == 1;
}

std::vector<delivery_record> sql_store::deliveries(std::string_view campaign_id, std::error_code& ec) {
    return statement(*db_, sql::campaign_deliveries)
        .bind(campaign_id)
        .query_all(read_delivery<statement>, ec);
}

payment_outcome sql_store::add_payment(payment_record const& payment, std::optional<payment_record>& existing,
                                       std::error_code& ec) {
    existing.reset();
    transaction tx(*db_, ec);
    tx.lock(lock_key("payment key", payment.bundle_id, payment.idempotency_key), lock_mode::exclusive, ec);
    if (ec) {
        return payment_outcome::existing;
    }
    existing = find_payment_by_key(payment.bundle_id, payment.idempotency_key, ec);
    if (ec || existing) {
        return payment_outcome::existing;
    }
    statement(*db_, sql::insert_payment)
        .bind(payment.payment_id)
        .bind(payment.bundle_id)
        .bind(payment.idempotency_key)
        .bind(payment.request_hash)
        .bind(static_cast<std::int64_t>(payment.amount))
        .bind(payment.currency)
        .bind(payment.device)
        .bind(payment.response)
        .bind(payment.created_at)
        .execute(ec);
    if (ec) {
        return payment_outcome::existing;
    }
    tx.commit(ec);
    return payment_outcome::created;
}

std::optional<payment_record> sql_store::find_payment(std::string_view payment_id, std::error_code& ec) {
    return statement(*db_, sql::find_payment).bind(payment_id).query_one(read_payment<statement>, ec);
}

std::optional<payment_record> sql_store::find_payment_by_key(std::string_view bundle_id,
                                                             std::string_view idempotency_key,
                                                             std::error_code& ec) {
    return statement(*db_, sql::find_payment_by_key)
        .bind(bundle_id)
        .bind(idempotency_key)
        .query_one(read_payment<statement>, ec);
}

payment_event_outcome sql_store::apply_payment_event(std::string_view event_id, std::string_view payment_id,
                                                     payment_event_type type, std::int64_t now,
                                                     std::error_code& ec) {
    transaction tx(*db_, ec);
    tx.lock(lock_key("event", event_id), lock_mode::exclusive, ec);
    if (ec) {
        return payment_event_outcome::no_payment;
    }
    bool const seen = statement(*db_, sql::find_event).bind(event_id).next_row(ec);
    if (seen) {
        return payment_event_outcome::duplicate;
    }
    if (ec) {
        return payment_event_outcome::no_payment;
    }
    auto const state = statement(*db_, sql::payment_state)
                           .bind(payment_id)
                           .query_one([](statement const& row) { return row.text(0); }, ec);
    if (ec || !state) {
        return payment_event_outcome::no_payment;
    }
    bool const succeeded = type == payment_event_type::succeeded;
    if ((succeeded && *state == "failed") || (!succeeded && *state == "paid")) {
        return payment_event_outcome::conflict;
    }
    // Only a pending payment moves; the same news twice (under two event ids) changes nothing.
    statement(*db_, sql::settle_payment)
        .bind(succeeded ? "paid" : "failed")
        .bind(now)
        .bind(payment_id)
        .execute(ec);
    if (ec) {
        return payment_event_outcome::no_payment;
    }
    statement(*db_, sql::insert_event)
        .bind(event_id)
        .bind(succeeded ? "payment.succeeded" : "payment.failed")
        .bind(now)
        .execute(ec);
    if (ec) {
        return payment_event_outcome::no_payment;
    }
    tx.commit(ec);
    return payment_event_outcome::applied;
}

std::string sql_store::record_payment_unlock(std::string_view payment_id, unlock_record const& unlock,
                                             std::error_code& ec) {
    transaction tx(*db_, ec);
    tx.lock(lock_key("payment", payment_id), lock_mode::exclusive, ec); // one token per payment
    if (ec) {
        return {};
    }
    auto const payment =
        statement(*db_, sql::find_payment).bind(payment_id).query_row(read_payment<statement>, ec);
    if (ec) {
        return {};
    }
    if (!payment.token.empty()) {
        return payment.token;
    }
    // The unlock row first: the payment refers to it.
    insert_unlock(*db_, unlock, ec);
    if (ec) {
        return {};
    }
    statement(*db_, sql::tie_payment_unlock).bind(unlock.token_id).bind(payment_id).execute(ec);
    if (ec) {
        return {};
    }
    tx.commit(ec);
    if (ec) {
        return {};
    }
    return unlock.token;
}

} // namespace sluice::gate
