#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace sluice::gate {

// What the store asks of a database engine (SQLite, PostgreSQL), so that the store's transactions are
// written once (sql_store.cpp) and run on either. The statements are those of gate_sql.hpp and
// money_sql.hpp, with '?' placeholders; values travel as text or 64-bit integers.

// One statement made ready on a connection, with its parameters bound in order; run by the first step.
class prepared_statement {
public:
    virtual ~prepared_statement() = default;
    // Each kept until the statement runs; a failure is reported by the first step.
    virtual void bind_text(std::string_view text) = 0;
    virtual void bind_integer(std::int64_t value) = 0;
    virtual void bind_null() = 0;
    // Runs the statement on the first call; true while it has a row to read, false when done (`ec`
    // cleared) or on a failure (`ec` set).
    virtual bool step(std::error_code& ec) = 0;
    // Rows the statement changed, once it ran to its end.
    virtual std::uint64_t changes() const = 0;
    // The current row's columns, numbered from 0. text() is "" for NULL.
    virtual std::string text(int column) const = 0;
    virtual std::int64_t integer(int column) const = 0;
    virtual bool is_null(int column) const = 0;
};

// Serialises the transactions that read and then write the same thing, where the engine does not do it by
// itself: PostgreSQL lets many writers in at once, SQLite one (its BEGIN IMMEDIATE).
enum class lock_mode {
    shared,    // many holders at once, none of them beside an exclusive one
    exclusive, // one holder
};

// A lock's key: what kind of thing is locked and the ids that name it, apart by a byte no id holds.
template <typename... Ids>
std::string lock_key(std::string_view kind, Ids const&... ids) {
    std::string key(kind);
    ((key += '\x1f', key += std::string_view(ids)), ...);
    return key;
}

class sql_connection {
public:
    virtual ~sql_connection() = default;
    virtual std::unique_ptr<prepared_statement> prepare(char const* sql) = 0;
    // A transaction that writes; every statement until commit() or rollback() is in it.
    virtual void begin(std::error_code& ec) = 0;
    virtual void commit(std::error_code& ec) = 0;
    virtual void rollback() = 0;
    // Held until the transaction ends; waits for a conflicting holder in another connection. Keys are any
    // text (a campaign's id with what is locked in it): two keys that hash alike only wait for each other.
    virtual void lock(std::string_view key, lock_mode mode, std::error_code& ec) = 0;
    // Whether this connection holds the lock of `key` for as long as it lives, taking it when it is free:
    // one connection among all those of every gate holds it, until it closes (its process ended, or the
    // server lost it). SQLite's, on one machine, always does.
    virtual bool hold_session_lock(std::string_view key, std::error_code& ec) = 0;
    // What the engine said of the last failure, for a person.
    virtual std::string last_error() const = 0;
};

// Whether a store failure is passing (the database is out of reach, busy, or asked for the transaction to be
// run again): the request may be sent again as it was, and is answered 503 with Retry-After, not 500.
bool is_transient(std::error_code const& ec);

// The store's own errors, whichever the engine.
enum class store_errc {
    missing_row =
        1, // a query that always yields a row (an aggregate, a row the transaction relies on) did not
    unexpected_row, // a statement run to change rows answered one: it is not the statement the caller meant
};
std::error_category const& store_category();
std::error_code make_error_code(store_errc e);

} // namespace sluice::gate

template <>
struct std::is_error_code_enum<sluice::gate::store_errc> : std::true_type {};
