#pragma once

#include "sluice-gate/sql_connection.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice::gate {

// One statement on a connection (sql_connection.hpp), and the ways the store runs one, so that each query is
// written once as a chain, whatever the engine:
//     auto bundle = statement(db, sql::find_bundle).bind(id).query_one(read_bundle<statement>, ec);
// Binding is positional, in the order of the SQL text's parameters. A failure to prepare or to bind is kept
// and reported by the first step, so a chain needs one check, at its end. Every call that takes `ec` sets
// it: cleared on success, the engine's error otherwise. The row readers get the statement positioned on a
// row and read its columns, numbered from 0.
class statement {
public:
    statement(sql_connection& db, char const* sql) : stmt_(db.prepare(sql)) {}
    statement(statement const&) = delete;
    statement& operator=(statement const&) = delete;

    statement& bind(std::string_view text);
    statement& bind(std::int64_t value);
    statement& bind(std::optional<std::int64_t> value);              // NULL when empty
    statement& bind_or_null(std::optional<std::string> const& text); // NULL when empty

    // Steps once: true on a row; false when the rows are done (`ec` cleared) or on a failure (`ec` set).
    bool next_row(std::error_code& ec) { return stmt_->step(ec); }

    // Runs a statement that returns no rows (INSERT, UPDATE); answers how many rows it changed (0 on a
    // failure), so a conditional UPDATE tells whether its condition held. A row is an error: it means the
    // SQL is not the one the caller meant.
    std::uint64_t execute(std::error_code& ec);

    // The first row as `read` makes it, or nullopt when there is none (not an error) or on a failure.
    template <typename Read>
    auto query_one(Read&& read, std::error_code& ec)
        -> std::optional<std::remove_cvref_t<std::invoke_result_t<Read&, statement const&>>> {
        if (!next_row(ec)) {
            return std::nullopt;
        }
        return read(std::as_const(*this));
    }

    // The row a query always yields (an aggregate's, or one the caller's transaction relies on): its absence
    // is the error store_errc::missing_row. A value-initialised result on a failure.
    template <typename Read>
    auto query_row(Read&& read, std::error_code& ec)
        -> std::remove_cvref_t<std::invoke_result_t<Read&, statement const&>> {
        if (!next_row(ec)) {
            if (!ec) {
                ec = store_errc::missing_row;
            }
            return {};
        }
        return read(std::as_const(*this));
    }

    // Every row, in the order the query gives them. On a failure, the rows read before it, and `ec` set.
    template <typename Read>
    auto query_all(Read&& read, std::error_code& ec)
        -> std::vector<std::remove_cvref_t<std::invoke_result_t<Read&, statement const&>>> {
        std::vector<std::remove_cvref_t<std::invoke_result_t<Read&, statement const&>>> rows;
        while (next_row(ec)) {
            rows.push_back(read(std::as_const(*this)));
        }
        return rows;
    }

    std::string text(int column) const { return stmt_->text(column); } // "" for NULL
    std::int64_t integer(int column) const { return stmt_->integer(column); }
    std::optional<std::int64_t> maybe_integer(int column) const;
    bool is_null(int column) const { return stmt_->is_null(column); }

private:
    std::unique_ptr<prepared_statement> stmt_;
};

// A transaction that writes, rolled back unless committed. Both calls set `ec`.
class transaction {
public:
    transaction(sql_connection& db, std::error_code& ec);
    ~transaction();
    transaction(transaction const&) = delete;
    transaction& operator=(transaction const&) = delete;

    // Takes a lock until the transaction ends (sql_connection::lock); nothing when `ec` is set already, so
    // that a transaction begun and its locks need one check.
    void lock(std::string_view key, lock_mode mode, std::error_code& ec) {
        if (!ec) {
            db_.lock(key, mode, ec);
        }
    }

    // Ends the transaction's ownership whatever COMMIT answers: after a failed commit the destructor does
    // not issue a ROLLBACK.
    void commit(std::error_code& ec);

private:
    sql_connection& db_;
    bool open_ = false;
};

} // namespace sluice::gate
