#include "sluice-gate/sqlite_statement.hpp"

#include <sqlite3.h>

namespace sluice::gate {

namespace {

class category final : public std::error_category {
public:
    char const* name() const noexcept override { return "sqlite"; }
    std::string message(int code) const override { return sqlite3_errstr(code); }
};

} // namespace

std::error_category const& sqlite_category() {
    static category const instance;
    return instance;
}

std::error_code sqlite_error(int rc) {
    return {rc, sqlite_category()};
}

statement::statement(sqlite3* db, char const* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
}

statement::~statement() {
    sqlite3_finalize(stmt_);
}

statement& statement::bind(std::string_view text) {
    ++index_;
    if (rc_ == SQLITE_OK) {
        rc_ = sqlite3_bind_text(stmt_, index_, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    }
    return *this;
}

statement& statement::bind(std::int64_t value) {
    ++index_;
    if (rc_ == SQLITE_OK) {
        rc_ = sqlite3_bind_int64(stmt_, index_, value);
    }
    return *this;
}

statement& statement::bind(std::optional<std::int64_t> value) {
    return value ? bind(*value) : bind_null();
}

statement& statement::bind_or_null(std::optional<std::string> const& text) {
    return text ? bind(std::string_view(*text)) : bind_null();
}

statement& statement::bind_null() {
    ++index_;
    if (rc_ == SQLITE_OK) {
        rc_ = sqlite3_bind_null(stmt_, index_);
    }
    return *this;
}

bool statement::next_row(std::error_code& ec) {
    int const rc = rc_ != SQLITE_OK ? rc_ : sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        ec.clear();
        return true;
    }
    ec = rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
    return false;
}

std::uint64_t statement::execute(std::error_code& ec) {
    int const rc = rc_ != SQLITE_OK ? rc_ : sqlite3_step(stmt_);
    ec = rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
    return ec ? 0 : static_cast<std::uint64_t>(sqlite3_changes(sqlite3_db_handle(stmt_)));
}

std::string statement::text(int column) const {
    auto const* p = reinterpret_cast<char const*>(sqlite3_column_text(stmt_, column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}

std::int64_t statement::integer(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

std::optional<std::int64_t> statement::maybe_integer(int column) const {
    return is_null(column) ? std::nullopt : std::optional<std::int64_t>(integer(column));
}

bool statement::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

transaction::transaction(sqlite3* db, std::error_code& ec) : db_(db) {
    int const rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    open_ = rc == SQLITE_OK;
    ec = open_ ? std::error_code() : sqlite_error(rc);
}

transaction::~transaction() {
    if (open_) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void transaction::commit(std::error_code& ec) {
    open_ = false;
    int const rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    ec = rc == SQLITE_OK ? std::error_code() : sqlite_error(rc);
}

} // namespace sluice::gate
