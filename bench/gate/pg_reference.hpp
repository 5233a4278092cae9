// gate_bench's references on PostgreSQL: the gate's own pledge INSERT and its close, run bare through libpq
// in the benchmark's process, and the housekeeping of the databases they run on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

struct pg_conn;

namespace sluice::bench {

// What a bare loop of inserts did, summed over the slices it ran in.
struct insert_result {
    std::size_t rows = 0;
    double seconds = 0;
    double cpu_seconds = 0; // of the benchmark's threads that ran it, not of the database's server
    std::vector<double> latencies_ms;
    double per_second() const { return static_cast<double>(rows) / seconds; }
    double cpu_us_each() const { return cpu_seconds / static_cast<double>(rows) * 1e6; }
};

// One libpq connection of the benchmark's own; any error is a bench_error with the server's words.
class pg_session {
public:
    explicit pg_session(std::string const& url);
    ~pg_session();
    pg_session(pg_session const&) = delete;
    pg_session& operator=(pg_session const&) = delete;

    void exec(std::string const& sql);
    // The first column of the first row the statement answered.
    std::string value(std::string const& sql);
    pg_conn* get() const { return conn_; }

private:
    pg_conn* conn_ = nullptr;
};

// The gate's INSERT of a pledge (gate_sql.hpp) into the gate's own `pledges` table, bare: `clients`
// connections opened once, each driven by a thread of its own while a slice runs, each row in its own
// BEGIN / INSERT / COMMIT, the commit waiting for the server's WAL flush as the gate's does.
class bare_pg_inserts {
public:
    // The INSERT's parameters for row n, as text (PostgreSQL parses the integers).
    using row_values = std::function<std::vector<std::string>(std::uint64_t n)>;

    bare_pg_inserts(std::string const& url, int clients, row_values values);
    ~bare_pg_inserts();
    bare_pg_inserts(bare_pg_inserts const&) = delete;
    bare_pg_inserts& operator=(bare_pg_inserts const&) = delete;

    // Rows [first, first + count), taken in turn by the clients; their time, each one's latency and the
    // client threads' CPU time go into `r`.
    void insert(std::uint64_t first, std::size_t count, insert_result& r);

private:
    std::vector<std::unique_ptr<pg_session>> sessions_;
    row_values values_;
};

// What closing costs at the least on PostgreSQL: connect, BEGIN, the gate's totals over the campaign's
// active pledges, its UPDATE of the state, COMMIT. Its wall time in seconds; `backers` is what the totals
// counted.
double bare_pg_close(std::string const& url, std::string const& campaign_id, std::uint64_t& backers);

// COPY table (columns) FROM STDIN, the quick way in for many rows: `row(i, fields)` sets the text of row i's
// fields, for i in [0, count). No field is NULL.
void copy_rows(pg_session& db, std::string const& table, std::vector<std::string> const& columns,
               std::size_t count, std::function<void(std::size_t, std::vector<std::string>&)> const& row);

// A new database `name`, a copy of `from` (which nobody may be connected to), on the server `admin` is
// connected to; then a checkpoint, so that writing the copy back does not fall into what is measured next.
void copy_database(pg_session& admin, std::string const& from, std::string const& name);
// Gone, with whatever sessions were left on it.
void drop_database(pg_session& admin, std::string const& name);

} // namespace sluice::bench
