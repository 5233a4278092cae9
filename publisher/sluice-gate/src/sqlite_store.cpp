#include "sluice-gate/sqlite_store.hpp"

#include "sluice-gate/gate_sql.hpp"
#include "sluice-gate/sqlite_rows.hpp"
#include "sluice-gate/sqlite_statement.hpp"

#include <sluice/protocol/keys.hpp>

#include <sqlite3.h>
#include <sys/stat.h>

namespace sluice::gate {

namespace {

// Runs SQL text that returns no rows (pragmas, the schema).
int run(sqlite3* db, char const* sql) {
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
}

std::uint64_t read_count(statement const& row) {
    return static_cast<std::uint64_t>(row.integer(0));
}

stored_bundle read_bundle(statement const& row) {
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

unlock_record read_unlock(statement const& row) {
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

email_request read_email_request(statement const& row) {
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

std::optional<std::int64_t> signed_optional(std::optional<std::uint64_t> v) {
    return v ? std::optional<std::int64_t>(static_cast<std::int64_t>(*v)) : std::nullopt;
}

std::optional<std::uint64_t> unsigned_optional(std::optional<std::int64_t> v) {
    return v ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(*v)) : std::nullopt;
}

campaign_record read_campaign(statement const& row) {
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
std::optional<std::string> optional_list(std::optional<std::vector<std::string>> const& list) {
    return list ? std::optional<std::string>(nlohmann::json(*list).dump()) : std::nullopt;
}

// A list the gate wrote itself; should the text ever be damaged, the tier brings nothing rather than all.
std::optional<std::vector<std::string>> read_list(statement const& row, int column) {
    if (row.is_null(column)) {
        return std::nullopt;
    }
    auto const list = nlohmann::json::parse(row.text(column), nullptr, false);
    std::vector<std::string> out;
    if (list.is_array()) {
        for (auto const& v : list) {
            if (v.is_string()) {
                out.push_back(v.get<std::string>());
            }
        }
    }
    return out;
}

protocol::pledge_tier read_tier(statement const& row) {
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

campaign_status read_campaign_status(statement const& row) {
    return {row.text(0), row.integer(1)};
}

} // namespace

pledge_record read_pledge(statement const& row) {
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

namespace {

delivery_record read_delivery(statement const& row) {
    return {row.text(0), row.text(1), static_cast<std::uint64_t>(row.integer(2)), row.text(3),
            row.integer(4)};
}

payment_record read_payment(statement const& row) {
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

void insert_unlock(sqlite3* db, unlock_record const& u, std::error_code& ec) {
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

int user_version(sqlite3* db) {
    std::error_code ec;
    return static_cast<int>(
        statement(db, "PRAGMA user_version")
            .query_row([](statement const& row) { return row.integer(0); }, SQLITE_CORRUPT, ec));
}

// Brings the schema from the database's version to sql::schema_version, each step in one transaction with
// the version it reaches; refuses a database of a version this gate does not know.
int migrate(sqlite3* db, std::string* detail) {
    int const version = user_version(db);
    if (version > sql::schema_version) {
        if (detail) {
            *detail = "the database's schema is version " + std::to_string(version) +
                      ", newer than this gate's (" + std::to_string(sql::schema_version) +
                      "): run a later sluice-gate";
        }
        return SQLITE_MISMATCH;
    }
    static constexpr char const* steps[] = {nullptr, nullptr, sql::migration_2, sql::migration_3};
    for (int to = std::max(version, 1) + 1; to <= sql::schema_version; ++to) {
        auto const text = std::string("BEGIN IMMEDIATE;\n") + steps[to] +
                          "PRAGMA user_version = " + std::to_string(to) + ";\nCOMMIT;";
        if (int const rc = run(db, text.c_str()); rc != SQLITE_OK) {
            run(db, "ROLLBACK");
            return rc;
        }
    }
    return SQLITE_OK;
}

} // namespace

std::unique_ptr<sqlite_store> sqlite_store::open(std::filesystem::path const& data_dir, std::error_code& ec,
                                                 std::string* detail) {
    std::filesystem::create_directories(data_dir, ec);
    if (ec) {
        return nullptr;
    }
    // The keys table holds every item key of every bundle: nobody else on the machine reads the folder.
    ::chmod(data_dir.c_str(), 0700);
    sqlite3* db = nullptr;
    auto const file = (data_dir / "gate.db").string();
    int rc = sqlite3_open_v2(file.c_str(), &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        if (detail) {
            *detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        }
        sqlite3_close(db);
        ec = sqlite_error(rc);
        return nullptr;
    }
    sqlite3_busy_timeout(db, 5000);
    // WAL: readers never block the writer; FULL: the WAL is fsynced at each commit, which is what makes an
    // answered request durable (NORMAL would only protect the database's integrity, not the last commits).
    for (char const* pragma :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
        rc = run(db, pragma);
        if (rc != SQLITE_OK) {
            break;
        }
    }
    if (rc == SQLITE_OK) {
        rc = run(db, sql::schema);
    }
    if (rc == SQLITE_OK) {
        rc = migrate(db, detail);
    }
    if (rc != SQLITE_OK) {
        if (detail) {
            *detail = sqlite3_errmsg(db);
        }
        sqlite3_close(db);
        ec = sqlite_error(rc);
        return nullptr;
    }
    ::chmod(file.c_str(), 0600);
    ec.clear();
    return std::unique_ptr<sqlite_store>(new sqlite_store(db));
}

sqlite_store::~sqlite_store() {
    sqlite3_close(db_);
}

import_outcome sqlite_store::put_bundle(stored_bundle const& bundle, std::error_code& ec) {
    transaction tx(db_, ec);
    if (ec) {
        return import_outcome::refused;
    }
    auto const signature = protocol::to_base64(bundle.signature);
    struct stored_version {
        std::uint64_t version = 0;
        std::string manifest;
    };
    auto const stored =
        statement(db_, sql::find_bundle_version)
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
        statement(db_, sql::insert_bundle)
            .bind(bundle.id)
            .bind(static_cast<std::int64_t>(bundle.version))
            .bind(bundle.manifest)
            .bind(signature)
            .bind(bundle.keys)
            .bind(bundle.magnet)
            .bind(bundle.imported_at)
            .execute(ec);
    } else {
        statement(db_, sql::update_bundle)
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

std::optional<stored_bundle> sqlite_store::find_bundle(std::string_view id, std::error_code& ec) {
    return statement(db_, sql::find_bundle).bind(id).query_one(read_bundle, ec);
}

void sqlite_store::record_unlock(unlock_record const& unlock, std::error_code& ec) {
    // A single statement outside BEGIN is its own transaction, committed (and fsynced) when step returns.
    insert_unlock(db_, unlock, ec);
}

std::uint64_t sqlite_store::count_unlocks(std::string_view bundle_id, std::error_code& ec) {
    return statement(db_, sql::count_unlocks).bind(bundle_id).query_row(read_count, SQLITE_DONE, ec);
}

void sqlite_store::create_email_request(email_request const& r, std::error_code& ec) {
    statement(db_, sql::insert_email_request)
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

std::optional<email_request> sqlite_store::find_email_request(std::string_view request_id,
                                                              std::error_code& ec) {
    return statement(db_, sql::find_email_request).bind(request_id).query_one(read_email_request, ec);
}

int sqlite_store::add_email_attempt(std::string_view request_id, std::error_code& ec) {
    transaction tx(db_, ec);
    if (ec) {
        return 0;
    }
    statement(db_, sql::add_email_attempt).bind(request_id).execute(ec);
    if (ec) {
        return 0;
    }
    int const attempts = statement(db_, sql::email_attempts)
                             .bind(request_id)
                             .query_row([](statement const& row) { return static_cast<int>(row.integer(0)); },
                                        SQLITE_NOTFOUND, ec);
    if (ec) {
        return 0;
    }
    tx.commit(ec);
    return attempts;
}

bool sqlite_store::confirm_email_request(std::string_view request_id, unlock_record const& unlock,
                                         std::error_code& ec) {
    transaction tx(db_, ec);
    if (ec) {
        return false;
    }
    // The unlock row first: the request refers to it.
    insert_unlock(db_, unlock, ec);
    if (ec) {
        return false;
    }
    auto const confirmed =
        statement(db_, sql::confirm_email_request).bind(unlock.token_id).bind(request_id).execute(ec);
    if (ec || confirmed != 1) {
        return false;
    }
    tx.commit(ec);
    return !ec;
}

void sqlite_store::ensure_campaign(campaign_record const& c, std::error_code& ec) {
    transaction tx(db_, ec);
    if (ec) {
        return;
    }
    auto const inserted = statement(db_, sql::insert_campaign)
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
        statement(db_, sql::insert_tier)
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

std::optional<campaign_record> sqlite_store::find_campaign(std::string_view id, std::error_code& ec) {
    auto campaign = statement(db_, sql::find_campaign).bind(id).query_one(read_campaign, ec);
    if (campaign) {
        campaign->tiers = statement(db_, sql::campaign_tiers).bind(id).query_all(read_tier, ec);
    }
    return ec ? std::nullopt : campaign;
}

campaign_totals sqlite_store::totals(std::string_view campaign_id, std::error_code& ec) {
    campaign_totals out;
    statement(db_, sql::tier_totals)
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

pledge_outcome sqlite_store::add_pledge(pledge_record const& pledge, std::int64_t now,
                                        std::optional<pledge_record>& existing, std::error_code& ec) {
    existing.reset();
    transaction tx(db_, ec);
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
    auto const campaign =
        statement(db_, sql::campaign_state).bind(pledge.campaign_id).query_one(read_campaign_status, ec);
    if (ec) {
        return pledge_outcome::closed;
    }
    if (!campaign) {
        return pledge_outcome::no_campaign;
    }
    if (campaign->state != "open" || now >= campaign->deadline) {
        return pledge_outcome::closed;
    }
    statement(db_, sql::insert_pledge)
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

std::uint64_t sqlite_store::tier_backers(std::string_view campaign_id, std::string_view tier_id,
                                         std::error_code& ec) {
    return statement(db_, sql::tier_backers)
        .bind(campaign_id)
        .bind(tier_id)
        .query_row(read_count, SQLITE_DONE, ec);
}

std::optional<pledge_record> sqlite_store::find_pledge(std::string_view pledge_id, std::error_code& ec) {
    return statement(db_, sql::find_pledge).bind(pledge_id).query_one(read_pledge, ec);
}

std::optional<pledge_record> sqlite_store::find_pledge_by_key(std::string_view campaign_id,
                                                              std::string_view idempotency_key,
                                                              std::error_code& ec) {
    return statement(db_, sql::find_pledge_by_key)
        .bind(campaign_id)
        .bind(idempotency_key)
        .query_one(read_pledge, ec);
}

cancel_outcome sqlite_store::cancel_pledge(std::string_view pledge_id, std::int64_t now,
                                           std::error_code& ec) {
    transaction tx(db_, ec);
    if (ec) {
        return cancel_outcome::not_found;
    }
    auto const pledge = statement(db_, sql::find_pledge).bind(pledge_id).query_one(read_pledge, ec);
    if (ec || !pledge) {
        return cancel_outcome::not_found;
    }
    if (pledge->state == "cancelled") {
        return cancel_outcome::already_cancelled;
    }
    if (pledge->state != "pending" && pledge->state != "confirmed") {
        return cancel_outcome::closed;
    }
    // A pledge refers to its campaign: a campaign missing under it is a damaged database.
    auto const campaign = statement(db_, sql::campaign_state)
                              .bind(pledge->campaign_id)
                              .query_row(read_campaign_status, SQLITE_CORRUPT, ec);
    if (ec) {
        return cancel_outcome::not_found;
    }
    if (campaign.state != "open" || now >= campaign.deadline) {
        return cancel_outcome::closed;
    }
    statement(db_, sql::cancel_pledge).bind(now).bind(pledge_id).execute(ec);
    if (ec) {
        return cancel_outcome::not_found;
    }
    tx.commit(ec);
    return cancel_outcome::cancelled;
}

std::string sqlite_store::close_campaign(std::string_view campaign_id, std::int64_t now,
                                         std::error_code& ec) {
    transaction tx(db_, ec);
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
    statement(db_, sql::close_campaign).bind(state).bind(now).bind(campaign_id).execute(ec);
    if (ec) {
        return {};
    }
    statement(db_, sql::release_unconfirmed).bind(campaign_id).execute(ec);
    if (!ec && !funded) {
        statement(db_, sql::release_confirmed).bind(campaign_id).execute(ec);
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

std::optional<unlock_record> sqlite_store::find_unlock(std::string_view grantee_kind,
                                                       std::string_view grantee_ref,
                                                       std::string_view bundle_id, std::error_code& ec) {
    return statement(db_, sql::find_unlock_by_grantee)
        .bind(grantee_kind)
        .bind(grantee_ref)
        .bind(bundle_id)
        .query_one(read_unlock, ec);
}

gate_stats sqlite_store::stats(std::error_code& ec) {
    gate_stats s;
    s.bundles = statement(db_, sql::stats_bundles)
                    .query_all(
                        [](statement const& row) {
                            return bundle_stats{row.text(0), static_cast<std::uint64_t>(row.integer(1)),
                                                static_cast<std::uint64_t>(row.integer(2))};
                        },
                        ec);
    if (ec) {
        return s;
    }
    s.campaigns = statement(db_, sql::stats_campaigns)
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
    s.unlocks = statement(db_, sql::stats_unlocks).query_row(read_count, SQLITE_DONE, ec);
    if (ec) {
        return s;
    }
    auto const requests = statement(db_, sql::stats_email_requests)
                              .query_row(
                                  [](statement const& row) {
                                      return std::pair{static_cast<std::uint64_t>(row.integer(0)),
                                                       static_cast<std::uint64_t>(row.integer(1))};
                                  },
                                  SQLITE_DONE, ec);
    if (ec) {
        return s;
    }
    s.email_requests_pending = requests.first;
    s.email_requests_confirmed = requests.second;
    s.payments = statement(db_, sql::stats_payments)
                     .query_row(
                         [](statement const& row) {
                             return payment_stats{static_cast<std::uint64_t>(row.integer(0)),
                                                  static_cast<std::uint64_t>(row.integer(1)),
                                                  static_cast<std::uint64_t>(row.integer(2))};
                         },
                         SQLITE_DONE, ec);
    return s;
}

bool sqlite_store::add_delivery(std::string_view campaign_id, std::string_view bundle_id, std::int64_t now,
                                std::error_code& ec) {
    return statement(db_, sql::insert_delivery).bind(campaign_id).bind(bundle_id).bind(now).execute(ec) == 1;
}

std::vector<delivery_record> sqlite_store::deliveries(std::string_view campaign_id, std::error_code& ec) {
    return statement(db_, sql::campaign_deliveries).bind(campaign_id).query_all(read_delivery, ec);
}

payment_outcome sqlite_store::add_payment(payment_record const& payment,
                                          std::optional<payment_record>& existing, std::error_code& ec) {
    existing.reset();
    transaction tx(db_, ec);
    if (ec) {
        return payment_outcome::existing;
    }
    existing = find_payment_by_key(payment.bundle_id, payment.idempotency_key, ec);
    if (ec || existing) {
        return payment_outcome::existing;
    }
    statement(db_, sql::insert_payment)
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

std::optional<payment_record> sqlite_store::find_payment(std::string_view payment_id, std::error_code& ec) {
    return statement(db_, sql::find_payment).bind(payment_id).query_one(read_payment, ec);
}

std::optional<payment_record> sqlite_store::find_payment_by_key(std::string_view bundle_id,
                                                                std::string_view idempotency_key,
                                                                std::error_code& ec) {
    return statement(db_, sql::find_payment_by_key)
        .bind(bundle_id)
        .bind(idempotency_key)
        .query_one(read_payment, ec);
}

payment_event_outcome sqlite_store::apply_payment_event(std::string_view event_id,
                                                        std::string_view payment_id, payment_event_type type,
                                                        std::int64_t now, std::error_code& ec) {
    transaction tx(db_, ec);
    if (ec) {
        return payment_event_outcome::no_payment;
    }
    bool const seen = statement(db_, sql::find_event).bind(event_id).next_row(ec);
    if (seen) {
        return payment_event_outcome::duplicate;
    }
    if (ec) {
        return payment_event_outcome::no_payment;
    }
    auto const state = statement(db_, sql::payment_state)
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
    statement(db_, sql::settle_payment)
        .bind(succeeded ? "paid" : "failed")
        .bind(now)
        .bind(payment_id)
        .execute(ec);
    if (ec) {
        return payment_event_outcome::no_payment;
    }
    statement(db_, sql::insert_event)
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

std::string sqlite_store::record_payment_unlock(std::string_view payment_id, unlock_record const& unlock,
                                                std::error_code& ec) {
    transaction tx(db_, ec);
    if (ec) {
        return {};
    }
    auto const payment =
        statement(db_, sql::find_payment).bind(payment_id).query_row(read_payment, SQLITE_NOTFOUND, ec);
    if (ec) {
        return {};
    }
    if (!payment.token.empty()) {
        return payment.token;
    }
    // The unlock row first: the payment refers to it.
    insert_unlock(db_, unlock, ec);
    if (ec) {
        return {};
    }
    statement(db_, sql::tie_payment_unlock).bind(unlock.token_id).bind(payment_id).execute(ec);
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
