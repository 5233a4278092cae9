// `sluice-gate migrate`: a gate's SQLite data copied into PostgreSQL, checked by what the store answers on
// both sides, row for row, and refused where it would mix data or write into the source.

#include "pg_cluster.hpp"
#include "sandbox_dir.hpp"
#include "sluice-gate/admin_commands.hpp"
#include "sluice-gate/cli.hpp"
#include "sluice-gate/copy_text.hpp"
#include "sluice-gate/gate_sql.hpp"
#include "sluice-gate/ledger.hpp"
#include "sluice-gate/migrate_command.hpp"
#include "sluice-gate/migration_tables.hpp"
#include "sluice-gate/migration_tally.hpp"
#include "sluice-gate/pg_connection.hpp"
#include "sluice-gate/pg_store.hpp"
#include "sluice-gate/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <libpq-fe.h>
#include <set>
#include <sqlite3.h>

namespace sluice::gate {
namespace {

using sluice::testing::pg_test_database;
using sluice::testing::sandbox_dir;

constexpr std::int64_t now = 1'700'000'000;
constexpr std::int64_t deadline = now + 3600;

TEST(CopyText, EscapesWhatWouldEndAColumnOrARowAndWritesNullApart) {
    std::string rows;
    append_copy_value(rows, "a\tb\nc\rd\\e", true);
    append_copy_null(rows, false);
    append_copy_value(rows, "\\N", false);
    append_copy_value(rows, "", false);
    append_copy_value(rows, "\x01 caf\xc3\xa9 \"'", false);
    end_copy_row(rows);
    append_copy_null(rows, true);
    end_copy_row(rows);
    EXPECT_EQ(rows, "a\\tb\\nc\\rd\\\\e\t\\N\t\\\\N\t\t\x01 caf\xc3\xa9 \"'\n\\N\n");
}

TEST(MigrationTables, ParentsFirstAndOtherwiseInTheirOrder) {
    std::vector<gate_table> tables{{"refunds", {}, {"charges", "pledges"}},
                                   {"charges", {}, {"pledges"}},
                                   {"bundles", {}, {}},
                                   {"pledges", {}, {"campaigns", "pledges"}},
                                   {"campaigns", {}, {"bundles", "elsewhere"}}};
    auto const ordered = parents_first(tables);
    ASSERT_TRUE(ordered);
    std::vector<std::string> names;
    for (auto const& t : *ordered) {
        names.push_back(t.name);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"bundles", "campaigns", "pledges", "charges", "refunds"}));

    tables.push_back({"a", {}, {"b"}});
    tables.push_back({"b", {}, {"a"}});
    EXPECT_FALSE(parents_first(tables));
}

TEST(MigrationTally, NamesTheTableAndBothNumbers) {
    table_tally sqlite{"pledges", 3, {{"charged", {2, 3000}}, {"pending", {1, 1500}}}};
    auto postgresql = sqlite;
    EXPECT_EQ(tally_difference(sqlite, postgresql), "");
    postgresql.by_state["charged"].amount = 2999;
    EXPECT_EQ(tally_difference(sqlite, postgresql),
              "pledges in state charged: 2 rows summing to 3000 in SQLite, 2 rows summing to 2999 in "
              "PostgreSQL");
    postgresql = sqlite;
    postgresql.by_state.erase("pending");
    postgresql.by_state["released"] = {1, 1500};
    EXPECT_EQ(
        tally_difference(sqlite, postgresql),
        "pledges in state pending: 1 rows summing to 1500 in SQLite, 0 rows summing to 0 in PostgreSQL");
    postgresql.rows = 2;
    EXPECT_EQ(tally_difference(sqlite, postgresql), "pledges: 3 rows in SQLite, 2 in PostgreSQL");
}

// What the store answers, as text, so that both sides compare with one EXPECT_EQ and a difference shows.
// Declared first: the templates find every overload, whatever the order they are defined in.
template <typename T>
std::string text_of(std::optional<T> const& v);
template <typename T>
std::string text_of(std::vector<T> const& v);
std::string text_of(std::string const& s);
std::string text_of(std::int64_t n);
std::string text_of(std::uint64_t n);
std::string text_of(int n);
std::string text_of(stored_bundle const& b);
std::string text_of(unlock_record const& u);
std::string text_of(email_request const& r);
std::string text_of(protocol::pledge_tier const& t);
std::string text_of(campaign_record const& c);
std::string text_of(campaign_totals const& t);
std::string text_of(pledge_record const& p);
std::string text_of(charge_record const& c);
std::string text_of(refund_record const& r);
std::string text_of(campaign_update const& u);
std::string text_of(ledger_row const& r);
std::string text_of(payment_record const& p);
std::string text_of(delivery_record const& d);
std::string text_of(method_release const& m);
std::string text_of(gate_stats const& s);

template <typename T>
std::string text_of(std::optional<T> const& v) {
    return v ? "[" + text_of(*v) + "]" : "none";
}
template <typename T>
std::string text_of(std::vector<T> const& v) {
    std::string out = "{";
    for (auto const& e : v) {
        out += text_of(e) + ";";
    }
    return out + "}";
}
std::string text_of(std::string const& s) {
    return "'" + s + "'";
}
std::string text_of(std::int64_t n) {
    return std::to_string(n);
}
std::string text_of(std::uint64_t n) {
    return std::to_string(n);
}
std::string text_of(int n) {
    return std::to_string(n);
}
template <typename... Fields>
std::string fields(Fields const&... f) {
    return ((text_of(f) + "|") + ...);
}
std::string text_of(stored_bundle const& b) {
    return fields(b.id, b.version, b.manifest, b.signature, b.keys, b.magnet, b.imported_at);
}
std::string text_of(unlock_record const& u) {
    return fields(u.token_id, u.bundle_id, u.bundle_version, u.grantee_kind, u.grantee_ref, u.device, u.token,
                  u.issued_at);
}
std::string text_of(email_request const& r) {
    return fields(r.request_id, r.bundle_id, r.email, r.device, r.code_hash, r.created_at, r.expires_at,
                  r.attempts, r.unlock_token_id);
}
std::string text_of(protocol::pledge_tier const& t) {
    return fields(t.id, t.title, t.description, t.price, t.items, t.deliveries, t.limit);
}
std::string text_of(campaign_record const& c) {
    return fields(c.id, c.bundle_id, c.goal_backers, c.goal_amount, c.price, c.currency, c.deadline,
                  c.expected_delivery, c.if_goal_missed, c.state, c.closed_at, c.tiers);
}
std::string text_of(campaign_totals const& t) {
    std::string tiers;
    for (auto const& [id, tier] : t.by_tier) {
        tiers += fields(id, tier.backers, tier.amount);
    }
    return fields(t.backers, t.amount, tiers);
}
std::string text_of(pledge_record const& p) {
    return fields(p.pledge_id, p.campaign_id, p.idempotency_key, p.request_hash, p.amount, p.device, p.state,
                  p.response, p.created_at, p.cancelled_at, p.customer, p.payment_method, p.checkout_url,
                  p.confirmed_at, p.charged_at, p.attempts, p.next_charge_at, p.grace_until, p.last_decline,
                  p.email, p.tier_id, p.release_reason);
}
std::string text_of(charge_record const& c) {
    return fields(c.charge_key, c.pledge_id, c.campaign_id, c.attempt, c.amount, c.currency, c.customer,
                  c.payment_method, c.state, c.provider_id, c.decline_code, c.started_at, c.settled_at);
}
std::string text_of(refund_record const& r) {
    return fields(r.refund_key, r.pledge_id, r.charge_key, r.provider_payment_id, r.amount, r.currency,
                  r.state, r.provider_id, r.created_at);
}
std::string text_of(campaign_update const& u) {
    return fields(u.update_id, u.campaign_id, u.title, u.text, u.posted_at);
}
std::string text_of(ledger_row const& r) {
    return fields(text_of(r.pledge), r.currency, r.provider_payment_id, r.charged, r.refunded,
                  r.charges_failed);
}
std::string text_of(payment_record const& p) {
    return fields(p.payment_id, p.bundle_id, p.idempotency_key, p.request_hash, p.amount, p.currency,
                  p.device, p.state, p.response, p.created_at, p.settled_at, p.token);
}
std::string text_of(delivery_record const& d) {
    return fields(d.campaign_id, d.bundle_id, d.version, d.magnet, d.delivered_at);
}
std::string text_of(method_release const& m) {
    return fields(m.pledge_id, m.payment_method);
}
std::string text_of(gate_stats const& s) {
    std::string out;
    for (auto const& b : s.bundles) {
        out += fields(b.id, b.version, b.unlocks);
    }
    for (auto const& c : s.campaigns) {
        out += fields(c.id, c.state, text_of(c.totals));
    }
    return out + fields(s.unlocks, s.email_requests_pending, s.email_requests_confirmed, s.payments.pending,
                        s.payments.paid, s.payments.failed);
}

// The ids the filled store holds, to ask both sides about each.
std::vector<std::string> const bundle_ids{"les-veilleurs", "bonus"};
std::vector<std::string> const pledge_ids{"p-pending",   "p-cancelled", "p-charged",
                                          "p-collector", "p-declined",  "p-charging"};
std::vector<std::string> const payment_ids{"pay-paid", "pay-pending", "pay-failed"};
std::vector<std::string> const request_ids{"request-confirmed", "request-waiting"};

// Text that COPY's format must carry through: its separators, its escape, its NULL, and UTF-8.
std::string const awkward =
    "tab\there, line\nbreak, return\r, backslash \\ and \\N, caf\xc3\xa9 \xe2\x9c\x93";

pledge_record pledge(std::string id, std::string tier, std::uint64_t amount, std::int64_t at) {
    pledge_record p;
    p.pledge_id = id;
    p.campaign_id = "saison-2";
    p.idempotency_key = "key-" + id;
    p.request_hash = "hash-" + id;
    p.amount = amount;
    p.device = "x25519:AAAA";
    p.response = "{\"pledgeId\":\"" + id + "\"}";
    p.created_at = at;
    p.tier_id = std::move(tier);
    return p;
}

payment_record payment(std::string id, std::uint64_t amount) {
    payment_record p;
    p.payment_id = id;
    p.bundle_id = "les-veilleurs";
    p.idempotency_key = "key-" + id;
    p.request_hash = "hash-" + id;
    p.amount = amount;
    p.currency = "EUR";
    p.device = "x25519:BBBB";
    p.created_at = now;
    return p;
}

unlock_record unlock(std::string token_id, std::string kind, std::string ref, std::string bundle) {
    return {std::move(token_id),
            std::move(bundle),
            1,
            std::move(kind),
            std::move(ref),
            "x25519:AAAA",
            "{\"envelope\":\"" + ref + "\"}",
            now + 60};
}

// At least one row in every table of the schema, through the store as a gate writes them: bundles, unlocks
// of each kind, email requests waiting and confirmed, a campaign of two tiers and pledges in each state
// (charged, refunded in part, declined, charging, cancelled, released), deliveries, updates, payments paid,
// pending and failed, and the provider's events.
void fill_every_table(gate_store& store) {
    std::error_code ec;
    auto const check = [&](char const* step) { ASSERT_FALSE(ec) << step << ": " << ec.message(); };
    store.put_bundle({"les-veilleurs", 1, "{\"version\":1}", std::string(64, '\x01'), "{\"keys\":1}",
                      "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567", now},
                     ec);
    store.put_bundle({"bonus", 2, "{\"version\":2}", "c2ln", "{}", "", now + 1}, ec);
    check("bundles");

    auto const day = now / 86400;
    store.view_salt(day, std::string(64, 'a'), ec);
    store.record_view({"les-veilleurs", day, std::string(32, 'b'), true, "example.org"}, ec);
    store.record_view({"bonus", day, std::string(32, 'c'), false, ""}, ec);
    check("views");
    store.record_swarm({"les-veilleurs", 1, std::string(40, 'd'), day, 3, 2, 7}, now, ec);
    check("swarm");
    store.record_plays({"les-veilleurs", 1, day, {{"pilot.webm", 2, 1}}}, ec);
    check("plays");
    store.add_translation({"sub-1", "les-veilleurs", 1, "pilot.webm", "es", "Español", "Ana", "CC-BY-4.0", "",
                           "WEBVTT\n\n00:01.000 --> 00:02.000\nhola\n", std::string(64, 'e'), now, "pending",
                           std::nullopt, "", ""},
                          ec);
    check("translations");

    store.create_email_request({"request-confirmed",
                                "les-veilleurs",
                                "ada@example.org",
                                "x25519:AAAA",
                                "hash-1",
                                now,
                                now + 900,
                                0,
                                {}},
                               ec);
    store.add_email_attempt("request-confirmed", ec);
    ASSERT_TRUE(store.confirm_email_request(
        "request-confirmed", unlock("token-email-aaaaaaaa", "email", "ada@example.org", "les-veilleurs"),
        ec));
    store.create_email_request({"request-waiting",
                                "les-veilleurs",
                                "bob@example.org",
                                "x25519:CCCC",
                                "hash-2",
                                now,
                                now + 900,
                                0,
                                {}},
                               ec);
    check("email requests");

    campaign_record c{"saison-2",   "les-veilleurs",       2,      std::nullopt, 1500, "EUR", deadline,
                      "2030-01-01", "Nothing is charged.", "open", std::nullopt, {}};
    c.tiers = {{"pledge", "Pledge", "", 1500, std::nullopt, std::nullopt, std::nullopt},
               {"collector", "Collector", awkward, 5000, std::vector<std::string>{"bonus/print.pdf"},
                std::vector<std::string>{"bonus"}, 10}};
    store.ensure_campaign(c, ec);
    check("campaign");

    std::int64_t at = now;
    for (auto const& id : pledge_ids) {
        bool const collector = id == "p-collector" || id == "p-declined";
        std::optional<pledge_record> existing;
        ++at;
        ASSERT_EQ(
            store.add_pledge(pledge(id, collector ? "collector" : "pledge", collector ? 5000 : 1500, at), at,
                             existing, ec),
            pledge_outcome::created)
            << id;
        store.set_pledge_checkout(id, "https://checkout.example/" + id, "{\"checkout\":\"" + id + "\"}", ec);
        if (id != "p-pending") {
            store.save_pledge_method("evt-method-" + id, id, "cus-" + id, "pm-" + id, at + 1, ec);
            store.set_pledge_email("evt-email-" + id, id, id + "@example.org", at + 2, ec);
        }
        check("pledges");
    }
    EXPECT_EQ(store.cancel_pledge("p-cancelled", at + 5, ec), cancel_outcome::cancelled);
    ASSERT_EQ(store.close_campaign("saison-2", deadline, ec), "funded");

    auto const claimed = store.claim_charges(deadline + 1, 10, ec);
    ASSERT_EQ(claimed.size(), 4u);
    std::vector<charge_settlement> outcomes;
    for (auto const& charge : claimed) {
        if (charge.pledge_id == "p-declined") {
            outcomes.push_back({charge.charge_key, charge.pledge_id, "declined", "", "card_declined"});
        } else if (charge.pledge_id != "p-charging") { // stays `started`: sent, its answer not in yet
            outcomes.push_back(
                {charge.charge_key, charge.pledge_id, "succeeded", "pi_" + charge.pledge_id, ""});
        }
    }
    store.settle_charges(outcomes, deadline + 2, charge_policy{}, ec);
    check("charges");
    std::string why;
    auto const refund = store.start_refund("p-charged", 500, deadline + 3, why, ec);
    ASSERT_TRUE(refund) << why;
    store.settle_refund(refund->refund_key, true, "re_1", ec);
    auto const second = store.start_refund("p-collector", 0, deadline + 4, why, ec);
    ASSERT_TRUE(second) << why;
    store.settle_refund(second->refund_key, false, "", ec);
    check("refunds");

    store.record_unlock_once(unlock("token-pledge-aaaaaaa", "pledge", "p-charged", "les-veilleurs"), ec);
    EXPECT_TRUE(store.add_delivery("saison-2", "bonus", deadline + 5, ec));
    store.add_update({"update-1", "saison-2", "Shooting news", awkward, deadline + 6}, ec);
    store.add_update({"update-2", "saison-2", "Plain", "", deadline + 7}, ec);
    check("deliveries and updates");

    for (auto const& [id, amount] : {std::pair{"pay-paid", 500}, {"pay-pending", 700}, {"pay-failed", 900}}) {
        std::optional<payment_record> existing;
        ASSERT_EQ(store.add_payment(payment(id, amount), existing, ec), payment_outcome::created);
    }
    store.set_payment_response("pay-paid", "{\"checkout\":\"pay\"}", ec);
    store.apply_payment_event("evt-paid", "pay-paid", payment_event_type::succeeded, now + 10, ec);
    store.apply_payment_event("evt-failed", "pay-failed", payment_event_type::failed, now + 11, ec);
    store.record_payment_unlock("pay-paid",
                                unlock("token-payment-aaaaaa", "payment", "pay-paid", "les-veilleurs"), ec);
    store.note_event("evt-noted", "customer.updated", now + 12, ec);
    check("payments");
}

// Version 1's table of applied events, which nothing writes any more (provider_events took its place) but
// an old gate's database still holds.
void add_legacy_payment_event(std::filesystem::path const& file) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db,
                           "INSERT INTO payment_events (event_id, payment_id, type, applied_at) "
                           "VALUES ('evt-legacy', 'pay-paid', 'payment_intent.succeeded', 1600000000)",
                           nullptr, nullptr, &error),
              SQLITE_OK)
        << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
}

// A table's rows on one side, each column as text or NULL, sorted (the sides' orders need not agree).
using table_rows = std::vector<std::vector<std::optional<std::string>>>;

// SQLite's own tables, those of the schema and its version's among them.
std::vector<std::string> sqlite_table_names(std::filesystem::path const& file) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                       -1, &s, nullptr);
    std::vector<std::string> names;
    while (sqlite3_step(s) == SQLITE_ROW) {
        names.emplace_back(reinterpret_cast<char const*>(sqlite3_column_text(s, 0)));
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return names;
}

// The rows, and the names of the columns they were read from.
table_rows sqlite_rows(std::filesystem::path const& file, std::string const& table, std::string& columns) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, ("SELECT * FROM " + table).c_str(), -1, &s, nullptr);
    columns.clear();
    for (int i = 0; i < sqlite3_column_count(s); ++i) {
        columns += (i ? ", " : "") + quoted_identifier(sqlite3_column_name(s, i));
    }
    table_rows rows;
    while (sqlite3_step(s) == SQLITE_ROW) {
        auto& row = rows.emplace_back();
        for (int i = 0; i < sqlite3_column_count(s); ++i) {
            auto const* text = reinterpret_cast<char const*>(sqlite3_column_text(s, i));
            row.push_back(text ? std::optional<std::string>(
                                     std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(s, i))))
                               : std::nullopt);
        }
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    std::sort(rows.begin(), rows.end());
    return rows;
}

class GateMigration : public ::testing::Test {
protected:
    void SetUp() override {
        std::error_code ec;
        std::string detail;
        {
            auto source = open_sqlite_store(sqlite_dir_ / "data", ec, &detail);
            ASSERT_TRUE(source) << detail;
            ASSERT_NO_FATAL_FAILURE(fill_every_table(*source));
        }
        ASSERT_NO_FATAL_FAILURE(add_legacy_payment_event(file()));
        url_ = database_.url();
    }

    std::filesystem::path file() const { return sqlite_dir_ / "data" / "gate.db"; }

    publisher::result<migration_report> migrate() {
        std::string error;
        auto const from = parse_store_location("sqlite:" + (sqlite_dir_ / "data").string(), error);
        auto const to = parse_store_location(url_, error);
        return migrate_to_postgresql(*from, *to);
    }

    std::unique_ptr<gate_store> open_sqlite() {
        std::error_code ec;
        return open_sqlite_store(sqlite_dir_ / "data", ec);
    }
    std::unique_ptr<gate_store> open_pg() {
        std::error_code ec;
        std::string detail;
        auto store = open_pg_store(url_, ec, &detail);
        EXPECT_TRUE(store) << detail << database_.log();
        return store;
    }

    // The rows of `table` on PostgreSQL, `columns` (as SQLite has them) in each.
    table_rows pg_rows_of(std::string const& table, std::string const& columns) {
        std::error_code ec;
        auto db = pg_connection::open(url_, ec, nullptr);
        auto const result = db->run_unprepared("SELECT " + columns + " FROM " + quoted_identifier(table), ec);
        EXPECT_FALSE(ec) << db->last_error();
        table_rows rows;
        for (int r = 0; r < result.size(); ++r) {
            auto& row = rows.emplace_back();
            for (int i = 0; i < PQnfields(result.get()); ++i) {
                row.push_back(result.at(r).is_null(i) ? std::nullopt
                                                      : std::optional<std::string>(result.at(r).text(i)));
            }
        }
        std::sort(rows.begin(), rows.end());
        return rows;
    }

    // The rows of `from`: a table, or a table and a condition.
    std::uint64_t pg_count(std::string const& from) {
        std::error_code ec;
        auto db = pg_connection::open(url_, ec, nullptr);
        auto const result = db->run_unprepared("SELECT COUNT(*) FROM " + from, ec);
        EXPECT_FALSE(ec) << db->last_error();
        return ec ? 0 : static_cast<std::uint64_t>(result.at(0).integer(0));
    }

    sandbox_dir sqlite_dir_;
    sandbox_dir pg_dir_;
    pg_test_database database_{pg_dir_.path()};
    std::string url_;
};

// The schema's every table, the version's aside, holds a row in the test's store and arrives row for row,
// NULLs as NULLs: a table added to the schema fails here until the fill writes a row to it, and then is
// copied without a change to the migration.
TEST_F(GateMigration, EveryTableOfTheSchemaArrivesRowForRow) {
    auto const report = migrate();
    ASSERT_TRUE(report) << report.error << database_.log();
    std::set<std::string> reported;
    for (auto const& t : report->tables) {
        reported.insert(t.table);
    }
    std::set<std::string> expected;
    for (auto const& table : sqlite_table_names(file())) {
        if (is_version_table(table)) {
            continue;
        }
        expected.insert(table);
        std::string columns;
        auto const rows = sqlite_rows(file(), table, columns);
        EXPECT_FALSE(rows.empty()) << table
                                   << " has no row in the test's store: fill_every_table must write one";
        EXPECT_EQ(pg_rows_of(table, columns), rows) << table;
    }
    EXPECT_EQ(reported, expected);
    for (auto const* table :
         {"bundles", "unlocks", "email_requests", "campaigns", "campaign_tiers", "pledges", "deliveries",
          "payments", "payment_events", "provider_events", "charges", "refunds", "campaign_updates"}) {
        EXPECT_TRUE(expected.contains(table)) << table;
    }
    // The target's version is its own, as open_pg_store wrote it.
    auto pg = open_pg();
    ASSERT_TRUE(pg);
    EXPECT_EQ(pg_count("gate_schema"), 1u);
}

// What a gate asks its store, asked of both: the PostgreSQL store answers as the SQLite one did.
TEST_F(GateMigration, ThePostgresqlStoreAnswersAsTheSqliteOneDid) {
    auto const report = migrate();
    ASSERT_TRUE(report) << report.error << database_.log();
    auto sqlite = open_sqlite();
    auto pg = open_pg();
    ASSERT_TRUE(sqlite && pg);
    std::error_code a;
    std::error_code b;
    auto const same = [&](auto ask, std::string const& what) {
        auto const left = text_of(ask(*sqlite, a));
        auto const right = text_of(ask(*pg, b));
        EXPECT_FALSE(a) << what << ": " << a.message();
        EXPECT_FALSE(b) << what << ": " << b.message();
        EXPECT_EQ(left, right) << what;
    };
    same([](gate_store& s, std::error_code& ec) { return s.stats(ec); }, "stats");
    for (auto const& id : bundle_ids) {
        same([&](gate_store& s, std::error_code& ec) { return s.find_bundle(id, ec); }, id);
        same([&](gate_store& s, std::error_code& ec) { return s.count_unlocks(id, ec); }, id);
    }
    for (auto const& id : request_ids) {
        same([&](gate_store& s, std::error_code& ec) { return s.find_email_request(id, ec); }, id);
    }
    same([](gate_store& s, std::error_code& ec) { return s.find_campaign("saison-2", ec); }, "campaign");
    same([](gate_store& s, std::error_code& ec) { return s.totals("saison-2", ec); }, "totals");
    for (auto const* tier : {"pledge", "collector"}) {
        same([&](gate_store& s, std::error_code& ec) { return s.tier_backers("saison-2", tier, ec); }, tier);
    }
    same([](gate_store& s, std::error_code& ec) { return s.ledger("saison-2", ec); }, "ledger");
    same([](gate_store& s, std::error_code& ec) { return s.deliveries("saison-2", ec); }, "deliveries");
    same([](gate_store& s, std::error_code& ec) { return s.updates("saison-2", ec); }, "updates");
    for (auto const& id : pledge_ids) {
        same([&](gate_store& s, std::error_code& ec) { return s.find_pledge(id, ec); }, id);
        same([&](gate_store& s,
                 std::error_code& ec) { return s.find_pledge_by_key("saison-2", "key-" + id, ec); },
             id);
    }
    same([](gate_store& s, std::error_code& ec) { return s.succeeded_charges(ec); }, "succeeded charges");
    same([](gate_store& s, std::error_code& ec) { return s.unsettled_charges(ec); }, "unsettled charges");
    same([](gate_store& s, std::error_code& ec) { return s.succeeded_refunds(ec); }, "succeeded refunds");
    same([](gate_store& s, std::error_code& ec) { return s.next_charge_due(ec); }, "next charge due");
    same(
        [](gate_store& s, std::error_code& ec) {
            auto releases = s.claim_releases(100, ec);
            std::sort(releases.begin(), releases.end(),
                      [](auto const& x, auto const& y) { return x.pledge_id < y.pledge_id; });
            return releases;
        },
        "releases");
    same([](gate_store& s,
            std::error_code& ec) { return s.find_unlock("pledge", "p-charged", "les-veilleurs", ec); },
         "pledge unlock");
    for (auto const& id : payment_ids) {
        same([&](gate_store& s, std::error_code& ec) { return s.find_payment(id, ec); }, id);
        same([&](gate_store& s,
                 std::error_code& ec) { return s.find_payment_by_key("les-veilleurs", "key-" + id, ec); },
             id);
    }
    // And what the creator reads: the ledger, its CSV, the campaign's page and the statistics.
    same([](gate_store& s, std::error_code& ec) { return campaign_ledger(s, "saison-2", ec)->dump(); },
         "ledger");
    same([](gate_store& s, std::error_code& ec) { return *campaign_ledger_csv(s, "saison-2", ec); }, "csv");
    same([](gate_store& s,
            std::error_code&) { return campaign_report(s, "saison-2", deadline + 10).body.dump(); },
         "campaign report");
    same([](gate_store& s, std::error_code&) { return gate_statistics(s).body.dump(); }, "statistics");

    // The summary: rows per table and the money per state, the same on both sides.
    auto const summary = migration_summary(*report);
    EXPECT_EQ(summary.at("rows").at("pledges"), pledge_ids.size());
    EXPECT_EQ(summary.at("amounts").at("pledges").at("charged").at("amount"), 1500 + 5000);
    EXPECT_EQ(summary.at("amounts").at("refunds").at("succeeded").at("amount"), 500);
    EXPECT_EQ(summary.at("amounts").at("payments").at("paid").at("rows"), 1);
    EXPECT_EQ(summary.at("amounts").at("charges").at("declined").at("amount"), 5000);
    EXPECT_EQ(summary.at("rows").begin().key(), "bundles") << "parents first";
    EXPECT_FALSE(summary.at("amounts").contains("bundles"));
}

// Another gate's data in the target: refused before anything is written, the schema included.
TEST_F(GateMigration, RefusesATargetThatHoldsData) {
    {
        auto pg = open_pg();
        ASSERT_TRUE(pg);
        std::error_code ec;
        pg->put_bundle({"other", 1, "{}", "", "{}", "", now}, ec);
        ASSERT_FALSE(ec);
    }
    auto const report = migrate();
    ASSERT_FALSE(report);
    EXPECT_NE(report.error.find("already holds gate data (bundles)"), std::string::npos) << report.error;
    EXPECT_EQ(pg_count("bundles"), 1u);
    EXPECT_EQ(pg_count("pledges"), 0u);
    EXPECT_EQ(pg_count("provider_events"), 0u);
}

// Older or later: the source is not brought up to date (a gate may be serving from it), and not read.
TEST_F(GateMigration, RefusesASourceOfAnotherSchemaVersionAndLeavesItAsItWas) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 2", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    auto const report = migrate();
    ASSERT_FALSE(report);
    EXPECT_NE(
        report.error.find("has schema version 2, this sluice-gate " + std::to_string(sql::schema_version)),
        std::string::npos)
        << report.error;
    EXPECT_NE(report.error.find("open it once with this sluice-gate"), std::string::npos) << report.error;
    std::string columns;
    EXPECT_EQ(sqlite_rows(file(), "pragma_user_version", columns).at(0).at(0), "2");
    EXPECT_EQ(pg_count("pg_class WHERE relname = 'bundles'"), 0u) << "no schema made";
}

// A gate serving from the file while the copy runs: its transaction, not committed, neither blocks the copy
// nor is in it.
TEST_F(GateMigration, ReadsOneSnapshotBesideAWriter) {
    sqlite3* writer = nullptr;
    ASSERT_EQ(sqlite3_open(file().c_str(), &writer), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(writer,
                     "BEGIN IMMEDIATE; INSERT INTO bundles (id, version, manifest, signature, keys, magnet, "
                     "imported_at) VALUES ('late', 1, '{}', '', '{}', '', 0)",
                     nullptr, nullptr, nullptr),
        SQLITE_OK);
    auto const report = migrate();
    sqlite3_exec(writer, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(writer);
    ASSERT_TRUE(report) << report.error;
    EXPECT_EQ(pg_count("bundles"), bundle_ids.size());
}

// A missing source is an error, not a new empty database.
TEST_F(GateMigration, RefusesAMissingSourceWithoutMakingOne) {
    std::string error;
    auto const from = parse_store_location("sqlite:" + (sqlite_dir_ / "nothing").string(), error);
    auto const to = parse_store_location(url_, error);
    auto const report = migrate_to_postgresql(*from, *to);
    ASSERT_FALSE(report);
    EXPECT_NE(report.error.find("nothing/gate.db"), std::string::npos) << report.error;
    EXPECT_FALSE(std::filesystem::exists(sqlite_dir_ / "nothing" / "gate.db"));
}

// The command line: 0 and the summary, then 1 and the reason for a second run into the same database, 2 for
// a command line without a target or with a target of the wrong kind.
TEST_F(GateMigration, TheCommandExitsZeroThenOneForASecondRun) {
    auto const from = "sqlite:" + (sqlite_dir_ / "data").string();
    std::vector<std::string> const args{"migrate", "--from", from, "--to", url_};
    ::testing::internal::CaptureStdout();
    EXPECT_EQ(run_command_line(args), exit_ok);
    auto const out = ::testing::internal::GetCapturedStdout();
    auto const summary = nlohmann::json::parse(out, nullptr, false);
    ASSERT_FALSE(summary.is_discarded()) << out;
    EXPECT_EQ(summary.at("rows").at("pledges"), pledge_ids.size());

    ::testing::internal::CaptureStderr();
    EXPECT_EQ(run_command_line(args), exit_failed);
    auto const refusal = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(refusal.find("already holds gate data"), std::string::npos) << refusal;
    for (auto const& wrong : {std::vector<std::string>{"migrate", "--from", from},
                              std::vector<std::string>{"migrate", "--from", from, "--to", from}}) {
        ::testing::internal::CaptureStderr();
        EXPECT_EQ(run_command_line(wrong), exit_usage);
        ::testing::internal::GetCapturedStderr();
    }
}

} // namespace
} // namespace sluice::gate
