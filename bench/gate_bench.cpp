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
// The references run the gate's own schema and statements (gate_sql.hpp), so they cannot drift from it.
// Everything lives in one temporary folder (under $TMPDIR, else /tmp) that is removed at the end.

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
#include "sluice-gate/sqlite_store.hpp"
#include "support/fake_provider.hpp"

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
using bench::load_average;
using bench::median;
using bench::say;
using bench::seconds_since;
using clock_type = std::chrono::steady_clock;
using nlohmann::json;

constexpr double rate_goal = 0.5; // gate pledges/s / bare SQLite inserts/s
constexpr char const* campaign_id = "bench-campaign";
constexpr std::uint64_t price = 1500;

constexpr char const* usage =
    "usage: gate_bench [--only rate|close] [--runs N] [--pledges N] [--rate-pledges N]\n"
    "                  [--clients N] [--json] [--gate PATH] [--bundle PATH]\n"
    "  --only NAME         run one part only\n"
    "  --runs N            measured runs of each figure (default: 3)\n"
    "  --pledges N         pledges in the campaign that is closed (default: 250000)\n"

    "  --rate-pledges N    pledges per run of the rate part (default: 20000)\n"
    "  --clients N         concurrent clients (default: 32)\n"
    "  --json              print the figures as one JSON object (progress goes to stderr)\n"
    "  --gate PATH         the sluice-gate binary (default: " SLUICE_BENCH_GATE_EXE ")\n"
    "  --bundle PATH       the sluice-bundle binary (default: " SLUICE_BENCH_BUNDLE_EXE ")\n";

struct options {
    std::string only;
    int runs = 3;
    std::size_t pledges = 250000;
    std::size_t rate_pledges = 20000;
    int clients = 32;
    bool json = false;
    fs::path gate = SLUICE_BENCH_GATE_EXE;
    fs::path bundle = SLUICE_BENCH_BUNDLE_EXE;
};

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
    gate_server(fs::path const& exe, fs::path const& data, fs::path const& gate_key, fs::path const& err_file,
                std::vector<std::string> const& extra = {})
        : err_file_(err_file) {
        std::vector<std::string> args{"serve",       "--data",     data.string(),    "--listen",
                                      "127.0.0.1:0", "--gate-key", gate_key.string()};
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

// ---------------------------------------------------------------------------------------------------------
// HTTP clients

// A blocking keep-alive connection; a gate that stops answering fails the read after 30 s instead of
// hanging the benchmark.
class connection {
public:
    explicit connection(int port) : port_(port), socket_(io_) {
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

// Pledges numbered [first, first + count), each with the key "<prefix>-<n>", over `clients` connections.
load_result pledge_load(int port, std::string const& prefix, std::uint64_t first, std::size_t count,
                        int clients, std::size_t sample_every) {
    std::atomic<std::size_t> next{0};
    std::mutex merge;
    load_result result;
    std::string failure;
    std::vector<std::thread> threads;
    auto const start = clock_type::now();
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&] {
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

struct insert_result {
    std::size_t rows = 0;
    double seconds = 0;
    double cpu_seconds = 0;
    std::vector<double> latencies_ms;
    double per_second() const { return static_cast<double>(rows) / seconds; }
    double cpu_us_each() const { return cpu_seconds / static_cast<double>(rows) * 1e6; }
};

// The reference table: the gate's own schema (gate_sql.hpp: every table, the pledges table with its primary
// key, its UNIQUE and its index as the gate has them) in a database of its own, and the gate's own INSERT.
// Each row has the gate's shape (a 22-character id, a key, a 64-hex-digit hash, a device, a response of
// `response_bytes`) and is inserted in its own BEGIN IMMEDIATE ... COMMIT. Foreign keys are not enforced on
// this connection: a row needs no campaign, and looking the campaign up stays the gate's own cost.
class reference_table {
public:
    explicit reference_table(fs::path const& file)
        : db_(file), insert_(prepare(db_, gate::sql::insert_pledge)), begin_(db_.get(), "BEGIN IMMEDIATE"),
          commit_(db_.get(), "COMMIT") {}

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
    // The table exists before its INSERT is prepared.
    static std::unique_ptr<statement> prepare(database& db, char const* sql) {
        db.exec("PRAGMA foreign_keys=OFF");
        db.exec(gate::sql::schema);
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

// Fills the campaign of a data folder that `sluice-gate import` made with pledges 0..count-1 ("close-<n>"),
// each recorded by the gate's own store as the server records a POST (its request digest, an answer, the row)
// and confirmed as the provider's webhook confirms it (a card saved), each in a transaction of its own. Only
// the fsyncs are left out (unsynced_sqlite); the database is synced once at the end, so that its write-back
// does not fall into the measurements. Returns the ids of every `sample_every`th pledge.
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
        for (std::size_t n = 0; n < count; ++n) {
            gate::pledge_record p;
            p.pledge_id = protocol::generate_token_id();
            p.campaign_id = campaign_id;
            p.idempotency_key = "close-" + std::to_string(n);
            p.amount = amount_of(n);
            p.device = device_of(n);
            p.request_hash = gate::request_digest(std::to_string(p.amount) + "\n" + p.device);
            p.response = json{{"pledgeId", p.pledge_id}, {"state", "pending"}, {"amount", p.amount}}.dump();
            std::optional<gate::pledge_record> existing;
            if (store->add_pledge(p, 1, existing, ec) != gate::pledge_outcome::created || ec) {
                throw bench_error("pledge " + std::to_string(n) + " was not recorded: " + ec.message());
            }
            store->save_pledge_method("evt_bench_" + std::to_string(n), p.pledge_id,
                                      "cus_" + std::to_string(n), "pm_" + std::to_string(n), 1, ec);
            if (ec) {
                throw bench_error("pledge " + std::to_string(n) + " was not confirmed: " + ec.message());
            }
            if (n % sample_every == 0) {
                ids.push_back(p.pledge_id);
            }
        }
    }
    sync_to_disk(data / "gate.db");
    sync_to_disk(data);
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

void import_into(options const& opt, bench_bundle const& b, fs::path const& data, fs::path const& work) {
    bench::run_tool(opt.gate,
                    {"import", "--data", data.string(), "--gate-key", b.gate_key.string(), b.folder.string(),
                     b.keys.string()},
                    work / "tool");
}

// ---------------------------------------------------------------------------------------------------------
// The parts

struct rate_figures {
    std::vector<double> gate_per_s, sqlite_per_s, gate_p50, gate_p99, sqlite_p50, sqlite_p99, gate_cpu_us,
        client_cpu_us, sqlite_cpu_us;
    // The median of the runs' own ratios: each run's two figures were measured side by side.
    double ratio() const {
        std::vector<double> r;
        for (std::size_t i = 0; i < gate_per_s.size(); ++i) {
            r.push_back(gate_per_s[i] / sqlite_per_s[i]);
        }
        return median(r);
    }
};

// Each run: a fresh gate and a fresh reference table, measured in turns of `slices` slices each, so that both
// see the same disk and the same neighbours on this shared machine (a run of each side after the other saw
// the disk's fsync rate change between them).
rate_figures measure_rate(options const& opt, bench_bundle const& b, fs::path const& work) {
    rate_figures f;
    std::size_t const warmup = 500;
    std::size_t const slices = 10;
    for (int run = 0; run < opt.runs; ++run) {
        auto const dir = work / ("rate-" + std::to_string(run));
        import_into(opt, b, dir / "gate", work);
        fs::create_directories(dir / "sqlite");
        bench::fake_provider provider(SLUICE_BENCH_FAKE_PROVIDER, dir / "provider");
        auto payments = provider.gate_args();
        payments.insert(payments.end(), {"--public-url", "http://127.0.0.1:1/"});
        gate_server server(opt.gate, dir / "gate", b.gate_key, work / "serve-rate.err", payments);
        reference_table reference(dir / "sqlite" / "reference.db");
        auto const warm = pledge_load(server.port(), "warmup", 1'000'000'000, warmup, opt.clients, 0);
        auto const response_bytes = warm.answer_bytes;
        insert_result reference_warm;
        reference.insert(1'000'000'000, warmup, response_bytes, reference_warm);

        load_result gate;
        insert_result bare;
        double gate_cpu = 0;
        double client_cpu = 0;
        for (std::size_t slice = 0; slice < slices; ++slice) {
            auto const first = slice * opt.rate_pledges / slices;
            auto const count = (slice + 1) * opt.rate_pledges / slices - first;
            auto const gate_turn = [&] {
                auto const cpu_before = bench::process_cpu_seconds(server.pid());
                auto const client_before = bench::rusage_cpu_seconds(RUSAGE_SELF);
                auto const r = pledge_load(server.port(), "rate", first, count, opt.clients, 0);
                client_cpu += bench::rusage_cpu_seconds(RUSAGE_SELF) - client_before;
                gate_cpu += bench::process_cpu_seconds(server.pid()) - cpu_before;
                gate.created += r.created;
                gate.seconds += r.seconds;
                gate.latencies_ms.insert(gate.latencies_ms.end(), r.latencies_ms.begin(),
                                         r.latencies_ms.end());
            };
            auto const reference_turn = [&] { reference.insert(first, count, response_bytes, bare); };
            // Alternating which goes first.
            if ((slice + static_cast<std::size_t>(run)) % 2 == 0) {
                gate_turn();
                reference_turn();
            } else {
                reference_turn();
                gate_turn();
            }
        }
        server.stop();
        fs::remove_all(dir);
        f.gate_per_s.push_back(gate.per_second());
        f.gate_p50.push_back(bench::percentile_at_index(gate.latencies_ms, 0.5));
        f.gate_p99.push_back(bench::percentile_at_index(gate.latencies_ms, 0.99));
        f.gate_cpu_us.push_back(gate_cpu / static_cast<double>(gate.created) * 1e6);
        f.client_cpu_us.push_back(client_cpu / static_cast<double>(gate.created) * 1e6);
        f.sqlite_per_s.push_back(bare.per_second());
        f.sqlite_p50.push_back(bench::percentile_at_index(bare.latencies_ms, 0.5));
        f.sqlite_p99.push_back(bench::percentile_at_index(bare.latencies_ms, 0.99));
        f.sqlite_cpu_us.push_back(bare.cpu_us_each());
        say("rate run %d: sluice-gate %.0f pledges/s (p50 %.2f ms, p99 %.2f ms, CPU each %.0f us + clients "
            "%.0f us), bare SQLite %.0f inserts/s (p50 %.2f ms, CPU each %.0f us): %.2f; load %s\n",
            run + 1, f.gate_per_s.back(), f.gate_p50.back(), f.gate_p99.back(), f.gate_cpu_us.back(),
            f.client_cpu_us.back(), f.sqlite_per_s.back(), f.sqlite_p50.back(), f.sqlite_cpu_us.back(),
            f.gate_per_s.back() / f.sqlite_per_s.back(), load_average().c_str());
    }
    return f;
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

close_figures measure_close(options const& opt, bench_bundle const& b, fs::path const& work) {
    close_figures f;
    f.pledges = opt.pledges;
    auto const prepared = work / "close-prepared";
    import_into(opt, b, prepared, work);
    std::vector<std::string> ids;
    auto const populate_start = clock_type::now();
    say("populating the campaign with %zu confirmed pledges: the gate's store in this process, without fsync "
        "...\n",
        opt.pledges);
    ids = populate_in_process(prepared, opt.pledges, 1000);
    f.populate_seconds = seconds_since(populate_start);
    {
        // No provider: the close is measured, not the charge run that a provider would start.
        gate_server server(opt.gate, prepared, b.gate_key, work / "serve-populate.err");
        say("populated: %zu pledges in %.1f s (%.0f/s)\n", opt.pledges, f.populate_seconds,
            static_cast<double>(opt.pledges) / f.populate_seconds);
        // The server takes those rows as its own: the same key and body again is answered from the store.
        for (std::size_t n : {std::size_t{0}, opt.pledges / 2, opt.pledges - 1}) {
            connection conn(server.port());
            auto const res =
                conn.exchange(pledge_request_bytes(server.port(), "close-" + std::to_string(n), n));
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
    std::error_code ec;
    f.db_mib = static_cast<double>(fs::file_size(prepared / "gate.db", ec)) / (1024.0 * 1024.0);
    ids.erase(std::remove(ids.begin(), ids.end(), std::string()), ids.end());
    if (ids.empty()) {
        throw bench_error("no pledge id was kept from the populating run");
    }

    for (int run = 0; run < opt.runs; ++run) {
        // Each run closes its own copy: the reference first, on a copy of its own.
        auto const ref_dir = work / ("close-ref-" + std::to_string(run));
        fs::copy(prepared, ref_dir, fs::copy_options::recursive);
        std::uint64_t backers = 0;
        f.reference_s.push_back(sqlite_close(ref_dir / "gate.db", backers));
        fs::remove_all(ref_dir);

        auto const dir = work / ("close-" + std::to_string(run));
        fs::copy(prepared, dir, fs::copy_options::recursive);
        auto const closed = bench::run_measured(opt.gate, {"close", "--data", dir.string(), campaign_id},
                                                work / "close-out.txt", work / "close-err.txt");
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

        gate_server server(opt.gate, dir, b.gate_key, work / "serve-close.err");
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
        fs::remove_all(dir);
        say("close run %d: sluice-gate close %.3f s (peak RSS %.1f MiB, %s), bare SQLite close %.3f s; first "
            "GET "
            "%.2f ms, second %.2f ms, campaign status %.1f ms; load %s\n",
            run + 1, f.close_s.back(), f.close_rss_mib.back(), f.state.c_str(), f.reference_s.back(),
            f.first_get_ms.back(), f.second_get_ms.back(), f.status_ms.back(), load_average().c_str());
    }
    return f;
}

// ---------------------------------------------------------------------------------------------------------
// The driver

options parse_args(int argc, char** argv) {
    options opt;
    bench::arg_reader args(argc, argv);
    while (args.next()) {
        if (args.is("--only")) {
            opt.only = args.choice({"rate", "close"});
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

int run(options const& opt) {
    if (opt.json) {
        bench::progress_to_stderr();
    }
    bench::temp_dir work("sluice-gate-bench");
    auto const bundle = make_bundle(opt, work.path(), opt.pledges);
    say("gate: %s\nwork folder: %s (fsync-bound: the same filesystem for the gate and the references)\n",
        opt.gate.c_str(), work.path().c_str());
    std::optional<rate_figures> rate;
    std::optional<close_figures> close;
    if (opt.only.empty() || opt.only == "rate") {
        rate = measure_rate(opt, bundle, work.path());
    }
    if (opt.only.empty() || opt.only == "close") {
        close = measure_close(opt, bundle, work.path());
    }

    if (opt.json) {
        json j{{"runs", opt.runs}, {"clients", opt.clients}};
        if (rate) {
            j["rate"] = {{"pledgesPerRun", opt.rate_pledges},
                         {"gatePledgesPerSecond", rate->gate_per_s},
                         {"gateP50Ms", rate->gate_p50},
                         {"gateP99Ms", rate->gate_p99},
                         {"gateCpuMicrosecondsPerPledge", rate->gate_cpu_us},
                         {"clientCpuMicrosecondsPerPledge", rate->client_cpu_us},
                         {"sqliteCpuMicrosecondsPerInsert", rate->sqlite_cpu_us},
                         {"sqliteInsertsPerSecond", rate->sqlite_per_s},
                         {"sqliteP50Ms", rate->sqlite_p50},
                         {"sqliteP99Ms", rate->sqlite_p99},
                         {"ratio", rate->ratio()},
                         {"goal", rate_goal}};
        }
        if (close) {
            j["close"] = {{"pledges", close->pledges},
                          {"populateSeconds", close->populate_seconds},
                          {"populateServeVmHWMMiB", close->populate_rss_mib},
                          {"databaseMiB", close->db_mib},
                          {"openCampaignStatusMs", close->open_status_ms},
                          {"state", close->state},
                          {"closeSeconds", close->close_s},
                          {"closePeakRssMiB", close->close_rss_mib},
                          {"sqliteCloseSeconds", close->reference_s},
                          {"firstPledgeGetMs", close->first_get_ms},
                          {"secondPledgeGetMs", close->second_get_ms},
                          {"campaignStatusMs", close->status_ms}};
        }
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    if (rate) {
        std::printf("\npledges per second: %d clients, %zu pledges per run, median of %d runs\n", opt.clients,
                    opt.rate_pledges, opt.runs);
        std::printf("%-44s %10s %8s %8s %12s\n", "", "per second", "p50 ms", "p99 ms", "CPU us each");
        std::printf("%-44s %10.0f %8.2f %8.2f %12.0f\n", "sluice-gate serve, POST .../pledges",
                    median(rate->gate_per_s), median(rate->gate_p50), median(rate->gate_p99),
                    median(rate->gate_cpu_us));
        std::printf("%-44s %10s %8s %8s %12.0f\n",
                    ("  its " + std::to_string(opt.clients) + " HTTP clients (same machine)").c_str(), "", "",
                    "", median(rate->client_cpu_us));
        std::printf("%-44s %10.0f %8.2f %8.2f %12.0f\n", "bare SQLite insert (WAL, FULL, 1 per commit)",
                    median(rate->sqlite_per_s), median(rate->sqlite_p50), median(rate->sqlite_p99),
                    median(rate->sqlite_cpu_us));
        std::printf("sluice-gate / bare SQLite (median of the runs' ratios): %.3f (goal >= %.1f: %s)\n",
                    rate->ratio(), rate_goal, rate->ratio() >= rate_goal ? "met" : "MISSED");
    }
    if (close) {
        std::printf(
            "\nclosing a campaign of %zu pledges (populated by %s: %.1f s, %.0f/s; gate.db %.0f MiB), "
            "median of %d runs\n",
            close->pledges, "the gate's store, no fsync", close->populate_seconds,
            static_cast<double>(close->pledges) / close->populate_seconds, close->db_mib, opt.runs);
        std::printf("%-50s %12s\n", "", "median");
        std::printf("%-50s %10.3f s\n", ("sluice-gate close (" + close->state + ")").c_str(),
                    median(close->close_s));
        std::printf("%-50s %8.1f MiB\n", "  peak RSS of the close (wait4 ru_maxrss)",
                    median(close->close_rss_mib));
        std::printf("%-50s %10.3f s\n", "bare SQLite close (open, totals, update, commit)",
                    median(close->reference_s));
        std::printf("%-50s %9.2f ms\n",
                    close->state == "funded" ? "first GET of a pledge after close (confirmed)"
                                             : "first GET of a pledge after close (release)",
                    median(close->first_get_ms));
        std::printf("%-50s %9.2f ms\n", "second GET of the same pledge", median(close->second_get_ms));
        std::printf("%-50s %9.2f ms\n", "GET campaign, open (totals over every pledge)",
                    close->open_status_ms);
        std::printf("%-50s %9.2f ms\n", "GET campaign after close", median(close->status_ms));
        std::printf("%-50s %8.1f MiB\n", "serve VmHWM (after populating, or replays + GET)",
                    close->populate_rss_mib);
        std::printf("sluice-gate close / bare SQLite close: %.2fx the time\n",
                    median(close->close_s) / median(close->reference_s));
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    return bench::run_main("gate_bench", usage, argc, argv, [&] { return run(parse_args(argc, argv)); });
}
