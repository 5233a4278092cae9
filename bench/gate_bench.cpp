// gate_bench: what sluice-gate's pledges cost, next to a reference measured in the same run.
//
//   rate   pledges per second that `sluice-gate serve` records for 32 clients on keep-alive connections,
//          each pledge with its own Idempotency-Key and device, each opening its setup checkout at the fake
//          Stripe on loopback (two provider calls: the customer, the checkout session; no added latency);
//          against a bare SQLite loop in this process
//          with the same durability (WAL, synchronous=FULL, one BEGIN IMMEDIATE / INSERT / COMMIT per row of
//          the gate's pledges table, a database on the same filesystem). Every pledge the gate answers is
//          committed and fsynced first, so neither side can beat the disk's fsync rate; the ratio says what
//          HTTP, JSON, the idempotency check and the receipt's signature add to the bare commit.
//   close  a campaign of N pledges (default 250,000), each recorded and confirmed (its card saved) by the
//          gate's own store in this process; then, on a fresh copy of that data folder per run,
//          `sluice-gate close` (wall time, and the peak RSS of the child from wait4), two GETs of a pledge
//          after the close, and GET of the campaign (its totals are summed over every pledge). Charging the
//          funded campaign is charge_bench's.
//          The reference is the same close done bare in this process: open, BEGIN IMMEDIATE, the totals
//          query, the UPDATE, COMMIT.
//
//   views  landing-page views per second from 32 clients, each on an address of its own, every view a new
//          visitor: GET of the page and the beacon its script sends (`POST .../views`), against a gate
//          started with `--count-views no` answering the GET alone (its page carries no script), runs in
//          turn; then the creator's view report (`GET /v1/admin/stats/bundles/ID`) on the counted data and
//          again once 1,000,000 views over a year are in it (written with the gate's own statements).
//          SQLite only.
//
// rate and close run on SQLite (`--data`), on PostgreSQL (`--db postgresql://...`), or on both (`--db`):
//
//   rate   on PostgreSQL, 1, 2 and 4 gates (`--gates`) on one database, each a `sluice-gate serve` of its own
//          on its own port, all on the same fake Stripe, the same clients spread over them in turn; against
//          a bare libpq loop in this process with as many connections as there are clients, each row in
//          BEGIN / the gate's INSERT / COMMIT, on another database of the same durable server.
//   close  the campaign filled in part through the gate's own PostgreSQL store and the rest by COPY of the
//          same rows, then per run `sluice-gate close` on a fresh copy of that database (CREATE DATABASE ...
//          TEMPLATE), against the bare close on another.
//
// The references run the gate's own schema and statements (gate_sql.hpp), so they cannot drift from it.
// Everything lives in one temporary folder (under $TMPDIR, else /tmp) that is removed at the end; the
// PostgreSQL server, started for the run with fsync and synchronous commits on, in another beside it.

#include "gate/pg_reference.hpp"
#include "support/args.hpp"
#include "support/bench_main.hpp"
#include "support/files.hpp"
#include "support/processes.hpp"
#include "support/progress.hpp"
#include "support/random_bytes.hpp"
#include "support/run_program.hpp"
#include "support/stats.hpp"
#include "support/timing.hpp"

// The gate's own code: its schema and statements for the references, and its pledge handler and store to
// fill a big campaign exactly as the server does.
#include "common/key_files.hpp"
#include "sluice-gate/gate_sql.hpp"
#include "sluice-gate/idempotency.hpp"
#include "sluice-gate/pg_store.hpp"
#include "sluice-gate/sql_statement.hpp"
#include "sluice-gate/sqlite_connection.hpp"
#include "sluice-gate/sqlite_store.hpp"
#include "sluice-gate/view_counting.hpp"
#include "sluice-gate/views_sql.hpp"
#include "support/fake_provider.hpp"

// The PostgreSQL server the tests start in a folder of their own, started here the same way.
#include "pg_cluster.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/unlock_token.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <sqlite3.h>
#include <sstream>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#ifndef SLUICE_BENCH_GATE_EXE
#define SLUICE_BENCH_GATE_EXE ""
#endif
#ifndef SLUICE_BENCH_BUNDLE_EXE
#define SLUICE_BENCH_BUNDLE_EXE ""
#endif
#ifndef SLUICE_BENCH_FAKE_PROVIDER
#define SLUICE_BENCH_FAKE_PROVIDER ""
#endif

namespace {

namespace bench = sluice::bench;
namespace bp = boost::process;
namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace gate = sluice::gate;
namespace protocol = sluice::protocol;
using namespace std::chrono_literals;
using bench::bench_error;
using bench::insert_result;
using bench::load_average;
using bench::median;
using bench::say;
using bench::seconds_since;
using clock_type = std::chrono::steady_clock;
using nlohmann::json;

constexpr double rate_goal = 0.5; // gate pledges/s / bare inserts/s on the same engine
constexpr char const* campaign_id = "bench-campaign";
constexpr std::uint64_t price = 1500;
constexpr std::size_t pg_through_store = 2000; // of the closed campaign's pledges on PostgreSQL; see there

constexpr char const* usage =
    "usage: gate_bench [--only rate|close|views] [--db sqlite|postgresql|both] [--gates LIST] [--runs N]\n"
    "                  [--pledges N] [--rate-pledges N] [--clients N] [--json] [--gate PATH]\n"
    "                  [--bundle PATH]\n"
    "  --only NAME         run one part only (views: SQLite only)\n"
    "  --db ENGINE         the store measured: sqlite, postgresql or both (default: both)\n"
    "  --gates LIST        how many gates share the PostgreSQL database, one rate per entry\n"
    "                      (default: 1,2,4; SQLite is always one gate)\n"
    "  --runs N            measured runs of each figure (default: 3)\n"
    "  --pledges N         pledges in the campaign that is closed (default: 250000)\n"

    "  --rate-pledges N    pledges per run of the rate part (default: 20000)\n"
    "  --clients N         concurrent clients (default: 32)\n"
    "  --json              print the figures as one JSON object (progress goes to stderr)\n"
    "  --gate PATH         the sluice-gate binary (default: " SLUICE_BENCH_GATE_EXE ")\n"
    "  --bundle PATH       the sluice-bundle binary (default: " SLUICE_BENCH_BUNDLE_EXE ")\n";

struct options {
    std::string only;
    std::string db = "both";
    std::vector<int> gates{1, 2, 4};
    int runs = 3;
    std::size_t pledges = 250000;
    std::size_t rate_pledges = 20000;
    int clients = 32;
    bool json = false;
    fs::path gate = SLUICE_BENCH_GATE_EXE;
    fs::path bundle = SLUICE_BENCH_BUNDLE_EXE;

    bool sqlite() const { return db != "postgresql"; }
    bool postgresql() const { return db != "sqlite"; }
};

// Where `sluice-gate` finds its store: {"--data", FOLDER} or {"--db", URL}.
using store_args = std::vector<std::string>;

// Pledge n's device: 32 pseudo-random bytes as "x25519:<base64>". The gate only checks the form; a real host
// key would cost a scalar multiplication per pledge in the driver and change nothing in the gate.
std::string device_of(std::uint64_t n) {
    std::array<unsigned char, 32> key{};
    for (std::size_t i = 0; i < key.size(); i += 8) {
        auto const word = bench::splitmix64::mix(n * 4 + i / 8);
        std::memcpy(key.data() + i, &word, 8);
    }
    return protocol::encode_public_key("x25519", key);
}

std::uint64_t amount_of(std::uint64_t n) {
    return price + (n % 7) * 100;
}

// The body of pledge n's POST, the same whether it goes over HTTP or straight to the handler.
std::string pledge_body(std::uint64_t n) {
    return R"({"device":")" + device_of(n) + R"(","amount":)" + std::to_string(amount_of(n)) + "}";
}

// ---------------------------------------------------------------------------------------------------------
// Child processes

// One `sluice-gate serve` on a free loopback port, stopped with SIGTERM when done.
class gate_server {
public:
    gate_server(fs::path const& exe, store_args const& store, fs::path const& gate_key,
                fs::path const& err_file, std::vector<std::string> const& extra = {})
        : err_file_(err_file) {
        std::vector<std::string> args{"serve"};
        args.insert(args.end(), store.begin(), store.end());
        args.insert(args.end(), {"--listen", "127.0.0.1:0", "--gate-key", gate_key.string()});
        args.insert(args.end(), extra.begin(), extra.end());
        // The server goes when the benchmark goes, even when it is interrupted.
        child_ = bp::child(exe.string(), bp::args(args), bp::std_out > out_, bp::std_err > err_file.string(),
                           bp::std_in < bp::null,
                           bp::extend::on_exec_setup([](auto&) { ::prctl(PR_SET_PDEATHSIG, SIGTERM); }));
        std::string line;
        std::smatch m;
        if (!std::getline(out_, line) ||
            !std::regex_match(line, m, std::regex(R"(http://127\.0\.0\.1:([0-9]+)/)"))) {
            throw bench_error("sluice-gate serve did not start: " +
                              bench::read_text(err_file).substr(0, 2000));
        }
        port_ = std::stoi(m[1].str());
    }
    gate_server(gate_server const&) = delete;
    gate_server& operator=(gate_server const&) = delete;
    ~gate_server() { stop(); }

    int port() const { return port_; }
    pid_t pid() const { return child_.id(); }

    void stop() {
        if (!child_.valid() || !child_.running()) {
            return;
        }
        ::kill(child_.id(), SIGTERM);
        auto const deadline = clock_type::now() + 10s;
        while (child_.running() && clock_type::now() < deadline) {
            std::this_thread::sleep_for(5ms);
        }
        if (child_.running()) {
            ::kill(child_.id(), SIGKILL);
            child_.wait();
        }
    }

private:
    fs::path err_file_;
    bp::ipstream out_;
    bp::child child_;
    int port_ = 0;
};

// The PostgreSQL server the gates and the references share, started for the run with fsync and synchronous
// commits on, in a folder of its own (a short path: its socket is there).
class pg_server {
public:
    pg_server() : cluster_(folder_.path(), true), postmaster_(find_postmaster()) {
        admin_ = std::make_unique<bench::pg_session>(cluster_.url("postgres"));
    }

    std::string create_database(std::string const& name) const { return cluster_.create_database(name); }
    std::string url(std::string const& name) const { return cluster_.url(name); }
    bench::pg_session& admin() const { return *admin_; }
    // The postmaster: its backends, one per connection, and its writers are the processes below it.
    pid_t pid() const { return postmaster_; }

private:
    // The cluster's server is the only `postgres` this process started itself.
    static pid_t find_postmaster() {
        for (auto const& p : bench::list_processes()) {
            if (p.ppid == ::getpid() && p.comm == "postgres") {
                return p.pid;
            }
        }
        throw bench_error("the PostgreSQL server started for the run is not among this process's children");
    }

    bench::temp_dir folder_{"sluice-pg"};
    sluice::testing::pg_cluster cluster_;
    pid_t postmaster_;
    std::unique_ptr<bench::pg_session> admin_;
};

// ---------------------------------------------------------------------------------------------------------
// HTTP clients

// A blocking keep-alive connection; a gate that stops answering fails the read after 30 s instead of
// hanging the benchmark.
class connection {
public:
    // From `from` (a loopback address of 127.0.0.0/8) when given, as a client of its own would be.
    explicit connection(int port, std::string const& from = {}) : port_(port), socket_(io_) {
        if (!from.empty()) {
            socket_.open(asio::ip::tcp::v4());
            socket_.bind({asio::ip::make_address(from), 0});
        }
        socket_.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
        timeval tv{30, 0};
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }

    // Sends the bytes of one request and reads its answer.
    bhttp::response<bhttp::string_body> exchange(std::string const& request_bytes) {
        asio::write(socket_, asio::buffer(request_bytes));
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(1024 * 1024);
        bhttp::read(socket_, buffer_, parser);
        return parser.release();
    }

    bhttp::response<bhttp::string_body> get(std::string const& target) {
        return exchange("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                        "\r\n\r\n");
    }

private:
    int port_;
    asio::io_context io_;
    asio::ip::tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
};

std::string pledge_request_bytes(int port, std::string const& key, std::uint64_t n) {
    auto const body = pledge_body(n);
    return "POST /v1/campaigns/" + std::string(campaign_id) +
           "/pledges HTTP/1.1\r\n"
           "Host: 127.0.0.1:" +
           std::to_string(port) + "\r\nIdempotency-Key: " + key +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
}

struct load_result {
    std::size_t created = 0;
    double seconds = 0;
    std::vector<double> latencies_ms;
    std::vector<std::string> sample_ids; // the pledge ids of every `sample_every`th pledge
    std::size_t answer_bytes = 0;        // the size of one 201 answer's body
    double per_second() const { return static_cast<double>(created) / seconds; }
};

// Pledges numbered [first, first + count), each with the key "<prefix>-<n>", over `clients` connections:
// client c talks to the gate on ports[c % ports.size()], as a balancer handing out connections in turn would.
load_result pledge_load(std::vector<int> const& ports, std::string const& prefix, std::uint64_t first,
                        std::size_t count, int clients, std::size_t sample_every) {
    std::atomic<std::size_t> next{0};
    std::mutex merge;
    load_result result;
    std::string failure;
    std::vector<std::thread> threads;
    auto const start = clock_type::now();
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, port = ports[static_cast<std::size_t>(c) % ports.size()]] {
            std::vector<double> latencies;
            std::vector<std::string> ids;
            std::size_t created = 0;
            std::size_t answer_bytes = 0;
            try {
                connection conn(port);
                for (std::size_t i = next++; i < count; i = next++) {
                    auto const n = first + i;
                    auto const bytes = pledge_request_bytes(port, prefix + "-" + std::to_string(n), n);
                    auto const sent = clock_type::now();
                    auto const res = conn.exchange(bytes);
                    latencies.push_back(seconds_since(sent) * 1e3);
                    if (res.result_int() != 201) {
                        throw bench_error("pledge " + std::to_string(n) + ": " +
                                          std::to_string(res.result_int()) + " " + res.body());
                    }
                    ++created;
                    answer_bytes = res.body().size();
                    if (sample_every && i % sample_every == 0) {
                        auto const j = json::parse(res.body(), nullptr, false);
                        ids.push_back(j.is_object() ? j.value("pledgeId", "") : "");
                    }
                }
            } catch (std::exception const& e) {
                std::lock_guard lock(merge);
                if (failure.empty()) {
                    failure = e.what();
                }
                next = count; // everyone stops
            }
            std::lock_guard lock(merge);
            result.created += created;
            result.answer_bytes = std::max(result.answer_bytes, answer_bytes);
            result.latencies_ms.insert(result.latencies_ms.end(), latencies.begin(), latencies.end());
            result.sample_ids.insert(result.sample_ids.end(), ids.begin(), ids.end());
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    result.seconds = seconds_since(start);
    if (!failure.empty()) {
        throw bench_error("pledging failed: " + failure);
    }
    return result;
}

// One GET on a connection opened beforehand, so that only the request and its answer are timed.
struct timed_get {
    int status = 0;
    std::string body;
    double ms = 0;
};

timed_get get_timed(int port, std::string const& target) {
    connection conn(port);
    auto const start = clock_type::now();
    auto const res = conn.get(target);
    timed_get r{static_cast<int>(res.result_int()), res.body(), seconds_since(start) * 1e3};
    if (r.status != 200) {
        throw bench_error("GET " + target + ": " + std::to_string(r.status) + " " + r.body);
    }
    return r;
}

// ---------------------------------------------------------------------------------------------------------
// The bare SQLite references

class database {
public:
    explicit database(fs::path const& file) {
        if (sqlite3_open_v2(file.c_str(), &db_,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                            nullptr) != SQLITE_OK) {
            throw bench_error("sqlite3_open " + file.string() + ": " + sqlite3_errmsg(db_));
        }
        // The gate's own pragmas (sqlite_store.cpp, which keeps them to itself).
        exec("PRAGMA journal_mode=WAL");
        exec("PRAGMA synchronous=FULL");
        exec("PRAGMA foreign_keys=ON");
    }
    database(database const&) = delete;
    database& operator=(database const&) = delete;
    ~database() { sqlite3_close(db_); }

    void exec(char const* sql) {
        char* error = nullptr;
        if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
            std::string const text = error ? error : "?";
            sqlite3_free(error);
            throw bench_error(std::string("sqlite: ") + sql + ": " + text);
        }
    }
    sqlite3* get() const { return db_; }

private:
    sqlite3* db_ = nullptr;
};

class statement {
public:
    statement(sqlite3* db, char const* sql) : db_(db) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
            throw bench_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
        }
    }
    statement(statement const&) = delete;
    statement& operator=(statement const&) = delete;
    ~statement() { sqlite3_finalize(stmt_); }

    void text(int i, std::string const& v) {
        sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    }
    void integer(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
    int step() {
        int const rc = sqlite3_step(stmt_);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            throw bench_error(std::string("sqlite step: ") + sqlite3_errmsg(db_));
        }
        return rc;
    }
    void reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }
    std::int64_t column(int i) const { return sqlite3_column_int64(stmt_, i); }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

std::string filler(std::uint64_t seed, std::size_t size) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string s(size, 'A');
    for (std::size_t i = 0; i < size; ++i) {
        s[i] = alphabet[bench::splitmix64::mix(seed * 1000003 + i) % 64];
    }
    return s;
}

// The reference table: the gate's own schema (gate_sql.hpp: every table, the pledges table with its primary
// key, its UNIQUE and its indexes as the gate has them, made by the gate's store) in a database of its own,
// and the gate's own INSERT. Each row has the gate's shape (a 22-character id, a key, a 64-hex-digit hash, a
// device, a response of `response_bytes`) and is inserted in its own BEGIN IMMEDIATE ... COMMIT. Foreign keys
// are not enforced on this connection: a row needs no campaign, and looking the campaign up stays the gate's
// own cost.
class reference_table {
public:
    explicit reference_table(fs::path const& folder)
        : db_(made_by_the_gate(folder)), insert_(prepare(db_, gate::sql::insert_pledge)),
          begin_(db_.get(), "BEGIN IMMEDIATE"), commit_(db_.get(), "COMMIT") {}

    // Rows [first, first + count); their time, each one's latency and this thread's CPU time go into `r`.
    void insert(std::uint64_t first, std::size_t count, std::size_t response_bytes, insert_result& r) {
        auto const now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        auto const cpu_before = bench::rusage_cpu_seconds(RUSAGE_THREAD);
        auto const start = clock_type::now();
        for (std::uint64_t n = first; n < first + count; ++n) {
            auto const t = clock_type::now();
            begin_.step();
            begin_.reset();
            insert_->text(1, filler(n, 22));
            insert_->text(2, campaign_id);
            insert_->text(3, "reference-" + std::to_string(n));
            insert_->text(4, filler(n + 1, 64));
            insert_->integer(5, static_cast<std::int64_t>(amount_of(n)));
            insert_->text(6, device_of(n));
            insert_->text(7, filler(n + 2, response_bytes));
            insert_->integer(8, now);
            insert_->text(9, std::string(protocol::single_tier_id));
            insert_->step();
            insert_->reset();
            commit_.step();
            commit_.reset();
            r.latencies_ms.push_back(seconds_since(t) * 1e3);
        }
        r.seconds += seconds_since(start);
        r.cpu_seconds += bench::rusage_cpu_seconds(RUSAGE_THREAD) - cpu_before;
        r.rows += count;
    }

private:
    // The gate's store makes the database, as `serve` would: its schema brought up to the current version.
    static fs::path made_by_the_gate(fs::path const& folder) {
        std::error_code ec;
        std::string detail;
        if (!gate::open_sqlite_store(folder, ec, &detail)) {
            throw bench_error("cannot make the reference database in " + folder.string() + ": " + detail);
        }
        return folder / "gate.db";
    }

    static std::unique_ptr<statement> prepare(database& db, char const* sql) {
        db.exec("PRAGMA foreign_keys=OFF");
        return std::make_unique<statement>(db.get(), sql);
    }

    database db_;
    std::unique_ptr<statement> insert_;
    statement begin_;
    statement commit_;
};

// What closing costs at the least: the gate's totals over the campaign's active pledges and its UPDATE of the
// state, in one write transaction, on the gate's own database file (a copy), including opening it.
double sqlite_close(fs::path const& file, std::uint64_t& backers) {
    auto const start = clock_type::now();
    {
        database db(file);
        db.exec("BEGIN IMMEDIATE");
        statement totals(db.get(), gate::sql::campaign_totals);
        totals.text(1, campaign_id);
        totals.step();
        backers = static_cast<std::uint64_t>(totals.column(0));
        statement update(db.get(), gate::sql::close_campaign);
        update.text(1, "funded");
        update.integer(2, 0);
        update.text(3, campaign_id);
        update.step();
        db.exec("COMMIT");
    }
    return seconds_since(start);
}

// SQLite without fsync while it is alive. The gate's store commits every pledge on its own, as the server
// does; on a disk that manages a few hundred fsyncs a second, filling a 250,000-pledge campaign so would take
// 10-20 minutes. Every row, page and WAL frame is written as the store writes it; only the waits for the disk
// are left out. It is the default VFS with a sync that does nothing, made the default for the connections
// opened meanwhile; SQLite's own recover extension swaps a file's methods the same way.
class unsynced_sqlite {
public:
    unsynced_sqlite() : base_(sqlite3_vfs_find(nullptr)) {
        if (base_ == nullptr) {
            throw bench_error("SQLite has no default VFS");
        }
        vfs_ = *base_;
        vfs_.pNext = nullptr;
        vfs_.zName = "gate-bench-unsynced";
        vfs_.pAppData = this;
        vfs_.xOpen = &open_file;
        if (sqlite3_vfs_register(&vfs_, 1) != SQLITE_OK) {
            throw bench_error("cannot register a VFS with SQLite");
        }
    }
    unsynced_sqlite(unsynced_sqlite const&) = delete;
    unsynced_sqlite& operator=(unsynced_sqlite const&) = delete;
    // Only once every connection opened through it is closed: their files use its methods.
    ~unsynced_sqlite() { sqlite3_vfs_unregister(&vfs_); }

private:
    static int open_file(sqlite3_vfs* vfs, char const* name, sqlite3_file* file, int flags, int* out_flags) {
        auto* self = static_cast<unsynced_sqlite*>(vfs->pAppData);
        int const rc = self->base_->xOpen(self->base_, name, file, flags, out_flags);
        if (rc == SQLITE_OK && file->pMethods != nullptr) {
            file->pMethods = self->without_sync(file->pMethods);
        }
        return rc;
    }

    sqlite3_io_methods const* without_sync(sqlite3_io_methods const* methods) {
        std::lock_guard lock(mutex_);
        auto& copy = copies_[methods];
        if (!copy) {
            copy = std::make_unique<sqlite3_io_methods>(*methods);
            copy->xSync = [](sqlite3_file*, int) { return SQLITE_OK; };
        }
        return copy.get();
    }

    sqlite3_vfs* base_;
    sqlite3_vfs vfs_{};
    std::mutex mutex_;
    std::map<sqlite3_io_methods const*, std::unique_ptr<sqlite3_io_methods>> copies_;
};

void sync_to_disk(fs::path const& path) {
    int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        throw bench_error("cannot sync " + path.string() + ": " + std::strerror(errno));
    }
    ::close(fd);
}

// Pledge n of the closed campaign ("close-<n>") as the server records its POST: its request digest, an
// answer, the row.
gate::pledge_record closed_campaign_pledge(std::size_t n) {
    gate::pledge_record p;
    p.pledge_id = protocol::generate_token_id();
    p.campaign_id = campaign_id;
    p.idempotency_key = "close-" + std::to_string(n);
    p.amount = amount_of(n);
    p.device = device_of(n);
    p.request_hash = gate::request_digest(std::to_string(p.amount) + "\n" + p.device);
    p.response = json{{"pledgeId", p.pledge_id}, {"state", "pending"}, {"amount", p.amount}}.dump();
    return p;
}

// Records pledges first, first + step, ... below end in the campaign, each as the server records a POST and
// confirms it as the provider's webhook does (a card saved), each in a transaction of the store's own.
// Returns the ids of every `sample_every`th pledge.
std::vector<std::string> fill_campaign(gate::gate_store& store, std::size_t first, std::size_t end,
                                       std::size_t step, std::size_t sample_every) {
    std::vector<std::string> ids;
    std::error_code ec;
    for (std::size_t n = first; n < end; n += step) {
        auto const p = closed_campaign_pledge(n);
        std::optional<gate::pledge_record> existing;
        if (store.add_pledge(p, 1, existing, ec) != gate::pledge_outcome::created || ec) {
            throw bench_error("pledge " + std::to_string(n) + " was not recorded: " + ec.message());
        }
        store.save_pledge_method("evt_bench_" + std::to_string(n), p.pledge_id, "cus_" + std::to_string(n),
                                 "pm_" + std::to_string(n), 1, ec);
        if (ec) {
            throw bench_error("pledge " + std::to_string(n) + " was not confirmed: " + ec.message());
        }
        if (n % sample_every == 0) {
            ids.push_back(p.pledge_id);
        }
    }
    return ids;
}

// Fills the campaign of a data folder that `sluice-gate import` made with pledges 0..count-1 through the
// gate's SQLite store. Only the fsyncs are left out (unsynced_sqlite); the database is synced once at the
// end, so that its write-back does not fall into the measurements.
std::vector<std::string> populate_in_process(fs::path const& data, std::size_t count,
                                             std::size_t sample_every) {
    std::vector<std::string> ids;
    {
        unsynced_sqlite const unsynced;
        std::error_code ec;
        std::string detail;
        auto const store = gate::open_sqlite_store(data, ec, &detail);
        if (!store) {
            throw bench_error("cannot open the gate's store in " + data.string() + ": " + detail);
        }
        ids = fill_campaign(*store, 0, count, 1, sample_every);
    }
    sync_to_disk(data / "gate.db");
    sync_to_disk(data);
    return ids;
}

// The first `through_store` pledges through the gate's PostgreSQL store, as on SQLite, its commits not
// waiting for the WAL to reach the disk (synchronous_commit=off on this connection only). Through the store,
// a pledge and its confirmation are some fifteen statements, ~2 ms on this 2-core machine: 250,000 would take
// ~8 minutes. So the rest go in by COPY, as the store leaves them once confirmed (the same columns and
// values, the provider's event of each confirmation with them). Then VACUUM ANALYZE, as autovacuum would have
// done over a campaign's weeks, and a checkpoint, so that writing it all down does not fall into the
// measurements.
std::vector<std::string> populate_pg_in_process(pg_server const& pg, std::string const& database,
                                                std::size_t count, std::size_t through_store,
                                                std::size_t sample_every) {
    auto const url = pg.url(database);
    std::vector<std::string> ids;
    {
        std::error_code ec;
        std::string detail;
        auto const store = gate::open_pg_store(url + "&options=-c%20synchronous_commit%3Doff", ec, &detail);
        if (!store) {
            throw bench_error("cannot open the gate's store at " + url + ": " + detail);
        }
        ids = fill_campaign(*store, 0, std::min(count, through_store), 1, sample_every);
    }
    if (count > through_store) {
        bench::pg_session db(url);
        auto const rest = count - through_store;
        bench::copy_rows(db, "pledges",
                         {"pledge_id", "campaign_id", "idempotency_key", "request_hash", "amount", "device",
                          "state", "response", "created_at", "customer", "payment_method", "confirmed_at",
                          "tier_id"},
                         rest, [&](std::size_t i, std::vector<std::string>& row) {
                             auto const n = through_store + i;
                             auto const p = closed_campaign_pledge(n);
                             row = {p.pledge_id,
                                    p.campaign_id,
                                    p.idempotency_key,
                                    p.request_hash,
                                    std::to_string(p.amount),
                                    p.device,
                                    "confirmed",
                                    p.response,
                                    "1",
                                    "cus_" + std::to_string(n),
                                    "pm_" + std::to_string(n),
                                    "1",
                                    std::string(protocol::single_tier_id)};
                             if (n % sample_every == 0) {
                                 ids.push_back(p.pledge_id);
                             }
                         });
        bench::copy_rows(db, "provider_events", {"event_id", "type", "applied_at"}, rest,
                         [&](std::size_t i, std::vector<std::string>& row) {
                             row = {"evt_bench_" + std::to_string(through_store + i), "method_saved", "1"};
                         });
    }
    bench::pg_session(url).exec("VACUUM ANALYZE");
    pg.admin().exec("CHECKPOINT");
    return ids;
}

// ---------------------------------------------------------------------------------------------------------
// The campaign

// Keys, a bundle whose locked item opens to the backers of `campaign_id` (goal: `goal_backers`), made by
// sluice-bundle; each data folder imports it with sluice-gate.
struct bench_bundle {
    fs::path folder;
    fs::path keys;
    fs::path gate_key;
};

bench_bundle make_bundle(options const& opt, fs::path const& work, std::size_t goal_backers) {
    auto const src = work / "src";
    fs::create_directories(src);
    auto const gate_key_text =
        bench::run_tool(opt.bundle, {"keygen", "--out", (work / "gate.key").string()}, work / "tool");
    bench::run_tool(opt.bundle, {"keygen", "--out", (work / "publisher.key").string()}, work / "tool");
    bench::write_text(src / "trailer.webm", filler(1, 64 * 1024));
    bench::write_text(src / "episode.webm", filler(2, 256 * 1024));
    json const spec{{"format", "sluice-bundle-spec/1"},
                    {"id", "bench-bundle"},
                    {"version", 1},
                    {"title", "Benchmark campaign"},
                    {"creator", "gate_bench"},
                    {"gateUrl", "https://gate.example.org/"},
                    {"gateKeys", {gate_key_text.substr(0, gate_key_text.find('\n'))}},
                    {"items",
                     {{{"source", "trailer.webm"}, {"access", "free"}},
                      {{"source", "episode.webm"}, {"access", "locked"}, {"gate", "pledge"}}}},
                    {"gates",
                     {{"pledge",
                       {{"campaignId", campaign_id},
                        {"goalBackers", goal_backers},
                        {"deadline", "2099-01-01T00:00:00Z"},
                        {"price", price},
                        {"currency", "EUR"},
                        {"expectedDelivery", "2099-06-01"},
                        {"ifGoalMissed", "Nothing is charged."}}}}}};
    bench::write_text(src / "spec.json", spec.dump(4));
    bench::run_tool(opt.bundle,
                    {"create", (src / "spec.json").string(), "--key", (work / "publisher.key").string(),
                     "--out", (work / "out").string(), "--quiet"},
                    work / "tool");
    return {work / "out" / "bench-bundle", work / "out" / "bench-bundle.keys.json", work / "gate.key"};
}

void import_into(options const& opt, bench_bundle const& b, store_args const& store, fs::path const& work) {
    std::vector<std::string> args{"import"};
    args.insert(args.end(), store.begin(), store.end());
    args.insert(args.end(), {"--gate-key", b.gate_key.string(), b.folder.string(), b.keys.string()});
    bench::run_tool(opt.gate, args, work / "tool");
}

store_args on_folder(fs::path const& data) {
    return {"--data", data.string()};
}

// ---------------------------------------------------------------------------------------------------------
// The parts

struct rate_figures {
    std::vector<double> gate_per_s, bare_per_s, gate_p50, gate_p99, bare_p50, bare_p99, gate_cpu_us,
        client_cpu_us, bare_cpu_us;
    // On PostgreSQL only: the server's CPU per row on the gates' side and on the bare loop's, and the fake
    // provider's per pledge (its two calls).
    std::vector<double> server_cpu_us, bare_server_cpu_us, provider_cpu_us;
    // The median of the runs' own ratios: each run's two figures were measured side by side.
    double ratio() const {
        std::vector<double> r;
        for (std::size_t i = 0; i < gate_per_s.size(); ++i) {
            r.push_back(gate_per_s[i] / bare_per_s[i]);
        }
        return median(r);
    }
};

// Who works for the gates' side of the rate: the gates, the fake provider, the database's server (0 when it
// is a file in the gate's own process), and this process's clients.
struct gate_side {
    std::vector<int> ports;
    std::vector<pid_t> gates;
    pid_t provider = 0;
    pid_t database = 0;
};

// CPU seconds so far, or spent in a stretch, by each party of a gate_side.
struct cpu_use {
    double gates = 0;
    double clients = 0;
    double provider = 0;
    double database = 0;

    static cpu_use now(gate_side const& side) {
        cpu_use c;
        for (pid_t const pid : side.gates) {
            c.gates += bench::process_cpu_seconds(pid);
        }
        c.clients = bench::rusage_cpu_seconds(RUSAGE_SELF);
        c.provider = side.provider ? bench::process_cpu_seconds(side.provider) : 0;
        c.database = side.database ? bench::tree_cpu_seconds(side.database) : 0;
        return c;
    }
    void add_between(cpu_use const& before, cpu_use const& after) {
        gates += after.gates - before.gates;
        clients += after.clients - before.clients;
        provider += after.provider - before.provider;
        database += after.database - before.database;
    }
};

// One slice of the gates' side: its pledges added to `total`, what each party spent meanwhile to `cpu`.
void gate_slice(options const& opt, gate_side const& side, std::uint64_t first, std::size_t count,
                load_result& total, cpu_use& cpu) {
    auto const before = cpu_use::now(side);
    auto const r = pledge_load(side.ports, "rate", first, count, opt.clients, 0);
    cpu.add_between(before, cpu_use::now(side));
    total.created += r.created;
    total.seconds += r.seconds;
    total.latencies_ms.insert(total.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
}

// The gates' side and the bare loop in turns of `slices` slices each, so that both see the same disk and the
// same neighbours on this shared machine (a run of each side after the other saw the disk's fsync rate
// change between them); which goes first alternates. `bare_turn(first, count)` runs the bare rows.
template <typename BareTurn>
void interleave(options const& opt, int run, gate_side const& side, load_result& gate, cpu_use& cpu,
                BareTurn const& bare_turn) {
    std::size_t const slices = 10;
    for (std::size_t slice = 0; slice < slices; ++slice) {
        auto const first = slice * opt.rate_pledges / slices;
        auto const count = (slice + 1) * opt.rate_pledges / slices - first;
        if ((slice + static_cast<std::size_t>(run)) % 2 == 0) {
            gate_slice(opt, side, first, count, gate, cpu);
            bare_turn(first, count);
        } else {
            bare_turn(first, count);
            gate_slice(opt, side, first, count, gate, cpu);
        }
    }
}

void add_run(rate_figures& f, load_result const& gate, cpu_use const& cpu, insert_result const& bare) {
    auto const per_pledge_us = [&](double seconds) {
        return seconds / static_cast<double>(gate.created) * 1e6;
    };
    f.gate_per_s.push_back(gate.per_second());
    f.gate_p50.push_back(bench::percentile_at_index(gate.latencies_ms, 0.5));
    f.gate_p99.push_back(bench::percentile_at_index(gate.latencies_ms, 0.99));
    f.gate_cpu_us.push_back(per_pledge_us(cpu.gates));
    f.client_cpu_us.push_back(per_pledge_us(cpu.clients));
    f.bare_per_s.push_back(bare.per_second());
    f.bare_p50.push_back(bench::percentile_at_index(bare.latencies_ms, 0.5));
    f.bare_p99.push_back(bench::percentile_at_index(bare.latencies_ms, 0.99));
    f.bare_cpu_us.push_back(bare.cpu_us_each());
}

constexpr std::uint64_t warmup_first = 1'000'000'000; // numbers the rate's own pledges never reach
constexpr std::size_t warmup = 500;

std::vector<std::string> with_provider(bench::fake_provider const& provider) {
    auto args = provider.gate_args();
    args.insert(args.end(), {"--public-url", "http://127.0.0.1:1/"});
    return args;
}

// SQLite. Each run: a fresh gate and a fresh reference table, both warmed, then interleaved.
rate_figures measure_rate(options const& opt, bench_bundle const& b, fs::path const& work) {
    rate_figures f;
    for (int run = 0; run < opt.runs; ++run) {
        auto const dir = work / ("rate-" + std::to_string(run));
        import_into(opt, b, on_folder(dir / "gate"), work);
        bench::fake_provider provider(SLUICE_BENCH_FAKE_PROVIDER, dir / "provider");
        gate_server server(opt.gate, on_folder(dir / "gate"), b.gate_key, work / "serve-rate.err",
                           with_provider(provider));
        reference_table reference(dir / "sqlite");
        gate_side const side{{server.port()}, {server.pid()}};
        auto const warm = pledge_load(side.ports, "warmup", warmup_first, warmup, opt.clients, 0);
        auto const response_bytes = warm.answer_bytes;
        insert_result reference_warm;
        reference.insert(warmup_first, warmup, response_bytes, reference_warm);

        load_result gate;
        cpu_use cpu;
        insert_result bare;
        interleave(opt, run, side, gate, cpu, [&](std::uint64_t first, std::size_t count) {
            reference.insert(first, count, response_bytes, bare);
        });
        server.stop();
        fs::remove_all(dir);
        add_run(f, gate, cpu, bare);
        say("rate run %d: sluice-gate %.0f pledges/s (p50 %.2f ms, p99 %.2f ms, CPU each %.0f us + clients "
            "%.0f us), bare SQLite %.0f inserts/s (p50 %.2f ms, CPU each %.0f us): %.2f; load %s\n",
            run + 1, f.gate_per_s.back(), f.gate_p50.back(), f.gate_p99.back(), f.gate_cpu_us.back(),
            f.client_cpu_us.back(), f.bare_per_s.back(), f.bare_p50.back(), f.bare_cpu_us.back(),
            f.gate_per_s.back() / f.bare_per_s.back(), load_average().c_str());
    }
    return f;
}

// Pledge n's row for the bare PostgreSQL loop: the gate's INSERT's parameters, sized as the gate's.
std::vector<std::string> pg_reference_row(std::uint64_t n, std::size_t response_bytes, std::int64_t now) {
    return {filler(n, 22),
            campaign_id,
            "reference-" + std::to_string(n),
            filler(n + 1, 64),
            std::to_string(amount_of(n)),
            device_of(n),
            filler(n + 2, response_bytes),
            std::to_string(now),
            std::string(protocol::single_tier_id)};
}

// One run of `gates` gates on a fresh database, against the bare loop on another fresh one. The bare
// loop's database is made by `sluice-gate import` too (the gate's store makes its schema, and the campaign
// is there): on PostgreSQL the pledge's foreign key to its campaign is checked, and locks the campaign's
// row for the transaction, for the gate and the bare loop alike.
void pg_rate_run(options const& opt, bench_bundle const& b, fs::path const& work, pg_server const& pg,
                 int run, int gates, rate_figures& f) {
    auto const tag = std::to_string(run) + "_" + std::to_string(gates);
    auto const gate_db = "rate_" + tag;
    auto const bare_db = "bare_" + tag;
    auto const gate_url = pg.create_database(gate_db);
    auto const bare_url = pg.create_database(bare_db);
    import_into(opt, b, {"--db", gate_url}, work);
    import_into(opt, b, {"--db", bare_url}, work);
    {
        bench::fake_provider provider(SLUICE_BENCH_FAKE_PROVIDER, work / ("pg-provider-" + tag));
        std::vector<std::unique_ptr<gate_server>> servers;
        gate_side side;
        side.provider = provider.pid();
        side.database = pg.pid();
        for (int g = 0; g < gates; ++g) {
            auto const& s = servers.emplace_back(std::make_unique<gate_server>(
                opt.gate, store_args{"--db", gate_url}, b.gate_key,
                work / ("serve-pg-" + std::to_string(g) + ".err"), with_provider(provider)));
            side.ports.push_back(s->port());
            side.gates.push_back(s->pid());
        }
        auto const warm = pledge_load(side.ports, "warmup", warmup_first, warmup, opt.clients, 0);
        auto const now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        bench::bare_pg_inserts reference(
            bare_url, opt.clients,
            [bytes = warm.answer_bytes, now](std::uint64_t n) { return pg_reference_row(n, bytes, now); });
        insert_result reference_warm;
        reference.insert(warmup_first, warmup, reference_warm);

        load_result gate;
        cpu_use cpu;
        insert_result bare;
        double bare_server_cpu = 0;
        interleave(opt, run, side, gate, cpu, [&](std::uint64_t first, std::size_t count) {
            auto const before = bench::tree_cpu_seconds(pg.pid());
            reference.insert(first, count, bare);
            bare_server_cpu += bench::tree_cpu_seconds(pg.pid()) - before;
        });
        for (auto& s : servers) {
            s->stop();
        }
        add_run(f, gate, cpu, bare);
        f.server_cpu_us.push_back(cpu.database / static_cast<double>(gate.created) * 1e6);
        f.bare_server_cpu_us.push_back(bare_server_cpu / static_cast<double>(bare.rows) * 1e6);
        f.provider_cpu_us.push_back(cpu.provider / static_cast<double>(gate.created) * 1e6);
    }
    drop_database(pg.admin(), gate_db);
    drop_database(pg.admin(), bare_db);
    say("rate run %d, PostgreSQL, %d gate%s: %.0f pledges/s (p50 %.2f ms, p99 %.2f ms; CPU each: gates %.0f "
        "us, "
        "PostgreSQL %.0f us, provider %.0f us, clients %.0f us), bare PostgreSQL %.0f inserts/s (p50 %.2f "
        "ms; "
        "CPU each: PostgreSQL %.0f us, loop %.0f us): %.2f; load %s\n",
        run + 1, gates, gates == 1 ? "" : "s", f.gate_per_s.back(), f.gate_p50.back(), f.gate_p99.back(),
        f.gate_cpu_us.back(), f.server_cpu_us.back(), f.provider_cpu_us.back(), f.client_cpu_us.back(),
        f.bare_per_s.back(), f.bare_p50.back(), f.bare_server_cpu_us.back(), f.bare_cpu_us.back(),
        f.gate_per_s.back() / f.bare_per_s.back(), load_average().c_str());
}

// PostgreSQL, by the number of gates. Each run measures every number in turn, so that a change of the
// machine's pace between runs falls on all of them.
std::map<int, rate_figures> measure_pg_rate(options const& opt, bench_bundle const& b, fs::path const& work,
                                            pg_server const& pg) {
    std::map<int, rate_figures> by_gates;
    for (int run = 0; run < opt.runs; ++run) {
        for (int const gates : opt.gates) {
            pg_rate_run(opt, b, work, pg, run, gates, by_gates[gates]);
        }
    }
    return by_gates;
}

struct close_figures {
    std::size_t pledges = 0;
    double populate_seconds = 0;
    double populate_rss_mib = 0;
    double db_mib = 0;
    double open_status_ms = 0; // GET campaign with every pledge in, before the close
    std::vector<double> close_s, close_rss_mib, reference_s, first_get_ms, second_get_ms, status_ms;
    std::string state;
};

// The server takes the filled rows as its own: the same key and body again is answered from the store, and
// the campaign counts every backer. Also the open campaign's status time and the server's peak RSS.
void check_filled(options const& opt, bench_bundle const& b, store_args const& store, fs::path const& work,
                  close_figures& f) {
    // A gate without payments refuses every pledge before looking for its key; the campaign is open, so the
    // provider is never called.
    bench::fake_provider provider(SLUICE_BENCH_FAKE_PROVIDER, work / "populate-provider");
    gate_server server(opt.gate, store, b.gate_key, work / "serve-populate.err", with_provider(provider));
    for (std::size_t n : {std::size_t{0}, opt.pledges / 2, opt.pledges - 1}) {
        connection conn(server.port());
        auto const res = conn.exchange(pledge_request_bytes(server.port(), "close-" + std::to_string(n), n));
        if (res.result_int() != 201 || res["Idempotent-Replayed"] != "true") {
            throw bench_error("replaying pledge " + std::to_string(n) + ": " +
                              std::to_string(res.result_int()) + " " + res.body());
        }
    }
    auto const status = get_timed(server.port(), std::string("/v1/campaigns/") + campaign_id);
    f.open_status_ms = status.ms;
    auto const j = json::parse(status.body);
    if (j.at("backers") != opt.pledges) {
        throw bench_error("the campaign has " + j.at("backers").dump() + " backers, not " +
                          std::to_string(opt.pledges));
    }
    f.populate_rss_mib = bench::memory_of(server.pid()).peak_rss_mib;
    server.stop();
}

// `sluice-gate close` on a fresh copy of the filled store, then a server on it: two GETs of one of the
// pledges (`ids`, taken in turn by the runs) and GET of the campaign.
void close_copy(options const& opt, bench_bundle const& b, store_args const& store,
                std::vector<std::string> const& ids, int run, fs::path const& work, close_figures& f) {
    std::vector<std::string> args{"close"};
    args.insert(args.end(), store.begin(), store.end());
    args.push_back(campaign_id);
    auto const closed = bench::run_measured(opt.gate, args, work / "close-out.txt", work / "close-err.txt");
    if (closed.exit_code != 0) {
        throw bench_error("sluice-gate close failed (exit " + std::to_string(closed.exit_code) +
                          "): " + bench::read_text(work / "close-err.txt").substr(0, 2000));
    }
    auto const outcome = json::parse(closed.out, nullptr, false);
    if (!outcome.is_object() || outcome.value("backers", std::uint64_t{0}) != opt.pledges) {
        throw bench_error("sluice-gate close said: " + closed.out);
    }
    f.state = outcome.value("state", "");
    f.close_s.push_back(closed.seconds);
    f.close_rss_mib.push_back(closed.max_rss_mib);

    // No provider: the close is measured, not the charge run that a provider would start.
    gate_server server(opt.gate, store, b.gate_key, work / "serve-close.err");
    auto const target = std::string("/v1/campaigns/") + campaign_id + "/pledges/" +
                        ids[static_cast<std::size_t>(run) % ids.size()];
    auto const first = get_timed(server.port(), target);
    auto const second = get_timed(server.port(), target);
    // Funded: confirmed, waiting for the charge run (none here); failed: released with its receipt.
    auto const answer = json::parse(first.body);
    bool const as_expected =
        f.state == "funded" ? answer.value("state", "") == "confirmed" : answer.contains("release");
    if (!as_expected || first.body != second.body) {
        throw bench_error("GET " + target + " after the close: " + first.body.substr(0, 500));
    }
    f.first_get_ms.push_back(first.ms);
    f.second_get_ms.push_back(second.ms);
    f.status_ms.push_back(get_timed(server.port(), std::string("/v1/campaigns/") + campaign_id).ms);
    server.stop();
}

void say_close_run(int run, close_figures const& f, char const* engine) {
    say("close run %d: sluice-gate close %.3f s (peak RSS %.1f MiB, %s), bare %s close %.3f s; first GET "
        "%.2f "
        "ms, second %.2f ms, campaign status %.1f ms; load %s\n",
        run + 1, f.close_s.back(), f.close_rss_mib.back(), f.state.c_str(), engine, f.reference_s.back(),
        f.first_get_ms.back(), f.second_get_ms.back(), f.status_ms.back(), load_average().c_str());
}

std::vector<std::string> without_empty(std::vector<std::string> ids) {
    ids.erase(std::remove(ids.begin(), ids.end(), std::string()), ids.end());
    if (ids.empty()) {
        throw bench_error("no pledge id was kept from the populating run");
    }
    return ids;
}

// SQLite: the filled data folder copied afresh for each close, the bare close on a copy of its own.
close_figures measure_close(options const& opt, bench_bundle const& b, fs::path const& work) {
    close_figures f;
    f.pledges = opt.pledges;
    auto const prepared = work / "close-prepared";
    import_into(opt, b, on_folder(prepared), work);
    auto const populate_start = clock_type::now();
    say("populating the campaign with %zu confirmed pledges: the gate's store in this process, without fsync "
        "...\n",
        opt.pledges);
    auto const ids = without_empty(populate_in_process(prepared, opt.pledges, 1000));
    f.populate_seconds = seconds_since(populate_start);
    say("populated: %zu pledges in %.1f s (%.0f/s)\n", opt.pledges, f.populate_seconds,
        static_cast<double>(opt.pledges) / f.populate_seconds);
    check_filled(opt, b, on_folder(prepared), work, f);
    std::error_code ec;
    f.db_mib = static_cast<double>(fs::file_size(prepared / "gate.db", ec)) / (1024.0 * 1024.0);

    for (int run = 0; run < opt.runs; ++run) {
        // Each run closes its own copy: the reference first, on a copy of its own.
        auto const ref_dir = work / ("close-ref-" + std::to_string(run));
        fs::copy(prepared, ref_dir, fs::copy_options::recursive);
        std::uint64_t backers = 0;
        f.reference_s.push_back(sqlite_close(ref_dir / "gate.db", backers));
        fs::remove_all(ref_dir);

        auto const dir = work / ("close-" + std::to_string(run));
        fs::copy(prepared, dir, fs::copy_options::recursive);
        close_copy(opt, b, on_folder(dir), ids, run, work, f);
        fs::remove_all(dir);
        say_close_run(run, f, "SQLite");
    }
    return f;
}

// PostgreSQL: the filled database copied afresh (CREATE DATABASE ... TEMPLATE) for each close, the bare close
// on a copy of its own.
close_figures measure_pg_close(options const& opt, bench_bundle const& b, fs::path const& work,
                               pg_server const& pg) {
    close_figures f;
    f.pledges = opt.pledges;
    std::string const filled = "close_filled";
    auto const filled_url = pg.create_database(filled);
    import_into(opt, b, {"--db", filled_url}, work);
    say("populating the PostgreSQL campaign with %zu confirmed pledges: the first %zu through the gate's "
        "store "
        "in this process (commits not waiting for the disk), the rest by COPY ...\n",
        opt.pledges, std::min(opt.pledges, pg_through_store));
    auto const populate_start = clock_type::now();
    auto const ids = without_empty(populate_pg_in_process(pg, filled, opt.pledges, pg_through_store, 1000));
    f.populate_seconds = seconds_since(populate_start);
    say("populated: %zu pledges in %.1f s (%.0f/s)\n", opt.pledges, f.populate_seconds,
        static_cast<double>(opt.pledges) / f.populate_seconds);
    check_filled(opt, b, {"--db", filled_url}, work, f);
    f.db_mib = std::stod(pg.admin().value("SELECT pg_database_size('" + filled + "')")) / (1024.0 * 1024.0);

    for (int run = 0; run < opt.runs; ++run) {
        auto const reference = "close_bare_" + std::to_string(run);
        copy_database(pg.admin(), filled, reference);
        std::uint64_t backers = 0;
        f.reference_s.push_back(bench::bare_pg_close(pg.url(reference), campaign_id, backers));
        drop_database(pg.admin(), reference);
        if (backers != opt.pledges) {
            throw bench_error("the bare close counted " + std::to_string(backers) + " backers");
        }

        auto const copy = "close_" + std::to_string(run);
        copy_database(pg.admin(), filled, copy);
        close_copy(opt, b, {"--db", pg.url(copy)}, ids, run, work, f);
        drop_database(pg.admin(), copy);
        say_close_run(run, f, "PostgreSQL");
    }
    drop_database(pg.admin(), filled);
    return f;
}

// ---------------------------------------------------------------------------------------------------------
// Landing-page views

constexpr std::size_t views_per_client = 100; // under the gate's 120 per address and 10 minutes
constexpr std::uint64_t million_views = 1'000'000;

struct view_figures {
    std::vector<double> counting_per_s, plain_per_s; // page views per second, by run
    std::uint64_t sent = 0;                          // views the counting gate was sent, warm-up included
    std::uint64_t counted = 0;                       // views its report counted
    double report_ms = 0;                            // GET of the report on the counted data, median
    double report_million_ms = 0;                    // the same with 1,000,000 views in the data
    double dashboard_million_ms = 0;                 // the dashboard's page of the bundle, then, median
    double ratio() const {
        std::vector<double> r;
        for (std::size_t i = 0; i < counting_per_s.size(); ++i) {
            r.push_back(counting_per_s[i] / plain_per_s[i]);
        }
        return median(r);
    }
};

std::string view_request(int port, std::string const& method, std::string const& target,
                         std::string const& agent, std::string const& body = {}) {
    auto bytes = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                 "\r\nUser-Agent: " + agent + "\r\n";
    if (!body.empty()) {
        bytes += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    }
    return bytes + "\r\n" + body;
}

// `clients` viewers, client c on the address 127.<block>.<c / 250>.<c % 250 + 1>, each making
// views_per_client views as new visitors (a User-Agent of their own): the page, then, when `beacon`, what its
// script sends. Answers the views made per second.
double view_load(int port, int clients, int block, bool beacon) {
    std::atomic<bool> failed{false};
    std::string failure;
    std::mutex merge;
    std::vector<std::thread> threads;
    auto const start = clock_type::now();
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            try {
                auto const from = "127." + std::to_string(block) + "." + std::to_string(c / 250) + "." +
                                  std::to_string(c % 250 + 1);
                connection conn(port, from);
                for (std::size_t i = 0; i < views_per_client && !failed; ++i) {
                    auto const agent =
                        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 v" +
                        std::to_string(block) + "-" + std::to_string(c) + "-" + std::to_string(i);
                    auto const page = conn.exchange(view_request(port, "GET", "/b/bench-bundle", agent));
                    if (page.result_int() != 200) {
                        throw bench_error("the landing page: " + std::to_string(page.result_int()));
                    }
                    if (!beacon) {
                        continue;
                    }
                    auto const body = R"({"returning":false,"referrer":"https://site-)" +
                                      std::to_string(i % 20) + R"(.example/post"})";
                    auto const counted = conn.exchange(
                        view_request(port, "POST", "/v1/bundles/bench-bundle/views", agent, body));
                    if (counted.result_int() != 204) {
                        throw bench_error("the view: " + std::to_string(counted.result_int()) + " " +
                                          counted.body());
                    }
                }
            } catch (std::exception const& e) {
                std::lock_guard lock(merge);
                failure = e.what();
                failed = true;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    if (failed) {
        throw bench_error("viewing failed: " + failure);
    }
    return static_cast<double>(clients) * views_per_client / seconds_since(start);
}

// One GET of `target` with `header` ("Name: value"), timed; its body.
std::string timed_get(int port, std::string const& target, std::string const& header, double& ms) {
    connection conn(port);
    auto const start = clock_type::now();
    auto const res =
        conn.exchange("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + header + "\r\n\r\n");
    ms = seconds_since(start) * 1e3;
    if (res.result_int() != 200) {
        throw bench_error(target + ": " + std::to_string(res.result_int()) + " " + res.body());
    }
    return res.body();
}

double median_report_ms(int port, std::string const& token, json& report) {
    std::vector<double> ms(9);
    for (auto& m : ms) {
        report = json::parse(
            timed_get(port, "/v1/admin/stats/bundles/bench-bundle", "Authorization: Bearer " + token, m));
    }
    return median(ms);
}

// The dashboard's page of the bundle, as a logged-in browser asks for it: the same figures, and the HTML.
double median_dashboard_ms(int port, std::string const& token) {
    std::vector<double> ms(9);
    auto const hex = protocol::to_hex({reinterpret_cast<unsigned char const*>(token.data()), token.size()});
    for (auto& m : ms) {
        if (timed_get(port, "/admin/bundles/bench-bundle", "Cookie: sluice_admin=" + hex, m)
                .find("id=\"funnel\"") == std::string::npos) {
            throw bench_error("the dashboard's page has no funnel");
        }
    }
    return median(ms);
}

// A year of views written into the gate's database with its own statements, as that many beacons would have
// left it (the day's visitor hashes are gone with their day): most views new visitors, one in two from one of
// 200 sites.
void add_a_year_of_views(fs::path const& db_file, std::uint64_t views) {
    std::error_code ec;
    std::string detail;
    auto db = gate::sqlite_connection::open(db_file, ec, &detail);
    if (!db) {
        throw bench_error("cannot open " + db_file.string() + ": " + ec.message() + " " + detail);
    }
    auto const today = gate::day_of(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    gate::transaction tx(*db, ec);
    for (std::uint64_t i = 0; i < views && !ec; ++i) {
        auto const day = today - 1 - static_cast<std::int64_t>(i % 365);
        gate::statement(*db, gate::sql::count_view)
            .bind("bench-bundle")
            .bind(day)
            .bind(std::int64_t{i % 4 != 0})
            .bind(std::int64_t{i % 10 == 0})
            .execute(ec);
        if (!ec && i % 2 == 0) {
            gate::statement(*db, gate::sql::count_view_referrer)
                .bind("bench-bundle")
                .bind(day)
                .bind("site-" + std::to_string(i % 200) + ".example")
                .execute(ec);
        }
    }
    if (!ec) {
        tx.commit(ec);
    }
    if (ec) {
        throw bench_error("writing a year of views: " + ec.message() + " " + db->last_error());
    }
}

view_figures measure_views(options const& opt, bench_bundle const& b, fs::path const& work) {
    view_figures f;
    auto const counting_dir = work / "views-counting";
    auto const plain_dir = work / "views-plain";
    import_into(opt, b, on_folder(counting_dir), work);
    import_into(opt, b, on_folder(plain_dir), work);
    auto const token = filler(7, 40);
    bench::write_text(work / "admin.token", token);
    std::vector<std::string> const admin{"--admin-token-file", (work / "admin.token").string()};
    {
        gate_server counting(opt.gate, on_folder(counting_dir), b.gate_key, work / "serve-views.err", admin);
        gate_server plain(opt.gate, on_folder(plain_dir), b.gate_key, work / "serve-views-plain.err",
                          {"--count-views", "no"});
        // Warm-up of both, then the runs in turn; each run's viewers on addresses no earlier run used.
        int block = 10;
        view_load(counting.port(), opt.clients, block++, true);
        view_load(plain.port(), opt.clients, block++, false);
        f.sent = static_cast<std::uint64_t>(opt.clients) * views_per_client;
        for (int run = 0; run < opt.runs; ++run) {
            f.counting_per_s.push_back(view_load(counting.port(), opt.clients, block++, true));
            f.plain_per_s.push_back(view_load(plain.port(), opt.clients, block++, false));
            f.sent += static_cast<std::uint64_t>(opt.clients) * views_per_client;
            say("views run %d: counted %.0f views/s, not counted %.0f views/s: %.2f; load %s\n", run + 1,
                f.counting_per_s.back(), f.plain_per_s.back(), f.counting_per_s.back() / f.plain_per_s.back(),
                load_average().c_str());
        }
        json report;
        f.report_ms = median_report_ms(counting.port(), token, report);
        f.counted = report.at("totals").at("views").get<std::uint64_t>();
        if (f.counted != f.sent) {
            throw bench_error("the gate counted " + std::to_string(f.counted) + " views of the " +
                              std::to_string(f.sent) + " sent");
        }
    }
    add_a_year_of_views(counting_dir / "gate.db", million_views);
    gate_server counting(opt.gate, on_folder(counting_dir), b.gate_key, work / "serve-views.err", admin);
    json report;
    f.report_million_ms = median_report_ms(counting.port(), token, report);
    f.dashboard_million_ms = median_dashboard_ms(counting.port(), token);
    if (report.at("totals").at("views").get<std::uint64_t>() != f.sent + million_views) {
        throw bench_error("the report after a year of views: " + report.at("totals").dump());
    }
    return f;
}

void print_views(view_figures const& v) {
    std::printf("\nlanding-page views (SQLite, each view a new visitor)\n");
    std::printf("%-50s %9.0f views/s\n", "page + counted view (beacon)", median(v.counting_per_s));
    std::printf("%-50s %9.0f views/s\n", "page alone, --count-views no", median(v.plain_per_s));
    std::printf("%-50s %9llu of %llu\n", "views counted", static_cast<unsigned long long>(v.counted),
                static_cast<unsigned long long>(v.sent));
    std::printf("%-50s %9.2f ms\n", "view report, as counted", v.report_ms);
    std::printf("%-50s %9.2f ms\n", "view report, 1,000,000 more views over a year", v.report_million_ms);
    std::printf("%-50s %9.2f ms\n", "dashboard page of the bundle, then", v.dashboard_million_ms);
    std::printf("counted / not counted: %.2fx the views per second\n", v.ratio());
}

// ---------------------------------------------------------------------------------------------------------
// The driver

std::vector<int> parse_gates(std::string const& list) {
    std::vector<int> gates;
    std::stringstream in(list);
    std::string item;
    while (std::getline(in, item, ',')) {
        gates.push_back(static_cast<int>(bench::parse_number("--gates", item, 1, 64)));
    }
    if (gates.empty()) {
        throw bench::usage_error("--gates needs at least one number");
    }
    return gates;
}

options parse_args(int argc, char** argv) {
    options opt;
    bench::arg_reader args(argc, argv);
    while (args.next()) {
        if (args.is("--only")) {
            opt.only = args.choice({"rate", "close", "views"});
        } else if (args.is("--db")) {
            opt.db = args.choice({"sqlite", "postgresql", "both"});
        } else if (args.is("--gates")) {
            opt.gates = parse_gates(args.value());
        } else if (args.is("--runs")) {
            opt.runs = static_cast<int>(args.number(1, 1000));
        } else if (args.is("--pledges")) {
            opt.pledges = args.number(1, 100'000'000);
        } else if (args.is("--rate-pledges")) {
            opt.rate_pledges = args.number(1, 100'000'000);
        } else if (args.is("--clients")) {
            opt.clients = static_cast<int>(args.number(1, 1024));
        } else if (args.is("--json")) {
            opt.json = true;
        } else if (args.is("--gate")) {
            opt.gate = args.value();
        } else if (args.is("--bundle")) {
            opt.bundle = args.value();
        } else {
            args.unknown();
        }
    }
    return opt;
}

struct figures {
    std::optional<rate_figures> rate;
    std::optional<close_figures> close;
    std::map<int, rate_figures> pg_rate; // by the number of gates
    std::optional<close_figures> pg_close;
    std::optional<view_figures> views;
};

// The median of the runs' own ratios of `gates` gates to one gate; NaN without a one-gate figure.
double over_one_gate(figures const& f, int gates) {
    if (!f.pg_rate.contains(1) || !f.pg_rate.contains(gates)) {
        return std::nan("");
    }
    auto const& one = f.pg_rate.at(1).gate_per_s;
    auto const& more = f.pg_rate.at(gates).gate_per_s;
    std::vector<double> r;
    for (std::size_t i = 0; i < std::min(one.size(), more.size()); ++i) {
        r.push_back(more[i] / one[i]);
    }
    return median(r);
}

json close_json(close_figures const& c, char const* reference_key) {
    return {{"pledges", c.pledges},
            {"populateSeconds", c.populate_seconds},
            {"populateServeVmHWMMiB", c.populate_rss_mib},
            {"databaseMiB", c.db_mib},
            {"openCampaignStatusMs", c.open_status_ms},
            {"state", c.state},
            {"closeSeconds", c.close_s},
            {"closePeakRssMiB", c.close_rss_mib},
            {reference_key, c.reference_s},
            {"firstPledgeGetMs", c.first_get_ms},
            {"secondPledgeGetMs", c.second_get_ms},
            {"campaignStatusMs", c.status_ms}};
}

json figures_json(options const& opt, figures const& f) {
    json j{{"runs", opt.runs}, {"clients", opt.clients}};
    if (f.rate) {
        auto const& r = *f.rate;
        j["rate"] = {{"pledgesPerRun", opt.rate_pledges},
                     {"gatePledgesPerSecond", r.gate_per_s},
                     {"gateP50Ms", r.gate_p50},
                     {"gateP99Ms", r.gate_p99},
                     {"gateCpuMicrosecondsPerPledge", r.gate_cpu_us},
                     {"clientCpuMicrosecondsPerPledge", r.client_cpu_us},
                     {"sqliteCpuMicrosecondsPerInsert", r.bare_cpu_us},
                     {"sqliteInsertsPerSecond", r.bare_per_s},
                     {"sqliteP50Ms", r.bare_p50},
                     {"sqliteP99Ms", r.bare_p99},
                     {"ratio", r.ratio()},
                     {"goal", rate_goal}};
    }
    if (f.close) {
        j["close"] = close_json(*f.close, "sqliteCloseSeconds");
    }
    if (!f.pg_rate.empty() || f.pg_close) {
        json pg = json::object();
        if (!f.pg_rate.empty()) {
            pg["rate"] = json::array();
            for (auto const& [gates, r] : f.pg_rate) {
                json row{{"gates", gates},
                         {"pledgesPerRun", opt.rate_pledges},
                         {"gatePledgesPerSecond", r.gate_per_s},
                         {"gateP50Ms", r.gate_p50},
                         {"gateP99Ms", r.gate_p99},
                         {"gateCpuMicrosecondsPerPledge", r.gate_cpu_us},
                         {"postgresqlCpuMicrosecondsPerPledge", r.server_cpu_us},
                         {"providerCpuMicrosecondsPerPledge", r.provider_cpu_us},
                         {"clientCpuMicrosecondsPerPledge", r.client_cpu_us},
                         {"bareInsertsPerSecond", r.bare_per_s},
                         {"bareP50Ms", r.bare_p50},
                         {"bareP99Ms", r.bare_p99},
                         {"bareCpuMicrosecondsPerInsert", r.bare_cpu_us},
                         {"barePostgresqlCpuMicrosecondsPerInsert", r.bare_server_cpu_us},
                         {"ratio", r.ratio()}};
                if (gates == 1) {
                    row["goal"] = rate_goal;
                } else if (auto const more = over_one_gate(f, gates); !std::isnan(more)) {
                    row["overOneGate"] = more;
                }
                pg["rate"].push_back(row);
            }
        }
        if (f.pg_close) {
            pg["close"] = close_json(*f.pg_close, "bareCloseSeconds");
        }
        j["postgresql"] = pg;
    }
    if (f.views) {
        auto const& v = *f.views;
        j["views"] = {{"countedViewsPerSecond", v.counting_per_s},
                      {"uncountedViewsPerSecond", v.plain_per_s},
                      {"ratio", v.ratio()},
                      {"sent", v.sent},
                      {"counted", v.counted},
                      {"reportMs", v.report_ms},
                      {"reportMsAtAMillionMore", v.report_million_ms},
                      {"dashboardMsAtAMillionMore", v.dashboard_million_ms}};
    }
    return j;
}

void print_sqlite_rate(options const& opt, rate_figures const& r) {
    std::printf("\npledges per second: %d clients, %zu pledges per run, median of %d runs\n", opt.clients,
                opt.rate_pledges, opt.runs);
    std::printf("%-44s %10s %8s %8s %12s\n", "", "per second", "p50 ms", "p99 ms", "CPU us each");
    std::printf("%-44s %10.0f %8.2f %8.2f %12.0f\n", "sluice-gate serve, POST .../pledges",
                median(r.gate_per_s), median(r.gate_p50), median(r.gate_p99), median(r.gate_cpu_us));
    std::printf("%-44s %10s %8s %8s %12.0f\n",
                ("  its " + std::to_string(opt.clients) + " HTTP clients (same machine)").c_str(), "", "", "",
                median(r.client_cpu_us));
    std::printf("%-44s %10.0f %8.2f %8.2f %12.0f\n", "bare SQLite insert (WAL, FULL, 1 per commit)",
                median(r.bare_per_s), median(r.bare_p50), median(r.bare_p99), median(r.bare_cpu_us));
    std::printf("sluice-gate / bare SQLite (median of the runs' ratios): %.3f (goal >= %.1f: %s)\n",
                r.ratio(), rate_goal, r.ratio() >= rate_goal ? "met" : "MISSED");
}

void print_pg_rate(options const& opt, figures const& f) {
    std::printf(
        "\npledges per second on PostgreSQL (fsync, synchronous_commit on): %d clients spread over the "
        "gates, %zu pledges per run, median of %d runs\n",
        opt.clients, opt.rate_pledges, opt.runs);
    std::printf("%-44s %10s %8s %8s %12s %11s\n", "", "per second", "p50 ms", "p99 ms", "CPU us each",
                "PG CPU us");
    for (auto const& [gates, r] : f.pg_rate) {
        auto const name = std::to_string(gates) + (gates == 1 ? " gate" : " gates");
        std::printf("%-44s %10.0f %8.2f %8.2f %12.0f %11.0f\n", (name + ": sluice-gate serve, POST").c_str(),
                    median(r.gate_per_s), median(r.gate_p50), median(r.gate_p99), median(r.gate_cpu_us),
                    median(r.server_cpu_us));
        std::printf("%-44s %10s %8s %8s %12.0f\n", "  the fake provider (node, 2 calls a pledge)", "", "", "",
                    median(r.provider_cpu_us));
        std::printf("%-44s %10s %8s %8s %12.0f\n",
                    ("  the " + std::to_string(opt.clients) + " HTTP clients (same machine)").c_str(), "", "",
                    "", median(r.client_cpu_us));
        std::printf("%-44s %10.0f %8.2f %8.2f %12.0f %11.0f\n",
                    ("  bare PostgreSQL insert, " + std::to_string(opt.clients) + " connections").c_str(),
                    median(r.bare_per_s), median(r.bare_p50), median(r.bare_p99), median(r.bare_cpu_us),
                    median(r.bare_server_cpu_us));
        std::printf("  %s / bare PostgreSQL (median of the runs' ratios): %.3f", name.c_str(), r.ratio());
        if (gates == 1) {
            std::printf(" (goal >= %.1f: %s)", rate_goal, r.ratio() >= rate_goal ? "met" : "MISSED");
        } else if (auto const more = over_one_gate(f, gates); !std::isnan(more)) {
            std::printf("; %s / 1 gate: %.2fx the pledges", name.c_str(), more);
        }
        std::printf("\n");
    }
}

void print_close(options const& opt, close_figures const& c, std::string const& engine,
                 std::string const& populated_by, std::string const& size_name) {
    std::printf("\nclosing a campaign of %zu pledges on %s (populated by %s: %.1f s, %.0f/s; %s %.0f MiB), "
                "median of %d runs\n",
                c.pledges, engine.c_str(), populated_by.c_str(), c.populate_seconds,
                static_cast<double>(c.pledges) / c.populate_seconds, size_name.c_str(), c.db_mib, opt.runs);
    std::printf("%-50s %12s\n", "", "median");
    std::printf("%-50s %10.3f s\n", ("sluice-gate close (" + c.state + ")").c_str(), median(c.close_s));
    std::printf("%-50s %8.1f MiB\n", "  peak RSS of the close (wait4 ru_maxrss)", median(c.close_rss_mib));
    std::printf("%-50s %10.3f s\n", ("bare " + engine + " close (open, totals, update, commit)").c_str(),
                median(c.reference_s));
    std::printf("%-50s %9.2f ms\n",
                c.state == "funded" ? "first GET of a pledge after close (confirmed)"
                                    : "first GET of a pledge after close (release)",
                median(c.first_get_ms));
    std::printf("%-50s %9.2f ms\n", "second GET of the same pledge", median(c.second_get_ms));
    std::printf("%-50s %9.2f ms\n", "GET campaign, open (totals over every pledge)", c.open_status_ms);
    std::printf("%-50s %9.2f ms\n", "GET campaign after close", median(c.status_ms));
    std::printf("%-50s %8.1f MiB\n", "serve VmHWM (after populating, or replays + GET)", c.populate_rss_mib);
    std::printf("sluice-gate close / bare %s close: %.2fx the time\n", engine.c_str(),
                median(c.close_s) / median(c.reference_s));
}

int run(options const& opt) {
    if (opt.json) {
        bench::progress_to_stderr();
    }
    bench::temp_dir work("sluice-gate-bench");
    auto const bundle = make_bundle(opt, work.path(), opt.pledges);
    say("gate: %s\nwork folder: %s (fsync-bound: the same filesystem for the gate and the references)\n",
        opt.gate.c_str(), work.path().c_str());
    bool const rate = opt.only.empty() || opt.only == "rate";
    bool const close = opt.only.empty() || opt.only == "close";
    bool const views = opt.only.empty() || opt.only == "views";
    std::optional<pg_server> pg;
    if (opt.postgresql()) {
        pg.emplace();
        say("PostgreSQL: %s (fsync and synchronous_commit on)\n", pg->url("DATABASE").c_str());
    }
    figures f;
    if (rate && opt.sqlite()) {
        f.rate = measure_rate(opt, bundle, work.path());
    }
    if (rate && pg) {
        f.pg_rate = measure_pg_rate(opt, bundle, work.path(), *pg);
    }
    if (close && opt.sqlite()) {
        f.close = measure_close(opt, bundle, work.path());
    }
    if (close && pg) {
        f.pg_close = measure_pg_close(opt, bundle, work.path(), *pg);
    }
    if (views && opt.sqlite()) {
        f.views = measure_views(opt, bundle, work.path());
    }

    if (opt.json) {
        std::printf("%s\n", figures_json(opt, f).dump(2).c_str());
        return 0;
    }
    if (f.rate) {
        print_sqlite_rate(opt, *f.rate);
    }
    if (!f.pg_rate.empty()) {
        print_pg_rate(opt, f);
    }
    if (f.close) {
        print_close(opt, *f.close, "SQLite", "the gate's store, no fsync", "gate.db");
    }
    if (f.pg_close) {
        print_close(opt, *f.pg_close, "PostgreSQL",
                    "the gate's store for the first " +
                        std::to_string(std::min(opt.pledges, pg_through_store)) + ", then COPY",
                    "database");
    }
    if (f.views) {
        print_views(*f.views);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    return bench::run_main("gate_bench", usage, argc, argv, [&] { return run(parse_args(argc, argv)); });
}
