#include "sluice-gate/migrate_command.hpp"

#include "sluice-gate/copy_text.hpp"
#include "sluice-gate/gate_sql.hpp"
#include "sluice-gate/pg_connection.hpp"
#include "sluice-gate/pg_store.hpp"
#include "sluice-gate/sql_statement.hpp"
#include "sluice-gate/sqlite_connection.hpp"

#include <sqlite3.h>

namespace sluice::gate {

namespace {

using report_result = publisher::result<migration_report>;
using text_rows = std::vector<std::vector<std::string>>;

// What is handed to the server at a time: large enough that the calls cost nothing, small enough that a
// table of 250,000 pledges is never all in memory.
constexpr std::size_t batch_bytes = 1 << 20;

constexpr char const* read_version = "PRAGMA user_version";
constexpr char const* table_exists = "SELECT to_regclass(?) IS NOT NULL";
// open_pg_store's own key: a gate starting on the target meanwhile waits until the data is there.
constexpr char const* schema_lock = "sluice-gate schema";

// The SQLite file for reading only: nothing is written there, and a gate serving from it goes on. A
// missing file is an error, not a new empty database.
std::unique_ptr<sqlite_connection> open_source(std::string const& file, std::string& error) {
    sqlite3* db = nullptr;
    int const rc = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        error = file + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return nullptr;
    }
    // In WAL mode a reader never waits for a writer, only for a moment of recovery or checkpoint.
    sqlite3_busy_timeout(db, 5000);
    return std::make_unique<sqlite_connection>(db);
}

// Bringing an older database up to date would write under a gate that may be serving from it, and a later
// one has columns the target's schema lacks: both are refused.
std::string version_refusal(sqlite_connection& source, std::string const& file) {
    std::error_code ec;
    auto const version =
        statement(source, read_version).query_row([](statement const& r) { return r.integer(0); }, ec);
    if (ec) {
        return file + ": " + source.last_error();
    }
    if (version == sql::schema_version) {
        return {};
    }
    auto const versions = file + " has schema version " + std::to_string(version) + ", this sluice-gate " +
                          std::to_string(sql::schema_version);
    return version < sql::schema_version
               ? versions + ": open it once with this sluice-gate (sluice-gate stats --data FOLDER brings it "
                            "up to date), then migrate"
               : versions + ": migrate with a later sluice-gate";
}

text_query sqlite_query(sqlite_connection& db) {
    return [&db](std::string const& sql, int columns, std::error_code& ec) {
        statement s(db, sql.c_str());
        text_rows rows;
        while (s.next_row(ec)) {
            auto& row = rows.emplace_back();
            for (int i = 0; i < columns; ++i) {
                row.push_back(s.text(i));
            }
        }
        return rows;
    };
}

text_query pg_query(pg_connection& db) {
    return [&db](std::string const& sql, int columns, std::error_code& ec) {
        auto const result = db.run_unprepared(sql, ec);
        text_rows rows;
        for (int r = 0; r < result.size(); ++r) {
            auto& row = rows.emplace_back();
            for (int i = 0; i < columns; ++i) {
                row.push_back(result.at(r).text(i));
            }
        }
        return rows;
    };
}

// The gate tables of the target that hold a row (a table not made yet holds none).
std::vector<std::string> occupied_tables(pg_connection& target, std::vector<gate_table> const& tables,
                                         std::error_code& ec) {
    std::vector<std::string> occupied;
    for (auto const& t : tables) {
        auto const name = quoted_identifier(t.name);
        auto const exists = target.run(table_exists, {name}, ec);
        if (ec) {
            break;
        }
        if (exists.at(0).text(0) != "t") {
            continue;
        }
        auto const any = target.run_unprepared("SELECT EXISTS (SELECT 1 FROM " + name + ")", ec);
        if (ec) {
            break;
        }
        if (any.at(0).text(0) == "t") {
            occupied.push_back(t.name);
        }
    }
    return occupied;
}

std::string occupied_refusal(std::string const& to, std::vector<std::string> const& occupied) {
    std::string names;
    for (auto const& name : occupied) {
        names += (names.empty() ? "" : ", ") + name;
    }
    return to + " already holds gate data (" + names + "): migrate into an empty database";
}

// Streams the table's rows from the source's snapshot into the target's COPY, a batch at a time.
void copy_table(sqlite_connection& source, pg_connection& target, gate_table const& table,
                std::error_code& ec) {
    std::string select = "SELECT ";
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
        select += (i ? ", " : "") + quoted_identifier(table.columns[i]);
    }
    select += " FROM " + quoted_identifier(table.name);
    statement rows(source, select.c_str());
    int const columns = static_cast<int>(table.columns.size());
    target.copy_in(
        table.name, table.columns,
        [&](std::string& batch, std::error_code& e) {
            while (batch.size() < batch_bytes) {
                if (!rows.next_row(e)) {
                    return false;
                }
                for (int i = 0; i < columns; ++i) {
                    // The type first: SQLite converts a value read as text, and NULL reads as "".
                    if (rows.is_null(i)) {
                        append_copy_null(batch, i == 0);
                    } else {
                        append_copy_value(batch, rows.text(i), i == 0);
                    }
                }
                end_copy_row(batch);
            }
            return true;
        },
        ec);
}

// Copies every table in the target's open transaction and checks both sides against the source's tallies;
// "" when they agree.
std::string copy_and_check(sqlite_connection& source, pg_connection& target,
                           std::vector<gate_table> const& tables, std::vector<table_tally> const& expected) {
    std::error_code ec;
    for (auto const& t : tables) {
        copy_table(source, target, t, ec);
        if (ec) {
            // A failure to read the source abandons the copy with the source's error.
            bool const read_failed = ec.category() != pg_category();
            return "copying " + t.name + ": " + (read_failed ? source.last_error() : target.last_error());
        }
    }
    auto const query = pg_query(target);
    for (std::size_t i = 0; i < tables.size(); ++i) {
        auto const copied = tally_table(tables[i], query, ec);
        if (ec) {
            return "counting " + tables[i].name + ": " + target.last_error();
        }
        if (auto difference = tally_difference(expected[i], copied); !difference.empty()) {
            return difference;
        }
    }
    return {};
}

} // namespace

report_result migrate_to_postgresql(store_location const& from, store_location const& to) {
    if (from.kind != store_location::engine::sqlite || to.kind != store_location::engine::postgresql) {
        return report_result::failure("migrate copies from sqlite:FOLDER to a postgresql:// URL");
    }
    migration_report report{from.describe(), to.describe(), {}};
    std::string error;
    auto source = open_source(report.from, error);
    if (!source) {
        return report_result::failure(error);
    }
    // Deferred: the first read takes the snapshot that every later one reads, and no lock is asked for.
    std::error_code ec;
    source->run_script("BEGIN", ec);
    if (ec) {
        return report_result::failure(report.from + ": " + source->last_error());
    }
    if (auto refusal = version_refusal(*source, report.from); !refusal.empty()) {
        return report_result::failure(refusal);
    }
    auto tables = sqlite_gate_tables(*source);
    if (!tables) {
        return report_result::failure(report.from + ": " + tables.error);
    }
    auto const read = sqlite_query(*source);
    for (auto const& t : *tables) {
        report.tables.push_back(tally_table(t, read, ec));
        if (ec) {
            return report_result::failure(report.from + ": counting " + t.name + ": " + source->last_error());
        }
    }

    std::string detail;
    auto target = pg_connection::open(to.url, ec, &detail);
    if (!target) {
        return report_result::failure(report.to + ": " + detail);
    }
    // Before the schema is made: a database that holds another gate's data is not touched at all.
    auto occupied = occupied_tables(*target, *tables, ec);
    if (ec || !occupied.empty()) {
        return report_result::failure(ec ? report.to + ": " + target->last_error()
                                         : occupied_refusal(report.to, occupied));
    }
    if (!open_pg_store(to.url, ec, &detail)) {
        return report_result::failure(report.to + ": " + (detail.empty() ? ec.message() : detail));
    }
    transaction tx(*target, ec);
    if (!ec) {
        target->lock(schema_lock, lock_mode::exclusive, ec);
    }
    // Again in the transaction that copies: another migration may have been faster.
    if (!ec) {
        occupied = occupied_tables(*target, *tables, ec);
    }
    if (ec || !occupied.empty()) {
        return report_result::failure(ec ? report.to + ": " + target->last_error()
                                         : occupied_refusal(report.to, occupied));
    }
    if (auto failure = copy_and_check(*source, *target, *tables, report.tables); !failure.empty()) {
        return report_result::failure(failure + "; no row was written to " + report.to);
    }
    tx.commit(ec);
    if (ec) {
        return report_result::failure(report.to + ": the commit failed (" + target->last_error() +
                                      "): look at the database before migrating again");
    }
    return report;
}

nlohmann::ordered_json migration_summary(migration_report const& report) {
    nlohmann::ordered_json rows = nlohmann::ordered_json::object();
    nlohmann::ordered_json amounts = nlohmann::ordered_json::object();
    for (auto const& t : report.tables) {
        rows[t.table] = t.rows;
        if (t.by_state.empty()) {
            continue;
        }
        auto& states = amounts[t.table];
        for (auto const& [state, sum] : t.by_state) {
            states[state] = {{"rows", sum.rows}, {"amount", sum.amount}};
        }
    }
    return {{"from", report.from}, {"to", report.to}, {"rows", rows}, {"amounts", amounts}};
}

} // namespace sluice::gate
