#pragma once

#include "sluice-gate/sql_connection.hpp"

#include <filesystem>
#include <memory>
#include <string>

struct sqlite3;

namespace sluice::gate {

// The error category of SQLite's result codes, so failures travel as std::error_code.
std::error_category const& sqlite_category();
std::error_code sqlite_error(int rc);

// One SQLite connection. SQLite admits one writer at a time (BEGIN IMMEDIATE takes the write lock at once,
// so a read-then-write transaction cannot fail half way with SQLITE_BUSY on the upgrade): lock() has nothing
// left to serialise and does nothing.
class sqlite_connection final : public sql_connection {
public:
    // Opens (creating) the file; writers of other connections are waited for up to a few seconds.
    static std::unique_ptr<sqlite_connection> open(std::filesystem::path const& file, std::error_code& ec,
                                                   std::string* detail);
    // Takes an open handle (an in-memory database of a test).
    explicit sqlite_connection(sqlite3* db) : db_(db) {}
    ~sqlite_connection() override;
    sqlite_connection(sqlite_connection const&) = delete;
    sqlite_connection& operator=(sqlite_connection const&) = delete;

    std::unique_ptr<prepared_statement> prepare(char const* sql) override;
    void begin(std::error_code& ec) override;
    void commit(std::error_code& ec) override;
    void rollback() override;
    void lock(std::string_view, lock_mode, std::error_code& ec) override { ec.clear(); }
    bool hold_session_lock(std::string_view, std::error_code& ec) override {
        ec.clear();
        return true;
    }
    std::string last_error() const override;

    // Runs SQL text that returns no rows (pragmas, a schema), as one or several statements.
    void run_script(char const* sql, std::error_code& ec);
    sqlite3* handle() const { return db_; }

private:
    sqlite3* db_;
};

} // namespace sluice::gate
