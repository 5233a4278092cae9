#include "sluice-gate/sqlite_connection.hpp"

#include <sqlite3.h>

namespace sluice::gate {

namespace {

class sqlite_error_category final : public std::error_category {
public:
    char const* name() const noexcept override { return "sqlite"; }
    std::string message(int code) const override { return sqlite3_errstr(code); }
};

class sqlite_statement final : public prepared_statement {
public:
    sqlite_statement(sqlite3* db, char const* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
    ~sqlite_statement() override { sqlite3_finalize(stmt_); }

    void bind_text(std::string_view text) override {
        if (next_index()) {
            rc_ = sqlite3_bind_text(stmt_, index_, text.data(), static_cast<int>(text.size()),
                                    SQLITE_TRANSIENT);
        }
    }
    void bind_integer(std::int64_t value) override {
        if (next_index()) {
            rc_ = sqlite3_bind_int64(stmt_, index_, value);
        }
    }
    void bind_null() override {
        if (next_index()) {
            rc_ = sqlite3_bind_null(stmt_, index_);
        }
    }

    bool step(std::error_code& ec) override {
        int const rc = rc_ != SQLITE_OK ? rc_ : sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) {
            ec.clear();
            return true;
        }
        ec = rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
        return false;
    }
    std::uint64_t changes() const override {
        return static_cast<std::uint64_t>(sqlite3_changes(sqlite3_db_handle(stmt_)));
    }

    std::string text(int column) const override {
        auto const* p = reinterpret_cast<char const*>(sqlite3_column_text(stmt_, column));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
                 : std::string();
    }
    std::int64_t integer(int column) const override { return sqlite3_column_int64(stmt_, column); }
    bool is_null(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

private:
    bool next_index() {
        ++index_;
        return rc_ == SQLITE_OK;
    }

    sqlite3_stmt* stmt_ = nullptr;
    int rc_ = 0; // SQLITE_OK, or the first error in preparing or binding
    int index_ = 0;
};

int run(sqlite3* db, char const* sql) {
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
}

} // namespace

std::error_category const& sqlite_category() {
    static sqlite_error_category const instance;
    return instance;
}

std::error_code sqlite_error(int rc) {
    return {rc, sqlite_category()};
}

std::unique_ptr<sqlite_connection> sqlite_connection::open(std::filesystem::path const& file,
                                                           std::error_code& ec, std::string* detail) {
    sqlite3* db = nullptr;
    int const rc = sqlite3_open_v2(file.c_str(), &db,
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
    ec.clear();
    return std::make_unique<sqlite_connection>(db);
}

sqlite_connection::~sqlite_connection() {
    sqlite3_close(db_);
}

std::unique_ptr<prepared_statement> sqlite_connection::prepare(char const* sql) {
    return std::make_unique<sqlite_statement>(db_, sql);
}

void sqlite_connection::begin(std::error_code& ec) {
    int const rc = run(db_, "BEGIN IMMEDIATE");
    ec = rc == SQLITE_OK ? std::error_code() : sqlite_error(rc);
}

void sqlite_connection::commit(std::error_code& ec) {
    int const rc = run(db_, "COMMIT");
    ec = rc == SQLITE_OK ? std::error_code() : sqlite_error(rc);
}

void sqlite_connection::rollback() {
    run(db_, "ROLLBACK");
}

std::string sqlite_connection::last_error() const {
    return sqlite3_errmsg(db_);
}

void sqlite_connection::run_script(char const* sql, std::error_code& ec) {
    int const rc = run(db_, sql);
    ec = rc == SQLITE_OK ? std::error_code() : sqlite_error(rc);
}

} // namespace sluice::gate
