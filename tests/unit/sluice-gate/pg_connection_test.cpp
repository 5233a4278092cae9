#include "pg_cluster.hpp"
#include "sandbox_dir.hpp"
#include "sluice-gate/gate_sql.hpp"
#include "sluice-gate/money_sql.hpp"
#include "sluice-gate/pg_connection.hpp"

#include <gtest/gtest.h>

namespace sluice::gate {
namespace {

using sluice::testing::pg_test_database;
using sluice::testing::sandbox_dir;

TEST(PgPlaceholders, NumberedInOrderButNotInsideQuotes) {
    EXPECT_EQ(numbered_placeholders("SELECT a FROM t WHERE b = ? AND c = '?' AND \"d?\" = ? LIMIT ?"),
              "SELECT a FROM t WHERE b = $1 AND c = '?' AND \"d?\" = $2 LIMIT $3");
    EXPECT_EQ(numbered_placeholders("UPDATE t SET x = 'it''s ?' WHERE y = ?"),
              "UPDATE t SET x = 'it''s ?' WHERE y = $1");
    EXPECT_EQ(numbered_placeholders("SELECT 1"), "SELECT 1");
}

class PgConnection : public ::testing::Test {
protected:
    void SetUp() override {
        std::error_code ec;
        std::string detail;
        db_ = pg_connection::open(database_.url(), ec, &detail);
        ASSERT_TRUE(db_) << detail << database_.log();
    }

    sandbox_dir dir_;
    pg_test_database database_{dir_.path()};
    std::unique_ptr<pg_connection> db_;
};

// The gate's own schema and statements, as SQLite runs them, run on PostgreSQL: every migration applies,
// rows go in and come out by column index, conditional writes count the rows they changed, and a taken key
// is told apart from other failures.
TEST_F(PgConnection, RunsTheGatesSchemaAndStatementsAsTheyAreWritten) {
    std::error_code ec;
    for (auto const* script : {sql::schema, sql::migration_2, sql::migration_3}) {
        db_->run_script(script, ec);
        ASSERT_FALSE(ec) << db_->last_error();
    }
    db_->run("INSERT INTO bundles (id, version, manifest, signature, keys, magnet, imported_at) "
             "VALUES (?, 1, '{}', '', '{}', ?, 0)",
             {"b", std::nullopt}, ec);
    EXPECT_EQ(ec, pg_errc::failed) << "magnet is NOT NULL"; // a NULL parameter reaches the server as NULL
    db_->run("INSERT INTO bundles (id, version, manifest, signature, keys, magnet, imported_at) "
             "VALUES (?, 1, '{}', '', '{}', '', 0)",
             {"b"}, ec);
    ASSERT_FALSE(ec) << db_->last_error();
    db_->run(sql::insert_campaign,
             {"c", "b", "2", std::nullopt, "1500", "EUR", "1900000000", "2030-01-01", "x"}, ec);
    ASSERT_FALSE(ec) << db_->last_error();
    // The first definition stands: ON CONFLICT DO NOTHING changes no row.
    auto const again =
        db_->run(sql::insert_campaign, {"c", "b", "9", std::nullopt, "1", "EUR", "1", "2030-01-01", "y"}, ec);
    ASSERT_FALSE(ec) << db_->last_error();
    EXPECT_EQ(again.affected(), 0u);
    for (auto const* id : {"p1", "p2"}) {
        db_->run(sql::insert_pledge,
                 {id, "c", std::string("key-") + id, "h", "1500", "x25519:AAAA", "", "1", "pledge"}, ec);
        ASSERT_FALSE(ec) << db_->last_error();
    }
    db_->run(sql::insert_pledge, {"p3", "c", "key-p1", "h", "1500", "x25519:AAAA", "", "1", "pledge"}, ec);
    EXPECT_EQ(ec, pg_errc::unique_violation) << db_->last_error();

    auto const confirmed = db_->run(sql::confirm_pledge, {"cus", "pm", "5", "p1"}, ec);
    ASSERT_FALSE(ec) << db_->last_error();
    EXPECT_EQ(confirmed.affected(), 1u);
    EXPECT_EQ(db_->run(sql::confirm_pledge, {"cus", "pm", "5", "p1"}, ec).affected(),
              0u); // no longer pending

    auto const totals = db_->run(sql::campaign_totals, {"c"}, ec);
    ASSERT_FALSE(ec) << db_->last_error();
    ASSERT_EQ(totals.size(), 1);
    EXPECT_EQ(totals.at(0).integer(0), 1);
    EXPECT_EQ(totals.at(0).integer(1), 1500); // SUM's numeric, read as an integer
    auto const pledge = db_->run(sql::find_pledge, {"p1"}, ec);
    ASSERT_EQ(pledge.size(), 1);
    EXPECT_EQ(pledge.at(0).text(6), "confirmed");
    EXPECT_EQ(pledge.at(0).maybe_integer(13), 5);
    EXPECT_TRUE(pledge.at(0).is_null(9)); // never cancelled
    EXPECT_EQ(pledge.at(0).text(20), "pledge");
    EXPECT_EQ(db_->run(sql::find_pledge, {"nobody"}, ec).size(), 0);
}

TEST(PgConnectionOpen, AServerThatIsNotThereIsAClearError) {
    std::error_code ec;
    std::string detail;
    auto const db = pg_connection::open("postgresql:///gate?host=/nonexistent&user=sluice", ec, &detail);
    EXPECT_FALSE(db);
    EXPECT_EQ(ec, pg_errc::connection_lost);
    EXPECT_FALSE(detail.empty());
}

} // namespace
} // namespace sluice::gate
