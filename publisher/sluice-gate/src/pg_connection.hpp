#pragma once

#include "sluice-gate/sql_connection.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

struct pg_conn;
struct pg_result;

namespace sluice::gate {

// One connection to PostgreSQL through libpq, running the statements of gate_sql.hpp and money_sql.hpp as
// they are written (their '?' placeholders become $1, $2, ... once per statement, which is then prepared
// on this connection and reused). Values travel as text, both ways: every column the gate keeps is TEXT or
// an integer, and PostgreSQL's text form of an integer (or of SUM's numeric) is its decimal digits.

// What went wrong, by the SQLSTATE classes a caller acts on: a unique key taken (another gate recorded the
// same thing first), a transaction to run again (serialization failure, deadlock), the server gone.
enum class pg_errc {
    unique_violation = 1,
    retry_transaction,
    connection_lost,
    failed, // any other error: the statement, the data or the server refused
};
std::error_category const& pg_category();
std::error_code make_error_code(pg_errc e);

// '?' placeholders to PostgreSQL's $n, skipping quoted literals and identifiers.
std::string numbered_placeholders(std::string_view sql);

// A table's or column's name as SQL text names it whatever it holds ("name", its quotes doubled): the same
// in PostgreSQL and SQLite.
std::string quoted_identifier(std::string_view name);

// The rows a statement answered (or none), read as the SQLite store reads its own: by column index.
class pg_rows {
public:
    explicit pg_rows(pg_result* result = nullptr);
    ~pg_rows();
    pg_rows(pg_rows&& other) noexcept;
    pg_rows& operator=(pg_rows&& other) noexcept;

    int size() const;
    std::uint64_t affected() const; // rows an INSERT, UPDATE or DELETE changed
    pg_result* get() const { return result_; }

    // One row of them, with the reading functions of the SQLite statement (sqlite_statement.hpp).
    class row {
    public:
        row(pg_result const* result, int index) : result_(result), index_(index) {}
        std::string text(int column) const;
        std::int64_t integer(int column) const;
        std::optional<std::int64_t> maybe_integer(int column) const;
        bool is_null(int column) const;

    private:
        pg_result const* result_;
        int index_;
    };
    row at(int index) const { return {result_, index}; }

private:
    pg_result* result_;
};

using pg_param = std::optional<std::string>; // NULL when empty

// One connection to PostgreSQL, as the store uses it (sql_connection.hpp). A connection found lost is
// opened again by the next transaction or statement (and its statements prepared again): what was under way
// on it failed with connection_lost, which the caller answers as a passing failure.
class pg_connection final : public sql_connection {
public:
    // nullptr and `detail` (libpq's words) when the server cannot be reached or refuses the connection.
    static std::unique_ptr<pg_connection> open(std::string const& url, std::error_code& ec,
                                               std::string* detail);
    ~pg_connection() override;
    pg_connection(pg_connection const&) = delete;
    pg_connection& operator=(pg_connection const&) = delete;

    // Runs one statement with its parameters; the rows it answered (none for a write).
    pg_rows run(char const* sql, std::vector<pg_param> const& params, std::error_code& ec);
    // Runs statements without parameters (a schema, BEGIN, COMMIT), each as it is written.
    void run_script(char const* sql, std::error_code& ec);
    // Runs one statement without parameters whose text is made as the program runs (a table's name in it),
    // unprepared: run() keeps a prepared statement per text address, which only a constant's is for good.
    pg_rows run_unprepared(std::string const& sql, std::error_code& ec);
    // COPY table (columns) FROM STDIN, the quick way in for many rows: `fill` appends rows in COPY's text
    // format (copy_text.hpp) to the empty batch it is given and answers whether more are to come; setting
    // its `ec` abandons the copy, and that is the error answered. The rows the server took.
    std::uint64_t copy_in(std::string_view table, std::vector<std::string> const& columns,
                          std::function<bool(std::string& batch, std::error_code& ec)> const& fill,
                          std::error_code& ec);

    std::unique_ptr<prepared_statement> prepare(char const* sql) override;
    void begin(std::error_code& ec) override;
    void commit(std::error_code& ec) override;
    void rollback() override;
    // A transaction-scoped advisory lock on the key's 64-bit hash.
    void lock(std::string_view key, lock_mode mode, std::error_code& ec) override;
    // A session-level advisory lock, which the server frees when the connection ends.
    bool hold_session_lock(std::string_view key, std::error_code& ec) override;
    std::string last_error() const override;

private:
    explicit pg_connection(pg_conn* conn) : conn_(conn) {}
    std::error_code failure(pg_result* result);
    // Opens the connection again when the server dropped it; false (and `ec`) when it is still out of reach.
    bool reconnected(std::error_code& ec);

    pg_conn* conn_;
    std::map<char const*, std::string>
        prepared_; // a statement's text (its address: each is a constant) → name
    std::string last_error_;
    std::set<std::string, std::less<>> session_locks_; // held on this session; gone with it
    std::uint64_t session_ = 0;                        // counts the sessions opened again
};

} // namespace sluice::gate

template <>
struct std::is_error_code_enum<sluice::gate::pg_errc> : std::true_type {};
