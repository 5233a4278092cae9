#include "gate/pg_reference.hpp"

#include "sluice-gate/gate_sql.hpp"
#include "sluice-gate/pg_connection.hpp"
#include "support/bench_main.hpp"
#include "support/timing.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <libpq-fe.h>
#include <mutex>
#include <sys/resource.h>
#include <thread>

namespace sluice::bench {

namespace {

using clock_type = std::chrono::steady_clock;
using result_ptr = std::unique_ptr<PGresult, decltype(&PQclear)>;

constexpr char const* insert_name = "gate_insert_pledge";

// The statement's rows, or a bench_error with the server's words when it did not succeed.
result_ptr checked(PGconn* conn, PGresult* raw, std::string const& what) {
    result_ptr r(raw, &PQclear);
    auto const status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        throw bench_error("PostgreSQL: " + what + ": " + PQerrorMessage(conn));
    }
    return r;
}

std::string quoted(std::string const& name) {
    return gate::quoted_identifier(name);
}

// The INSERT of one row in a transaction of its own, as the gate commits a pledge.
void insert_row(PGconn* conn, std::vector<std::string> const& values) {
    std::vector<char const*> params;
    params.reserve(values.size());
    for (auto const& v : values) {
        params.push_back(v.c_str());
    }
    checked(conn, PQexec(conn, "BEGIN"), "BEGIN");
    checked(conn,
            PQexecPrepared(conn, insert_name, static_cast<int>(params.size()), params.data(), nullptr,
                           nullptr, 0),
            "INSERT");
    checked(conn, PQexec(conn, "COMMIT"), "COMMIT");
}

// A field in COPY's text format: the backslash, and the characters that would end the field or the row,
// escaped.
void append_field(std::string& out, std::string const& field) {
    for (char const c : field) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            out += c;
        }
    }
}

void put_copy_data(PGconn* conn, std::string const& bytes) {
    if (PQputCopyData(conn, bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw bench_error(std::string("PostgreSQL: COPY: ") + PQerrorMessage(conn));
    }
}

} // namespace

pg_session::pg_session(std::string const& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string const why = PQerrorMessage(conn_);
        PQfinish(conn_);
        throw bench_error("cannot connect to " + url + ": " + why);
    }
}

pg_session::~pg_session() {
    PQfinish(conn_);
}

void pg_session::exec(std::string const& sql) {
    checked(conn_, PQexec(conn_, sql.c_str()), sql);
}

std::string pg_session::value(std::string const& sql) {
    auto const r = checked(conn_, PQexec(conn_, sql.c_str()), sql);
    if (PQntuples(r.get()) < 1 || PQnfields(r.get()) < 1) {
        throw bench_error("PostgreSQL: " + sql + ": no value");
    }
    return PQgetvalue(r.get(), 0, 0);
}

bare_pg_inserts::bare_pg_inserts(std::string const& url, int clients, row_values values)
    : values_(std::move(values)) {
    auto const sql = gate::numbered_placeholders(gate::sql::insert_pledge);
    for (int c = 0; c < clients; ++c) {
        auto& session = sessions_.emplace_back(std::make_unique<pg_session>(url));
        checked(session->get(), PQprepare(session->get(), insert_name, sql.c_str(), 0, nullptr),
                "PREPARE " + sql);
    }
}

bare_pg_inserts::~bare_pg_inserts() = default;

void bare_pg_inserts::insert(std::uint64_t first, std::size_t count, insert_result& r) {
    std::atomic<std::size_t> next{0};
    std::mutex merge;
    std::string failure;
    double cpu_seconds = 0;
    std::vector<double> latencies;
    std::vector<std::thread> threads;
    auto const start = clock_type::now();
    for (auto const& session : sessions_) {
        threads.emplace_back([&, conn = session->get()] {
            auto const cpu_before = rusage_cpu_seconds(RUSAGE_THREAD);
            std::vector<double> mine;
            try {
                for (std::size_t i = next++; i < count; i = next++) {
                    auto const row = values_(first + i);
                    auto const t = clock_type::now();
                    insert_row(conn, row);
                    mine.push_back(seconds_since(t) * 1e3);
                }
            } catch (std::exception const& e) {
                std::lock_guard lock(merge);
                if (failure.empty()) {
                    failure = e.what();
                }
                next = count; // everyone stops
            }
            auto const cpu = rusage_cpu_seconds(RUSAGE_THREAD) - cpu_before;
            std::lock_guard lock(merge);
            cpu_seconds += cpu;
            latencies.insert(latencies.end(), mine.begin(), mine.end());
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    if (!failure.empty()) {
        throw bench_error("the bare PostgreSQL inserts failed: " + failure);
    }
    r.seconds += seconds_since(start);
    r.cpu_seconds += cpu_seconds;
    r.rows += count;
    r.latencies_ms.insert(r.latencies_ms.end(), latencies.begin(), latencies.end());
}

double bare_pg_close(std::string const& url, std::string const& campaign_id, std::uint64_t& backers) {
    auto const start = clock_type::now();
    {
        pg_session db(url);
        auto* conn = db.get();
        db.exec("BEGIN");
        auto const totals_sql = gate::numbered_placeholders(gate::sql::campaign_totals);
        char const* campaign = campaign_id.c_str();
        auto const totals =
            checked(conn, PQexecParams(conn, totals_sql.c_str(), 1, nullptr, &campaign, nullptr, nullptr, 0),
                    totals_sql);
        backers = std::stoull(PQgetvalue(totals.get(), 0, 0));
        auto const update_sql = gate::numbered_placeholders(gate::sql::close_campaign);
        std::array<char const*, 3> const update{"funded", "0", campaign};
        checked(conn,
                PQexecParams(conn, update_sql.c_str(), static_cast<int>(update.size()), nullptr,
                             update.data(), nullptr, nullptr, 0),
                update_sql);
        db.exec("COMMIT");
    }
    return seconds_since(start);
}

void copy_rows(pg_session& db, std::string const& table, std::vector<std::string> const& columns,
               std::size_t count, std::function<void(std::size_t, std::vector<std::string>&)> const& row) {
    auto* conn = db.get();
    std::string sql = "COPY " + quoted(table) + " (";
    for (std::size_t i = 0; i < columns.size(); ++i) {
        sql += (i ? ", " : "") + quoted(columns[i]);
    }
    sql += ") FROM STDIN";
    result_ptr const started(PQexec(conn, sql.c_str()), &PQclear);
    if (PQresultStatus(started.get()) != PGRES_COPY_IN) {
        throw bench_error("PostgreSQL: " + sql + ": " + PQerrorMessage(conn));
    }
    std::vector<std::string> fields(columns.size());
    std::string batch;
    for (std::size_t i = 0; i < count; ++i) {
        row(i, fields);
        for (std::size_t f = 0; f < fields.size(); ++f) {
            if (f) {
                batch += '\t';
            }
            append_field(batch, fields[f]);
        }
        batch += '\n';
        if (batch.size() >= 1024 * 1024) {
            put_copy_data(conn, batch);
            batch.clear();
        }
    }
    put_copy_data(conn, batch);
    if (PQputCopyEnd(conn, nullptr) != 1) {
        throw bench_error(std::string("PostgreSQL: COPY: ") + PQerrorMessage(conn));
    }
    checked(conn, PQgetResult(conn), sql);
    result_ptr const last(PQgetResult(conn), &PQclear); // the NULL that ends the command's results
}

void copy_database(pg_session& admin, std::string const& from, std::string const& name) {
    // Since PostgreSQL 15 a copy is written through the WAL by default, every page of it; the old way copies
    // the files and syncs them, which is what a template of hundreds of megabytes wants.
    bool const file_copy = std::stoi(admin.value("SHOW server_version_num")) >= 150000;
    admin.exec("CREATE DATABASE " + quoted(name) + " TEMPLATE " + quoted(from) +
               (file_copy ? " STRATEGY FILE_COPY" : ""));
    admin.exec("CHECKPOINT");
}

void drop_database(pg_session& admin, std::string const& name) {
    admin.exec("DROP DATABASE IF EXISTS " + quoted(name) + " WITH (FORCE)");
}

} // namespace sluice::bench
