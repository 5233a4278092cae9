// stream_bench: what streaming and downloading through sluice-host cost next to the programs a user could
// have used instead, each measured in the same run on the same data over loopback.
//
//   nginx       a complete file streamed by the host (it seeds it) against nginx serving the same file
//   first-byte  torrent.add of a magnet to the first byte of a stream, from offset 0 and from the middle,
//               against a bare libtorrent session fetching the same piece from the same seed
//   aria2       a whole download from an aria2c seed, against a bare libtorrent client
//   streamers   first byte, seek, stream throughput and peak memory against peerflix and webtorrent-cli
//
// The 1 GiB file and its .torrent are made once and kept in the cache folder, as is the npm install of the
// two streamers (with the files of bench/js/streamers/); everything else (sandboxes, downloads, servers)
// lives and dies with the run.

#include "support/args.hpp"
#include "support/bench_file.hpp"
#include "support/bench_main.hpp"
#include "support/child_process.hpp"
#include "support/files.hpp"
#include "support/host_client.hpp"
#include "support/interrupt.hpp"
#include "support/js_streamers.hpp"
#include "support/loopback_http.hpp"
#include "support/processes.hpp"
#include "support/progress.hpp"
#include "support/random_bytes.hpp"
#include "support/stats.hpp"
#include "support/timing.hpp"

#include <sluice/protocol/keys.hpp>

#include <boost/process/search_path.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/file_storage.hpp>
#include <libtorrent/torrent_info.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fcntl.h>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

#ifndef SLUICE_BENCH_HOST_EXE
#define SLUICE_BENCH_HOST_EXE ""
#endif
#ifndef SLUICE_BENCH_LT_SEED_EXE
#define SLUICE_BENCH_LT_SEED_EXE ""
#endif
#ifndef SLUICE_BENCH_CACHE_DIR
#define SLUICE_BENCH_CACHE_DIR "build/bench-cache"
#endif

namespace {

namespace bench = sluice::bench;
namespace bp = boost::process;
namespace fs = std::filesystem;
namespace lt = libtorrent;
namespace protocol = sluice::protocol;
using namespace std::chrono_literals;
using bench::bench_error;
using bench::child_process;
using bench::host_client;
using bench::http_request;
using bench::http_response;
using bench::median;
using bench::mega;
using bench::ms_between;
using bench::percent_encode;
using bench::rounded;
using bench::say;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// The host as it ships, with uTP on: what users meet. Otherwise as bench::offline_host_config.
constexpr std::string_view host_config_shipped_utp =
    R"({"session":{"dht":false,"lsd":false,"upnp":false,"natpmp":false,"utp":true,)"
    R"("listenInterfaces":"127.0.0.1:0"},"lingerSeconds":0})";

constexpr int piece_size = bench::bench_piece_size;
constexpr std::size_t sample_bytes = 4096;

constexpr char const* usage =
    "usage: stream_bench [--size-mib N] [--runs N] [--only nginx|first-byte|aria2|streamers] [--json]\n"
    "                    [--host PATH] [--lt-seed PATH] [--cache DIR]\n"
    "  --size-mib N   size of the test file (default: 1024)\n"
    "  --runs N       measured runs per figure (default: 3 for throughput and the streamers, 5 for the\n"
    "                 first-byte latencies)\n"
    "  --only NAME    run one part only\n"
    "  --json         print the figures as one JSON object instead of the tables (progress goes to stderr)\n"
    "  --host PATH    the sluice-host binary (default: " SLUICE_BENCH_HOST_EXE ")\n"
    "  --lt-seed PATH the lt_seed helper (default: " SLUICE_BENCH_LT_SEED_EXE ")\n"
    "  --cache DIR    where the test file and the npm packages are kept (default: " SLUICE_BENCH_CACHE_DIR
    ")\n";

struct options {
    std::uint64_t size_mib = 1024;
    std::optional<int> runs;
    std::string only;
    bool json = false;
    fs::path host = SLUICE_BENCH_HOST_EXE;
    fs::path lt_seed = SLUICE_BENCH_LT_SEED_EXE;
    fs::path cache = SLUICE_BENCH_CACHE_DIR;

    int runs_or(int fallback) const { return runs.value_or(fallback); }
};

// ---- the test data ----

using data_set = bench::bench_file;

// A stream is only a figure if it carried the right bytes: the length, and samples at both ends.
void check_body(http_response const& r, data_set const& d, std::uint64_t from, bool whole,
                std::string const& who) {
    auto const expected_status = from == 0 ? 200 : 206;
    if (r.status != expected_status) {
        throw bench_error(who + " answered " + std::to_string(r.status) + ", not " +
                          std::to_string(expected_status));
    }
    if (r.head.empty() || r.head != d.read_at(from, r.head.size())) {
        throw bench_error(who + " sent bytes that are not the file's at offset " + std::to_string(from));
    }
    if (whole) {
        if (r.body_bytes != d.size - from) {
            throw bench_error(who + " sent " + std::to_string(r.body_bytes) + " bytes of " +
                              std::to_string(d.size - from));
        }
        if (r.tail != d.read_at(d.size - r.tail.size(), r.tail.size())) {
            throw bench_error(who + " sent a wrong end of the file");
        }
    }
}

// ---- the seeds ----

fs::path log_dir;

// lt_seed in seed mode: announces its port only once the torrent is in its session.
class lt_seed_process {
public:
    lt_seed_process(options const& o, data_set const& d)
        : proc_({.name = "lt_seed",
                 .exe = o.lt_seed,
                 .args = {"seed", d.torrent_file.string(), d.dir.string()},
                 .log = log_dir / "lt_seed.log",
                 .read_stdout = true}) {
        auto const line = proc_.read_line(60s);
        auto const ready = nlohmann::json::parse(line.value_or(""), nullptr, false);
        if (!ready.is_object() || ready.value("event", "") != "ready") {
            throw bench_error("lt_seed did not start: " + line.value_or("(nothing)") + " " +
                              bench::tail_of_file(proc_.log(), 2000));
        }
        port_ = ready["port"].get<int>();
    }
    std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
    int port() const { return port_; }

private:
    child_process proc_;
    int port_ = 0;
};

// A one-shot lt_seed (fetch or first-piece) into a folder of its own, and its one JSON report.
nlohmann::json run_lt_client(options const& o, std::string const& mode, std::string const& uri,
                             std::vector<std::string> const& more, milliseconds limit) {
    bench::temp_dir dir("stream-bench-lt");
    std::vector<std::string> args{mode, uri, dir.path().string()};
    args.insert(args.end(), more.begin(), more.end());
    child_process proc({.name = "lt_seed " + mode,
                        .exe = o.lt_seed,
                        .args = std::move(args),
                        .log = log_dir / ("lt_seed-" + mode + ".log"),
                        .read_stdout = true});
    auto const line = proc.read_line(limit);
    auto const report = nlohmann::json::parse(line.value_or(""), nullptr, false);
    if (!report.is_object() || !report.contains("ms")) {
        throw bench_error("lt_seed " + mode + " failed: " + line.value_or("(nothing)"));
    }
    proc.wait_for_exit(10s);
    return report;
}

// ---- results ----

struct row {
    std::string what;
    std::string unit;
    bool higher_is_better = false;
    std::optional<double> host;
    std::optional<double> reference;
    std::string reference_name;
    std::string goal; // printed
    std::function<bool(double host, double ratio)> goal_met{};
    std::string note{};

    std::optional<double> ratio() const {
        if (!host || !reference || *reference == 0) {
            return std::nullopt;
        }
        return *host / *reference;
    }
    std::optional<bool> met() const {
        if (!goal_met || !host || !ratio()) {
            return std::nullopt;
        }
        return goal_met(*host, *ratio());
    }
};

struct report {
    std::vector<row> rows;
    nlohmann::json details = nlohmann::json::object();
    std::vector<std::string> failures;
};

// ---- 1: a complete file, host against nginx ----

std::string nginx_conf(fs::path const& prefix, fs::path const& root, std::uint16_t port) {
    std::ostringstream c;
    if (::geteuid() == 0) {
        c << "user root;\n"; // the workers must read the cache under /work or /root
    }
    c << "worker_processes 1;\n"
      << "pid " << (prefix / "nginx.pid").string() << ";\n"
      << "error_log " << (prefix / "error.log").string() << " warn;\n"
      << "events { worker_connections 64; }\n"
      << "http {\n"
      << "    access_log off;\n"
      << "    sendfile on;\n"
      << "    tcp_nopush on;\n"
      << "    default_type application/octet-stream;\n";
    for (auto const* kind : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
        c << "    " << kind << "_temp_path " << (prefix / "tmp" / kind).string() << ";\n";
    }
    c << "    server {\n"
      << "        listen 127.0.0.1:" << port << ";\n"
      << "        root " << root.string() << ";\n"
      << "    }\n"
      << "}\n";
    return c.str();
}

void section_nginx(options const& o, data_set const& d, report& rep) {
    int const runs = o.runs_or(3);
    say("\n== 1. complete-file stream: sluice-host (seeding) against nginx, %d runs ==\n", runs);
    auto const nginx_exe = bp::search_path("nginx");
    if (nginx_exe.empty()) {
        throw bench_error("nginx is not installed (apt-get install nginx-light)");
    }
    bench::temp_dir prefix("stream-bench-nginx");
    fs::create_directories(prefix / "tmp");
    auto const nginx_port = bench::free_port();
    bench::write_text(prefix / "nginx.conf", nginx_conf(prefix.path(), d.dir, nginx_port));
    child_process nginx({.name = "nginx",
                         .exe = nginx_exe.string(),
                         .args = {"-p", prefix.path().string(), "-c", (prefix / "nginx.conf").string(), "-e",
                                  (prefix / "error.log").string(), "-g", "daemon off;"},
                         .log = log_dir / "nginx.log"});
    if (!bench::wait_for_port(nginx_port, 10s)) {
        throw bench_error("nginx did not listen: " + bench::tail_of_file(prefix / "error.log", 2000));
    }
    http_request const nginx_req{.port = nginx_port, .target = "/" + percent_encode(d.name)};

    host_client host(o.host);
    host.call("host.hello");
    auto const t0 = steady_clock::now();
    auto const hash =
        host.call("torrent.add",
                  {{"torrent", protocol::to_base64(d.torrent_bytes)}, {"savePath", d.dir.string()}},
                  60s)["infoHash"]
            .get<std::string>();
    // No resume data: the host checks every piece of the file on disk before it seeds.
    for (;;) {
        bench::check_interrupted();
        auto const st = host.status_of(hash);
        if (st["progress"].get<double>() >= 1.0 && st["state"] == "seeding") {
            break;
        }
        if (st["state"] == "error" || steady_clock::now() - t0 > 300s) {
            throw bench_error("the host did not seed the file: " + st.dump());
        }
        std::this_thread::sleep_for(50ms);
    }
    say("host checked the file and seeds it after %.1f s\n", ms_between(t0, steady_clock::now()) / 1000);
    auto const [host_port, host_target] = bench::split_url(host.stream_url(hash, 10ms));
    http_request const host_req{.port = host_port, .target = host_target};

    // One unmeasured read each: the file's pages are in the cache for both, and both servers are warm.
    check_body(bench::http_get(nginx_req), d, 0, true, "nginx");
    check_body(bench::http_get(host_req), d, 0, true, "sluice-host");

    std::vector<double> host_mbps;
    std::vector<double> nginx_mbps;
    for (int run = 1; run <= runs; ++run) {
        bench::check_interrupted();
        auto const n = bench::http_get(nginx_req);
        check_body(n, d, 0, true, "nginx");
        auto const h = bench::http_get(host_req);
        check_body(h, d, 0, true, "sluice-host");
        nginx_mbps.push_back(n.mb_per_s());
        host_mbps.push_back(h.mb_per_s());
        say("run %d: nginx %7.0f MB/s   sluice-host %7.0f MB/s\n", run, nginx_mbps.back(), host_mbps.back());
    }
    rep.details["nginx"] = {{"hostMBps", rounded(host_mbps, 0)}, {"nginxMBps", rounded(nginx_mbps, 0)}};
    rep.rows.push_back({.what = "complete file, full GET",
                        .unit = "MB/s",
                        .higher_is_better = true,
                        .host = median(host_mbps),
                        .reference = median(nginx_mbps),
                        .reference_name = "nginx",
                        .goal = "ratio >= 0.90",
                        .goal_met = [](double, double ratio) { return ratio >= 0.9; }});
}

// ---- 2: first byte and seek after torrent.add ----

struct first_byte_run {
    double add_ms = 0;      // torrent.add answered
    double metadata_ms = 0; // torrent.files had the stream URL
    double first_byte_ms = 0;
};

// From the torrent.add of a magnet on a running host to the first body byte of the stream from `from`.
first_byte_run host_first_byte(options const& o, data_set const& d, lt_seed_process const& seed,
                               std::uint64_t from, std::string_view config = bench::offline_host_config) {
    host_client host(o.host, config);
    host.call("host.hello"); // the owner is up: only the add is timed
    first_byte_run r;
    auto const t0 = steady_clock::now();
    auto const hash = host.call("torrent.add", {{"uri", d.magnet({seed.endpoint()})},
                                                {"savePath", host.downloads().string()}})["infoHash"]
                          .get<std::string>();
    r.add_ms = ms_between(t0, steady_clock::now());
    auto const url = host.stream_url(hash, 5ms);
    r.metadata_ms = ms_between(t0, steady_clock::now());
    auto const [port, target] = bench::split_url(url);
    auto const resp = bench::http_get({.port = port,
                                       .target = target,
                                       .range_from = from ? std::optional(from) : std::nullopt,
                                       .max_body = sample_bytes});
    check_body(resp, d, from, false, "sluice-host");
    r.first_byte_ms = ms_between(t0, resp.first_byte);
    return r;
}

void section_first_byte(options const& o, data_set const& d, lt_seed_process const& seed, report& rep) {
    int const runs = o.runs_or(5);
    auto const middle = d.size / 2;
    auto const middle_piece = static_cast<int>(middle / piece_size);
    say("\n== 2. first byte after torrent.add of a magnet (seed: lt_seed on %s), %d runs ==\n",
        seed.endpoint().c_str(), runs);
    say("reference: a bare libtorrent session (tick_interval 100 ms, as the host) adding the same magnet "
        "and\n"
        "setting a deadline on the piece as soon as the metadata is in, until that piece verifies\n");
    std::vector<double> host_first;
    std::vector<double> host_seek;
    std::vector<double> bare_first;
    std::vector<double> bare_seek;
    auto const magnet = d.magnet({seed.endpoint()});
    for (int run = 1; run <= runs; ++run) {
        bench::check_interrupted();
        auto const h0 = host_first_byte(o, d, seed, 0);
        auto const b0 = run_lt_client(o, "first-piece", magnet, {"0"}, 60s);
        auto const hm = host_first_byte(o, d, seed, middle);
        auto const bm = run_lt_client(o, "first-piece", magnet, {std::to_string(middle_piece)}, 60s);
        host_first.push_back(h0.first_byte_ms);
        host_seek.push_back(hm.first_byte_ms);
        bare_first.push_back(b0["ms"].get<double>());
        bare_seek.push_back(bm["ms"].get<double>());
        say("run %d: offset 0: host %4.0f ms (add %.1f, metadata %.0f)  bare %4.0f ms (metadata %.0f) | "
            "middle: host %4.0f ms (metadata %.0f)  bare %4.0f ms\n",
            run, h0.first_byte_ms, h0.add_ms, h0.metadata_ms, bare_first.back(),
            b0["metadataMs"].get<double>(), hm.first_byte_ms, hm.metadata_ms, bare_seek.back());
    }
    rep.details["firstByte"] = {{"hostMs", rounded(host_first, 1)},
                                {"bareMs", rounded(bare_first, 1)},
                                {"hostSeekMs", rounded(host_seek, 1)},
                                {"bareSeekMs", rounded(bare_seek, 1)},
                                {"seekOffset", middle}};
    rep.rows.push_back({.what = "first byte after torrent.add",
                        .unit = "ms",
                        .host = median(host_first),
                        .reference = median(bare_first),
                        .reference_name = "bare libtorrent",
                        .goal = "<= 150 ms",
                        .goal_met = [](double host, double) { return host <= 150; }});
    rep.rows.push_back({.what = "seek: first byte at the middle",
                        .unit = "ms",
                        .host = median(host_seek),
                        .reference = median(bare_seek),
                        .reference_name = "bare libtorrent",
                        .goal = "<= 250 ms",
                        .goal_met = [](double host, double) { return host <= 250; }});
}

// With uTP on, as users have it, against a seed that speaks TCP only (aria2c, many seedboxes, a client with
// uTP off): libtorrent as it ships dials uTP first and tries TCP only when uTP's connect times out.
void section_first_byte_utp(options const& o, data_set const& d, lt_seed_process const& seed, report& rep) {
    int const runs = o.runs_or(3);
    say("\n== 2b. first byte with uTP on, from a TCP-only seed (lt_seed on %s), %d runs ==\n",
        seed.endpoint().c_str(), runs);
    say("reference: a bare libtorrent session with uTP on as libtorrent ships it, as in 2\n");
    std::vector<double> host_first;
    std::vector<double> bare_first;
    for (int run = 1; run <= runs; ++run) {
        bench::check_interrupted();
        auto const h = host_first_byte(o, d, seed, 0, host_config_shipped_utp);
        auto const b = run_lt_client(o, "first-piece", d.magnet({seed.endpoint()}), {"0", "--utp"}, 60s);
        host_first.push_back(h.first_byte_ms);
        bare_first.push_back(b["ms"].get<double>());
        say("run %d: host %5.0f ms (metadata %.0f)  bare %5.0f ms (metadata %.0f)\n", run, h.first_byte_ms,
            h.metadata_ms, bare_first.back(), b["metadataMs"].get<double>());
    }
    rep.details["firstByteUtpOn"] = {{"hostMs", rounded(host_first, 1)}, {"bareMs", rounded(bare_first, 1)}};
    rep.rows.push_back({.what = "first byte, uTP on, TCP-only seed",
                        .unit = "ms",
                        .host = median(host_first),
                        .reference = median(bare_first),
                        .reference_name = "bare libtorrent, uTP on",
                        .goal = "<= 150 ms",
                        .goal_met = [](double host, double) { return host <= 150; }});
}

// ---- 3: whole downloads from aria2c ----

// aria2c seeding the file, asked over its RPC interface until it really seeds: a peer that connects before
// is turned away for good, with no tracker or DHT to bring it back.
class aria2_seed {
public:
    aria2_seed(data_set const& d)
        : dir_("stream-bench-aria2"), port_(bench::free_port()), rpc_port_(bench::free_port()),
          secret_(std::to_string(std::random_device{}())),
          proc_({.name = "aria2c",
                 .exe = find("aria2c"),
                 .args = {"--no-conf=true", "--seed-ratio=0.0", "--bt-seed-unverified=true",
                          "--check-integrity=false", "--enable-dht=false", "--enable-dht6=false",
                          "--bt-enable-lpd=false", "--enable-peer-exchange=false", "--interface=127.0.0.1",
                          "--listen-port=" + std::to_string(port_), "--dir=" + d.dir.string(),
                          "--enable-rpc=true", "--rpc-listen-all=false",
                          "--rpc-listen-port=" + std::to_string(rpc_port_), "--rpc-secret=" + secret_,
                          "--auto-save-interval=0", "--file-allocation=none", "--summary-interval=0",
                          "--console-log-level=warn", "--log=" + (dir_ / "aria2.log").string(),
                          "--log-level=notice",
                          // Should the driver die without unwinding, aria2c leaves by itself.
                          "--stop-with-process=" + std::to_string(::getpid()), d.torrent_file.string()},
                 .log = log_dir / "aria2c.log",
                 .cwd = dir_.path()}) {
        auto const params =
            protocol::to_base64(R"(["token:)" + secret_ + R"(",["gid","status","seeder","numSeeders"]])");
        auto const target = "/jsonrpc?method=aria2.tellActive&id=bench&params=" + percent_encode(params);
        auto const deadline = steady_clock::now() + 30s;
        for (;;) {
            auto const r =
                bench::http_get({.port = rpc_port_, .target = target, .keep = 64 * 1024, .timeout = 5s});
            if (!r.refused && r.status == 200) {
                auto const j = nlohmann::json::parse(r.head, nullptr, false);
                if (j.is_object() && j.contains("result") && !j["result"].empty() &&
                    j["result"][0].value("seeder", "") == "true" &&
                    j["result"][0].value("status", "") == "active") {
                    break;
                }
            }
            if (steady_clock::now() > deadline || !proc_.running()) {
                throw bench_error("aria2c did not start seeding: " + bench::tail_of_file(proc_.log(), 2000));
            }
            std::this_thread::sleep_for(50ms);
        }
    }
    std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

private:
    static fs::path find(std::string const& name) {
        auto const exe = bp::search_path(name);
        if (exe.empty()) {
            throw bench_error(name + " is not installed (apt-get install aria2)");
        }
        return exe.string();
    }

    bench::temp_dir dir_;
    std::uint16_t port_;
    std::uint16_t rpc_port_;
    std::string secret_;
    child_process proc_;
};

struct download_times {
    double ms = 0;          // from the add to complete
    double metadata_ms = 0; // from the add to the metadata, on the same 50 ms grid
};

// From the torrent.add of a magnet to a torrent.list that says the download is complete, polled every 50 ms.
download_times host_download(options const& o, data_set const& d, std::string const& peer) {
    host_client host(o.host);
    host.call("host.hello");
    auto const t0 = steady_clock::now();
    auto const hash = host.call("torrent.add", {{"uri", d.magnet({peer})},
                                                {"savePath", host.downloads().string()}})["infoHash"]
                          .get<std::string>();
    std::optional<double> metadata_ms;
    for (;;) {
        bench::check_interrupted();
        std::this_thread::sleep_for(50ms);
        auto const st = host.status_of(hash);
        if (!metadata_ms && st.value("hasMetadata", false)) {
            metadata_ms = ms_between(t0, steady_clock::now());
        }
        if (st["progress"].get<double>() >= 1.0) {
            auto const ms = ms_between(t0, steady_clock::now());
            auto const file = host.downloads() / d.name;
            std::error_code ec;
            if (fs::file_size(file, ec) != d.size) {
                throw bench_error("the host says it is done, but " + file.string() + " is not complete");
            }
            return {.ms = ms, .metadata_ms = metadata_ms.value_or(ms)};
        }
        if (st["state"] == "error" || steady_clock::now() - t0 > 300s) {
            throw bench_error("the host's download did not finish: " + st.dump());
        }
    }
}

void section_aria2(options const& o, data_set const& d, report& rep) {
    int const runs = o.runs_or(5);
    aria2_seed seed(d);
    say("\n== 3. whole download from an aria2c seed on %s: sluice-host against a bare libtorrent client, "
        "%d runs ==\n",
        seed.endpoint().c_str(), runs);
    // aria2c waits a varying 0.3-0.9 s before it sends to a new peer; the rate after the metadata leaves that
    // wait out and is the steadier figure of the two.
    say("MB/s counts from torrent.add to complete; \"after metadata\" from the metadata to complete\n");
    auto const mb = static_cast<double>(d.size) / mega;
    std::vector<double> host_mbps;
    std::vector<double> bare_mbps;
    std::vector<double> host_transfer_mbps;
    std::vector<double> bare_transfer_mbps;
    for (int run = 1; run <= runs; ++run) {
        bench::check_interrupted();
        // Alternating who goes first keeps a drift of the machine from favouring either.
        download_times host;
        download_times bare;
        auto const fetch_bare = [&] {
            auto const r = run_lt_client(o, "fetch", d.magnet({seed.endpoint()}), {"--poll-ms", "50"}, 330s);
            bare = {.ms = r["ms"].get<double>(), .metadata_ms = r["metadataMs"].get<double>()};
        };
        if (run % 2 == 1) {
            host = host_download(o, d, seed.endpoint());
            fetch_bare();
        } else {
            fetch_bare();
            host = host_download(o, d, seed.endpoint());
        }
        host_mbps.push_back(mb / (host.ms / 1000));
        bare_mbps.push_back(mb / (bare.ms / 1000));
        host_transfer_mbps.push_back(mb / ((host.ms - host.metadata_ms) / 1000));
        bare_transfer_mbps.push_back(mb / ((bare.ms - bare.metadata_ms) / 1000));
        say("run %d: sluice-host %.2f s (%4.0f MB/s; metadata %.2f s, after it %4.0f MB/s)   "
            "bare libtorrent %.2f s (%4.0f MB/s; metadata %.2f s, after it %4.0f MB/s)\n",
            run, host.ms / 1000, host_mbps.back(), host.metadata_ms / 1000, host_transfer_mbps.back(),
            bare.ms / 1000, bare_mbps.back(), bare.metadata_ms / 1000, bare_transfer_mbps.back());
    }
    rep.details["aria2"] = {{"hostMBps", rounded(host_mbps, 0)},
                            {"bareMBps", rounded(bare_mbps, 0)},
                            {"hostAfterMetadataMBps", rounded(host_transfer_mbps, 0)},
                            {"bareAfterMetadataMBps", rounded(bare_transfer_mbps, 0)}};
    rep.rows.push_back({.what = "download from aria2c",
                        .unit = "MB/s",
                        .higher_is_better = true,
                        .host = median(host_mbps),
                        .reference = median(bare_mbps),
                        .reference_name = "bare libtorrent",
                        .goal = "ratio >= 0.95",
                        .goal_met = [](double, double ratio) { return ratio >= 0.95; }});
    rep.rows.push_back({.what = "  the same, after the metadata",
                        .unit = "MB/s",
                        .higher_is_better = true,
                        .host = median(host_transfer_mbps),
                        .reference = median(bare_transfer_mbps),
                        .reference_name = "bare libtorrent",
                        .goal = "-"});
}

// ---- 4: against peerflix and webtorrent-cli ----

struct streamer_figures {
    std::vector<double> first_byte_ms;
    std::vector<double> seek_ms;
    std::vector<double> stream_mbps;
    std::vector<double> rss_mib;
    std::vector<double> anon_mib;
    std::string error;
};

// One of the three programs, started from scratch for each measurement; the clock starts with the process.
class streamer {
public:
    virtual ~streamer() = default;
    virtual std::string name() const = 0;

    struct result {
        double first_byte_ms = 0;
        double stream_mbps = 0;
        bench::memory_figures memory;
    };
    // Start, GET from `from` (the whole rest when `whole`), and the figures.
    virtual result measure(std::uint64_t from, bool whole) = 0;
};

// GETs `req` until the server answers with a file (it may not listen yet, or say 404 before the metadata).
http_response poll_get(http_request req, child_process& proc, milliseconds limit) {
    auto const deadline = steady_clock::now() + limit;
    for (;;) {
        auto r = bench::http_get(req);
        if (!r.refused && r.status != 404 && r.status != 503) {
            return r;
        }
        if (!proc.running()) {
            throw bench_error(proc.name() + " exited: " + bench::tail_of_file(proc.log(), 1500));
        }
        bench::check_interrupted();
        if (steady_clock::now() > deadline) {
            throw bench_error(proc.name() + " served nothing within " + std::to_string(limit.count() / 1000) +
                              " s");
        }
        std::this_thread::sleep_for(10ms);
    }
}

class sluice_streamer final : public streamer {
public:
    sluice_streamer(options const& o, data_set const& d, lt_seed_process const& seed)
        : o_(o), d_(d), seed_(seed) {}
    std::string name() const override { return "sluice-host"; }

    result measure(std::uint64_t from, bool whole) override {
        host_client host(o_.host); // the clock starts here, with the relay's process
        auto const hash = host.call("torrent.add", {{"uri", d_.magnet({seed_.endpoint()})},
                                                    {"savePath", host.downloads().string()}})["infoHash"]
                              .get<std::string>();
        auto const [port, target] = bench::split_url(host.stream_url(hash, 5ms));
        auto const r =
            bench::http_get({.port = port,
                             .target = target,
                             .range_from = from ? std::optional(from) : std::nullopt,
                             .max_body = whole ? std::numeric_limits<std::uint64_t>::max() : sample_bytes});
        check_body(r, d_, from, whole, name());
        return {.first_byte_ms = ms_between(host.started(), r.first_byte),
                .stream_mbps =
                    static_cast<double>(r.body_bytes) / mega / (ms_between(r.first_byte, r.done) / 1000),
                .memory = bench::memory_of(host.owner_pid())};
    }

private:
    options const& o_;
    data_set const& d_;
    lt_seed_process const& seed_;
};

class node_streamer final : public streamer {
public:
    node_streamer(bench::js_streamer kind, fs::path install, data_set const& d, lt_seed_process const& seed)
        : kind_(kind), install_(std::move(install)), d_(d), seed_(seed) {}
    std::string name() const override { return bench::js_streamer_name(kind_); }

    result measure(std::uint64_t from, bool whole) override {
        bench::temp_dir dir("stream-bench-" + name());
        auto const port = bench::free_port();
        auto launch = bench::js_streamer_launch(kind_, install_, d_, {seed_.endpoint()}, port, dir.path());
        child_process proc({.name = name(),
                            .exe = bp::search_path("node").string(),
                            .args = std::move(launch.args),
                            .log = log_dir / (name() + ".log"),
                            .cwd = dir.path()});
        auto const r =
            poll_get({.port = port,
                      .target = launch.target,
                      .range_from = from ? std::optional(from) : std::nullopt,
                      .max_body = whole ? std::numeric_limits<std::uint64_t>::max() : sample_bytes},
                     proc, 120s);
        check_body(r, d_, from, whole, name());
        return {.first_byte_ms = ms_between(proc.started(), r.first_byte),
                .stream_mbps =
                    static_cast<double>(r.body_bytes) / mega / (ms_between(r.first_byte, r.done) / 1000),
                .memory = bench::tree_memory(proc.pid())};
    }

private:
    bench::js_streamer kind_;
    fs::path install_;
    data_set const& d_;
    lt_seed_process const& seed_;
};

void section_streamers(options const& o, data_set const& d, lt_seed_process const& seed, report& rep) {
    int const runs = o.runs_or(3);
    say("\n== 4. against peerflix and webtorrent-cli (seed: lt_seed on %s), %d runs ==\n",
        seed.endpoint().c_str(), runs);
    // The seed verifies each piece the first time it sends it (seed_mode); one full fetch first, so that no
    // streamer pays for the seed's hashing. Its speed is the bare libtorrent-to-libtorrent figure.
    auto const warm = run_lt_client(o, "fetch", d.magnet({seed.endpoint()}), {"--poll-ms", "50"}, 330s);
    auto const bare_mbps = static_cast<double>(d.size) / mega / (warm["ms"].get<double>() / 1000);
    say("warm-up: a bare libtorrent client fetched the whole file from lt_seed at %.0f MB/s\n", bare_mbps);
    rep.details["bareFromLtSeedMBps"] = bench::round_to(bare_mbps, 0);

    auto const install = o.cache / "streamers";
    auto const problem = bench::install_js_streamers(install);
    std::vector<std::unique_ptr<streamer>> programs;
    programs.push_back(std::make_unique<sluice_streamer>(o, d, seed));
    if (problem) {
        say("peerflix and webtorrent-cli are not measured: %s\n", problem->c_str());
    } else {
        programs.push_back(std::make_unique<node_streamer>(bench::js_streamer::peerflix, install, d, seed));
        programs.push_back(std::make_unique<node_streamer>(bench::js_streamer::webtorrent, install, d, seed));
    }
    std::map<std::string, streamer_figures> figures;
    say("first byte and seek count from starting the program; sluice-host and webtorrent get the magnet "
        "link,\n"
        "peerflix the .torrent and the seed's address; stream MB/s counts from the first byte to the last\n");
    for (int run = 1; run <= runs; ++run) {
        // Rotating the order spreads any drift of the machine over all three.
        for (std::size_t k = 0; k < programs.size(); ++k) {
            auto& p = *programs[(k + static_cast<std::size_t>(run) - 1) % programs.size()];
            auto& f = figures[p.name()];
            if (!f.error.empty()) {
                continue;
            }
            try {
                auto const full = p.measure(0, true);
                auto const seek = p.measure(d.size / 2, false);
                f.first_byte_ms.push_back(full.first_byte_ms);
                f.stream_mbps.push_back(full.stream_mbps);
                f.rss_mib.push_back(full.memory.peak_rss_mib);
                f.anon_mib.push_back(full.memory.anon_mib);
                f.seek_ms.push_back(seek.first_byte_ms);
                say("run %d: %-11s first byte %5.0f ms   seek %5.0f ms   stream %5.0f MB/s   peak RSS %5.0f "
                    "MiB "
                    "(anon %.0f)\n",
                    run, p.name().c_str(), full.first_byte_ms, seek.first_byte_ms, full.stream_mbps,
                    full.memory.peak_rss_mib, full.memory.anon_mib);
            } catch (std::exception const& e) {
                bench::check_interrupted();
                f.error = e.what();
                say("run %d: %-11s failed: %s\n", run, p.name().c_str(), e.what());
            }
        }
    }

    auto const cell = [&](std::string const& name, auto member) -> std::optional<double> {
        auto const it = figures.find(name);
        if (it == figures.end() || (it->second.*member).empty()) {
            return std::nullopt;
        }
        return median(it->second.*member);
    };
    auto const show = [](std::optional<double> v) {
        char buf[32];
        if (!v) {
            return std::string("-");
        }
        std::snprintf(buf, sizeof buf, "%.0f", *v);
        return std::string(buf);
    };
    say("\n%-36s %12s %12s %12s\n", "medians", "sluice-host", "peerflix", "webtorrent");
    struct metric {
        char const* label;
        char const* unit;
        std::vector<double> streamer_figures::*member;
        bool higher_is_better;
    };
    std::vector<metric> const metrics{
        {"launch to first byte", "ms", &streamer_figures::first_byte_ms, false},
        {"launch to first byte at middle", "ms", &streamer_figures::seek_ms, false},
        {"full stream", "MB/s", &streamer_figures::stream_mbps, true},
        {"peak RSS (VmHWM)", "MiB", &streamer_figures::rss_mib, false},
        {"anon RSS after the stream", "MiB", &streamer_figures::anon_mib, false}};
    for (auto const& m : metrics) {
        say("%-36s %12s %12s %12s\n", (std::string(m.label) + " (" + m.unit + ")").c_str(),
            show(cell("sluice-host", m.member)).c_str(), show(cell("peerflix", m.member)).c_str(),
            show(cell("webtorrent", m.member)).c_str());
    }
    auto details = nlohmann::json::object();
    for (auto const& [name, f] : figures) {
        details[name] = {{"firstByteMs", rounded(f.first_byte_ms, 1)},
                         {"seekMs", rounded(f.seek_ms, 1)},
                         {"streamMBps", rounded(f.stream_mbps, 0)},
                         {"peakRssMiB", rounded(f.rss_mib, 0)},
                         {"anonRssMiB", rounded(f.anon_mib, 0)}};
        if (!f.error.empty()) {
            details[name]["error"] = f.error;
        }
    }
    rep.details["streamers"] = details;
    for (auto const* other : {"peerflix", "webtorrent"}) {
        std::string note;
        if (problem) {
            note = "not measured: " + problem->substr(0, 60);
        } else if (!figures[other].error.empty()) {
            note = std::string(other) + " failed";
        }
        for (auto const& m : metrics) {
            rep.rows.push_back({.what = m.label,
                                .unit = m.unit,
                                .higher_is_better = m.higher_is_better,
                                .host = cell("sluice-host", m.member),
                                .reference = cell(other, m.member),
                                .reference_name = other,
                                .goal = "-",
                                .note = note});
        }
    }
    if (!figures["sluice-host"].error.empty()) {
        throw bench_error("sluice-host failed against the streamers: " + figures["sluice-host"].error);
    }
}

// ---- output ----

std::string figure_text(std::optional<double> v, std::string const& unit) {
    if (!v || std::isnan(*v)) {
        return "-";
    }
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.0f %s", *v, unit.c_str());
    return buf;
}

void print_table(report const& rep) {
    std::printf("\n== summary (medians; ratio = sluice-host / reference) ==\n");
    std::printf("%-32s %12s %12s %-16s %6s %-14s %s\n", "what", "sluice-host", "reference", "reference is",
                "ratio", "goal", "met");
    for (auto const& r : rep.rows) {
        char ratio[16] = "-";
        if (auto const q = r.ratio()) {
            std::snprintf(ratio, sizeof ratio, "%.3f", *q);
        }
        auto const met = r.met();
        std::string const verdict = !r.note.empty() ? r.note : !met ? "-" : *met ? "met" : "NOT MET";
        std::printf("%-32s %12s %12s %-16s %6s %-14s %s\n", r.what.c_str(),
                    figure_text(r.host, r.unit).c_str(), figure_text(r.reference, r.unit).c_str(),
                    r.reference_name.c_str(), ratio, r.goal.c_str(), verdict.c_str());
    }
    for (auto const& f : rep.failures) {
        std::printf("FAILED: %s\n", f.c_str());
    }
}

nlohmann::json to_json(report const& rep, options const& o) {
    auto rows = nlohmann::json::array();
    for (auto const& r : rep.rows) {
        nlohmann::json j{
            {"what", r.what}, {"unit", r.unit}, {"reference", r.reference_name}, {"goal", r.goal}};
        j["sluiceHost"] = r.host ? nlohmann::json(bench::round_to(*r.host, 1)) : nlohmann::json();
        j["referenceValue"] =
            r.reference ? nlohmann::json(bench::round_to(*r.reference, 1)) : nlohmann::json();
        j["ratio"] = r.ratio() ? nlohmann::json(bench::round_to(*r.ratio(), 3)) : nlohmann::json();
        j["met"] = r.met() ? nlohmann::json(*r.met()) : nlohmann::json();
        if (!r.note.empty()) {
            j["note"] = r.note;
        }
        rows.push_back(std::move(j));
    }
    return {{"sizeMiB", o.size_mib}, {"summary", rows}, {"details", rep.details}, {"failures", rep.failures}};
}

// ---- driver ----

options parse_args(int argc, char** argv) {
    options o;
    bench::arg_reader args(argc, argv);
    while (args.next()) {
        if (args.is("--size-mib")) {
            o.size_mib = args.number(8, 64 * 1024);
        } else if (args.is("--runs")) {
            o.runs = static_cast<int>(args.number(1, 1000));
        } else if (args.is("--only")) {
            o.only = args.choice({"nginx", "first-byte", "aria2", "streamers"});
        } else if (args.is("--json")) {
            o.json = true;
        } else if (args.is("--host")) {
            o.host = args.value();
        } else if (args.is("--lt-seed")) {
            o.lt_seed = args.value();
        } else if (args.is("--cache")) {
            o.cache = args.value();
        } else {
            args.unknown();
        }
    }
    for (auto const* p : {&o.host, &o.lt_seed}) {
        if (p->empty() || !fs::is_regular_file(*p)) {
            throw bench_error("no program at \"" + p->string() + "\"; pass --host and --lt-seed");
        }
    }
    o.cache = fs::absolute(o.cache);
    return o;
}

int run(options const& o) {
    if (o.json) {
        bench::progress_to_stderr();
    }
    auto const t0 = steady_clock::now();
    say("stream_bench: sluice-host %s, a %llu MiB file, loopback only\n", o.host.c_str(),
        static_cast<unsigned long long>(o.size_mib));
    fs::create_directories(o.cache);
    auto const data = bench::prepare_bench_file(o.cache, o.size_mib);
    bench::temp_dir logs("stream-bench-logs");
    log_dir = logs.path();

    report rep;
    auto const wanted = [&](char const* name) { return o.only.empty() || o.only == name; };
    auto const attempt = [&](char const* name, auto&& body) {
        if (!wanted(name) || bench::interrupted()) {
            return;
        }
        try {
            body();
        } catch (std::exception const& e) {
            rep.failures.push_back(std::string(name) + ": " + e.what());
            say("%s failed: %s\n", name, e.what());
        }
    };
    attempt("nginx", [&] { section_nginx(o, data, rep); });
    // One loopback seed serves parts 2 and 4; it idles through part 3.
    std::optional<lt_seed_process> seed;
    if (wanted("first-byte") || wanted("streamers")) {
        try {
            seed.emplace(o, data);
        } catch (std::exception const& e) {
            rep.failures.push_back(std::string("lt_seed: ") + e.what());
            say("lt_seed failed: %s\n", e.what());
        }
    }
    if (seed) {
        attempt("first-byte", [&] { section_first_byte(o, data, *seed, rep); });
        attempt("first-byte", [&] { section_first_byte_utp(o, data, *seed, rep); });
    }
    attempt("aria2", [&] { section_aria2(o, data, rep); });
    if (seed) {
        attempt("streamers", [&] { section_streamers(o, data, *seed, rep); });
    }
    say("\nstream_bench: %.0f s in all\n", ms_between(t0, steady_clock::now()) / 1000);
    if (o.json) {
        std::printf("%s\n", to_json(rep, o).dump().c_str());
    } else {
        print_table(rep);
    }
    if (bench::interrupted()) {
        return 130;
    }
    return rep.failures.empty() ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    return bench::run_main("stream_bench", usage, argc, argv, [&] {
        bench::install_interrupt_handlers();
        bench::become_subreaper();
        return run(parse_args(argc, argv));
    });
}
