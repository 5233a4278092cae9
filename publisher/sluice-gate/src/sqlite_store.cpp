#include "sluice-gate/sqlite_store.hpp"

#include "sluice-gate/gate_sql.hpp"
#include "sluice-gate/sql_statement.hpp"
#include "sluice-gate/sql_store.hpp"
#include "sluice-gate/sqlite_connection.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

namespace sluice::gate {

namespace {

// SQLite keeps the schema's version in the file's header (PRAGMA user_version).
int user_version(sqlite_connection& db, std::error_code& ec) {
    return static_cast<int>(statement(db, "PRAGMA user_version")
                                .query_row([](statement const& row) { return row.integer(0); }, ec));
}

// Brings the schema from the database's version to sql::schema_version, each step in one transaction with
// the version it reaches; refuses a database of a version this gate does not know.
void migrate(sqlite_connection& db, std::error_code& ec, std::string* detail) {
    int const version = user_version(db, ec);
    if (ec) {
        return;
    }
    if (version > sql::schema_version) {
        if (detail) {
            *detail = "the database's schema is version " + std::to_string(version) +
                      ", newer than this gate's (" + std::to_string(sql::schema_version) +
                      "): run a later sluice-gate";
        }
        ec = sqlite_error(SQLITE_MISMATCH);
        return;
    }
    for (int to = std::max(version, 1) + 1; to <= sql::schema_version; ++to) {
        auto const text = std::string("BEGIN IMMEDIATE;\n") + sql::migrations[to] +
                          "PRAGMA user_version = " + std::to_string(to) + ";\nCOMMIT;";
        db.run_script(text.c_str(), ec);
        if (ec) {
            db.rollback();
            return;
        }
    }
}

} // namespace

std::unique_ptr<gate_store> open_sqlite_store(std::filesystem::path const& data_dir, std::error_code& ec,
                                              std::string* detail) {
    std::filesystem::create_directories(data_dir, ec);
    if (ec) {
        return nullptr;
    }
    // The keys table holds every item key of every bundle: nobody else on the machine reads the folder.
    ::chmod(data_dir.c_str(), 0700);
    auto const file = data_dir / "gate.db";
    auto db = sqlite_connection::open(file, ec, detail);
    if (!db) {
        return nullptr;
    }
    // WAL: readers never block the writer; FULL: the WAL is fsynced at each commit, which is what makes an
    // answered request durable (NORMAL would only protect the database's integrity, not the last commits).
    for (char const* script :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", sql::schema}) {
        db->run_script(script, ec);
        if (ec) {
            break;
        }
    }
    if (!ec) {
        migrate(*db, ec, detail);
    }
    if (ec) {
        if (detail && detail->empty()) {
            *detail = db->last_error();
        }
        return nullptr;
    }
    ::chmod(file.c_str(), 0600);
    return std::make_unique<sql_store>(std::move(db));
}

} // namespace sluice::gate
