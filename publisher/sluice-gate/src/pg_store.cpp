#include "sluice-gate/pg_store.hpp"

#include "sluice-gate/gate_sql.hpp"
#include "sluice-gate/pg_connection.hpp"
#include "sluice-gate/sql_statement.hpp"
#include "sluice-gate/sql_store.hpp"

namespace sluice::gate {

namespace {

// PostgreSQL keeps the schema's version in a table of its own, one row, written by the transaction of each
// migration (the older schema_version table of the schema records only versions 1 and 2).
constexpr char const* version_table_exists = "SELECT to_regclass('gate_schema') IS NOT NULL";
constexpr char const* read_version = "SELECT version FROM gate_schema";
constexpr char const* create_version_table = "CREATE TABLE gate_schema (version INTEGER NOT NULL)";
constexpr char const* insert_version = "INSERT INTO gate_schema (version) VALUES (?)";
constexpr char const* write_version = "UPDATE gate_schema SET version = ?";

// 0 for an empty database.
int stored_version(pg_connection& db, std::error_code& ec) {
    bool const exists = statement(db, version_table_exists)
                            .query_row([](statement const& r) { return r.text(0) == "t"; }, ec);
    if (ec || !exists) {
        return 0;
    }
    return static_cast<int>(
        statement(db, read_version).query_row([](statement const& r) { return r.integer(0); }, ec));
}

void migrate(pg_connection& db, std::error_code& ec, std::string* detail) {
    transaction tx(db, ec);
    if (ec) {
        return;
    }
    // Gates started together wait here for the first to bring the schema up to date; DDL is transactional.
    db.lock("sluice-gate schema", lock_mode::exclusive, ec);
    int const version = ec ? 0 : stored_version(db, ec);
    if (ec) {
        return;
    }
    if (version > sql::schema_version) {
        if (detail) {
            *detail = "the database's schema is version " + std::to_string(version) +
                      ", newer than this gate's (" + std::to_string(sql::schema_version) +
                      "): run a later sluice-gate";
        }
        ec = make_error_code(pg_errc::failed);
        return;
    }
    if (version == sql::schema_version) {
        return; // rolled back: nothing was written
    }
    if (version == 0) {
        db.run_script(sql::schema, ec);
        if (!ec) {
            statement(db, create_version_table).execute(ec);
        }
        if (!ec) {
            statement(db, insert_version).bind(std::int64_t{1}).execute(ec);
        }
    }
    for (int to = std::max(version, 1) + 1; to <= sql::schema_version && !ec; ++to) {
        db.run_script(sql::migrations[to], ec);
    }
    if (!ec) {
        statement(db, write_version).bind(std::int64_t{sql::schema_version}).execute(ec);
    }
    if (!ec) {
        tx.commit(ec);
    }
}

} // namespace

std::unique_ptr<gate_store> open_pg_store(std::string const& url, std::error_code& ec, std::string* detail) {
    auto db = pg_connection::open(url, ec, detail);
    if (!db) {
        return nullptr;
    }
    migrate(*db, ec, detail);
    if (ec) {
        if (detail && detail->empty()) {
            *detail = db->last_error();
        }
        return nullptr;
    }
    return std::make_unique<sql_store>(std::move(db));
}

} // namespace sluice::gate
