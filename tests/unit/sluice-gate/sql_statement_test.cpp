#include "sluice-gate/sql_statement.hpp"
#include "sluice-gate/sqlite_connection.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <sqlite3.h>

namespace sluice::gate {
namespace {

// An in-memory database with one table whose columns a and b have no type, so that they keep what was bound.
class SqliteStatement : public ::testing::Test {
protected:
    void SetUp() override {
        sqlite3* handle = nullptr;
        ASSERT_EQ(sqlite3_open(":memory:", &handle), SQLITE_OK);
        conn_ = std::make_unique<sqlite_connection>(handle);
        ASSERT_EQ(sqlite3_exec(handle, "CREATE TABLE t (id TEXT PRIMARY KEY, a, b, c INTEGER NOT NULL)",
                               nullptr, nullptr, nullptr),
                  SQLITE_OK);
    }

    void insert(std::string_view id, std::int64_t c, std::error_code& ec) {
        statement(db_(), "INSERT INTO t (id, c) VALUES (?, ?)").bind(id).bind(c).execute(ec);
    }

    std::int64_t count_rows() {
        std::error_code ec;
        auto const n = statement(db_(), "SELECT COUNT(*) FROM t")
                           .query_row([](statement const& row) { return row.integer(0); }, ec);
        EXPECT_FALSE(ec) << ec.message();
        return n;
    }

    std::unique_ptr<sqlite_connection> conn_;
    sql_connection& db_() { return *conn_; }
};

TEST_F(SqliteStatement, BindsEachTypeInTheOrderOfTheParameters) {
    std::error_code ec;
    statement(db_(), "INSERT INTO t (id, a, b, c) VALUES (?, ?, ?, ?)")
        .bind("x")
        .bind(std::optional<std::int64_t>())
        .bind(std::optional<std::int64_t>(7))
        .bind(std::int64_t{-3})
        .execute(ec);
    ASSERT_FALSE(ec) << ec.message();

    struct row_types {
        std::string id, a, b, c;
    };
    auto const types = statement(db_(), "SELECT typeof(id), typeof(a), typeof(b), typeof(c) FROM t")
                           .query_one(
                               [](statement const& row) {
                                   return row_types{row.text(0), row.text(1), row.text(2), row.text(3)};
                               },
                               ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_TRUE(types);
    EXPECT_EQ(types->id, "text");
    EXPECT_EQ(types->a, "null");
    EXPECT_EQ(types->b, "integer");
    EXPECT_EQ(types->c, "integer");
}

TEST_F(SqliteStatement, ReadsBackTextWithNulsAndExtremeIntegers) {
    std::string const text("a\0b", 3);
    std::error_code ec;
    statement(db_(), "INSERT INTO t (id, a, b, c) VALUES (?, ?, ?, ?)")
        .bind(text)
        .bind(std::numeric_limits<std::int64_t>::min())
        .bind(std::optional<std::int64_t>())
        .bind(std::numeric_limits<std::int64_t>::max())
        .execute(ec);
    ASSERT_FALSE(ec) << ec.message();

    std::optional<std::int64_t> a, b;
    std::int64_t c = 0;
    bool b_null = false;
    auto const id = statement(db_(), "SELECT id, a, b, c FROM t")
                        .query_one(
                            [&](statement const& row) {
                                a = row.maybe_integer(1);
                                b = row.maybe_integer(2);
                                b_null = row.is_null(2);
                                c = row.integer(3);
                                return row.text(0);
                            },
                            ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_TRUE(id);
    EXPECT_EQ(*id, text);
    EXPECT_EQ(id->size(), 3u);
    EXPECT_EQ(a, std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(b, std::nullopt);
    EXPECT_TRUE(b_null);
    EXPECT_EQ(c, std::numeric_limits<std::int64_t>::max());
}

TEST_F(SqliteStatement, NoRowIsNotAnErrorForQueryOne) {
    std::error_code ec = sqlite_error(SQLITE_BUSY); // a stale error from an earlier call is cleared
    auto const row = statement(db_(), "SELECT c FROM t WHERE id = ?")
                         .bind("nobody")
                         .query_one([](statement const& r) { return r.integer(0); }, ec);
    EXPECT_FALSE(row);
    EXPECT_FALSE(ec) << ec.message();
}

TEST_F(SqliteStatement, NoRowIsAMissingRowErrorForQueryRow) {
    std::error_code ec;
    auto const c = statement(db_(), "SELECT c FROM t WHERE id = ?")
                       .bind("nobody")
                       .query_row([](statement const& r) { return r.integer(0) + 1; }, ec);
    EXPECT_EQ(ec, store_errc::missing_row);
    EXPECT_EQ(c, 0); // value-initialised, not read
}

TEST_F(SqliteStatement, ConstraintErrorsSurfaceAsSqliteErrors) {
    std::error_code ec;
    insert("x", 1, ec);
    ASSERT_FALSE(ec) << ec.message();
    insert("x", 2, ec); // the same primary key
    EXPECT_EQ(ec, sqlite_error(SQLITE_CONSTRAINT));
    EXPECT_EQ(&ec.category(), &sqlite_category());
    EXPECT_STREQ(ec.category().name(), "sqlite");
    EXPECT_FALSE(ec.message().empty());

    statement(db_(), "INSERT INTO t (id, c) VALUES (?, ?)")
        .bind("y")
        .bind(std::optional<std::int64_t>())
        .execute(ec);
    EXPECT_EQ(ec, sqlite_error(SQLITE_CONSTRAINT)); // c is NOT NULL
    EXPECT_EQ(count_rows(), 1);
}

TEST_F(SqliteStatement, APrepareErrorIsReportedByTheStepAndBindingsAreSkipped) {
    std::error_code ec;
    statement(db_(), "INSERT INTO no_such_table VALUES (?)").bind("x").bind(std::int64_t{1}).execute(ec);
    EXPECT_EQ(ec, sqlite_error(SQLITE_ERROR));

    auto const rows =
        statement(db_(), "SELEC nonsense").query_all([](statement const& r) { return r.text(0); }, ec);
    EXPECT_EQ(ec, sqlite_error(SQLITE_ERROR));
    EXPECT_TRUE(rows.empty());
}

TEST_F(SqliteStatement, ABindPastTheLastParameterIsAnError) {
    std::error_code ec;
    statement(db_(), "INSERT INTO t (id, c) VALUES (?, ?)")
        .bind("x")
        .bind(std::int64_t{1})
        .bind(std::int64_t{2})
        .execute(ec);
    EXPECT_EQ(ec, sqlite_error(SQLITE_RANGE));
    EXPECT_EQ(count_rows(), 0); // the statement never ran
}

TEST_F(SqliteStatement, ExecuteRefusesAStatementThatYieldsARow) {
    std::error_code ec;
    statement(db_(), "SELECT 1").execute(ec);
    EXPECT_EQ(ec, store_errc::unexpected_row);
}

TEST_F(SqliteStatement, QueryAllReadsEveryRowInOrder) {
    std::error_code ec;
    for (auto const* id : {"b", "a", "c"}) {
        insert(id, 1, ec);
        ASSERT_FALSE(ec) << ec.message();
    }
    auto const ids = statement(db_(), "SELECT id FROM t ORDER BY id")
                         .query_all([](statement const& r) { return r.text(0); }, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c"}));

    auto const none = statement(db_(), "SELECT id FROM t WHERE c = ?")
                          .bind(std::int64_t{2})
                          .query_all([](statement const& r) { return r.text(0); }, ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(none.empty());
}

TEST_F(SqliteStatement, NextRowTellsWhetherThereIsARow) {
    std::error_code ec;
    EXPECT_FALSE(statement(db_(), "SELECT id FROM t").next_row(ec));
    EXPECT_FALSE(ec);
    insert("x", 1, ec);
    EXPECT_TRUE(statement(db_(), "SELECT id FROM t").next_row(ec));
    EXPECT_FALSE(ec);
}

TEST_F(SqliteStatement, ATransactionIsRolledBackUnlessCommitted) {
    std::error_code ec;
    {
        transaction tx(db_(), ec);
        ASSERT_FALSE(ec) << ec.message();
        insert("x", 1, ec);
        ASSERT_FALSE(ec) << ec.message();
    }
    EXPECT_EQ(count_rows(), 0);
    {
        transaction tx(db_(), ec);
        ASSERT_FALSE(ec) << ec.message();
        insert("x", 1, ec);
        tx.commit(ec);
        EXPECT_FALSE(ec) << ec.message();
    }
    EXPECT_EQ(count_rows(), 1);
}

TEST_F(SqliteStatement, ATransactionInsideAnotherFailsToBegin) {
    std::error_code ec;
    transaction outer(db_(), ec);
    ASSERT_FALSE(ec) << ec.message();
    insert("x", 1, ec);
    {
        transaction inner(db_(), ec);
        EXPECT_EQ(ec, sqlite_error(SQLITE_ERROR));
    } // the inner one, never begun, must not roll back the outer one
    outer.commit(ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(count_rows(), 1);
}

} // namespace
} // namespace sluice::gate
