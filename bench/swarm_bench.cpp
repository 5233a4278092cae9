// swarm_bench: streaming from a slow swarm, as real swarms are, against the peer streamers a user could have
// used instead, all in the same run on the same swarm over loopback.
//
// The swarm: N aria2c seeders of one file, each capped at an upload rate, most on an address of their own
// (127.0.0.2, .3, ...) and some behind one shared address. The viewer: a player reading one GET at the
// video's bitrate, buffering ahead as browsers do, that seeks after a few seconds of playback to a part
// nobody has fetched. For each program: the first byte, the stalls (and their total time) before the seek,
// the first byte after the seek and the stalls in the seconds after it, and its anonymous memory at the end.
// The floor is bare libtorrent's download rate from the same swarm.

#include "support/args.hpp"
#include "support/aria2_swarm.hpp"
#include "support/bench_file.hpp"
#include "support/bench_main.hpp"
#include "support/child_process.hpp"
#include "support/files.hpp"
#include "support/host_client.hpp"
#include "support/interrupt.hpp"
#include "support/js_streamers.hpp"
#include "support/paced_reader.hpp"
#include "support/processes.hpp"
#include "support/progress.hpp"
#include "support/stats.hpp"
#include "support/timing.hpp"

#include <boost/process/search_path.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
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
using namespace std::chrono_literals;
using bench::bench_error;
using bench::child_process;
using bench::host_client;
using bench::median;
using bench::ms_between;
using bench::say;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// The host as it ships, with uTP on: what users meet.
constexpr std::string_view host_config_shipped =
    R"({"session":{"dht":false,"lsd":false,"upnp":false,"natpmp":false,"utp":true,)"
    R"("listenInterfaces":"127.0.0.1:0"},"lingerSeconds":0})";

constexpr char const* usage =
    "usage: swarm_bench [--size-mib N] [--seeders N] [--shared N] [--seed-kbps N] [--bitrate-kbps N]\n"
    "                   [--play-s N] [--after-seek-s N] [--runs N] [--json] [--host PATH] [--lt-seed PATH]\n"
    "                   [--cache DIR] [--only NAME]\n"
    "  --size-mib N      size of the film (default: 256)\n"
    "  --seeders N       aria2c seeders (default: 8)\n"
    "  --shared N        of them, how many share 127.0.0.1 (default: 2)\n"
    "  --seed-kbps N     each seeder's upload cap, in kB/s of 1000 bytes (default: 1500)\n"
    "  --bitrate-kbps N  the video's bitrate, in kB/s (default: 4000, a 32 Mbit/s video)\n"
    "  --play-s N        seconds played before the seek (default: 8)\n"
    "  --after-seek-s N  seconds played after it (default: 10)\n"
    "  --runs N          runs per program (default: 3)\n"
    "  --json            one JSON object instead of the tables (progress goes to stderr)\n"
    "  --only NAME       measure only the programs whose name contains NAME (sluice-host, peerflix, ...)\n";

struct options {
    std::uint64_t size_mib = 256;
    int seeders = 8;
    int shared = 2;
    std::uint64_t seed_kbps = 1500;
    std::uint64_t bitrate_kbps = 4000;
    int play_s = 8;
    int after_seek_s = 10;
    int runs = 3;
    bool json = false;
    std::string only;
    fs::path host = SLUICE_BENCH_HOST_EXE;
    fs::path lt_seed = SLUICE_BENCH_LT_SEED_EXE;
    fs::path cache = SLUICE_BENCH_CACHE_DIR;

    double bitrate() const { return static_cast<double>(bitrate_kbps) * 1000; }
};

fs::path log_dir;

// One run of one program: play from the start, seek, play on.
struct run_figures {
    double first_byte_ms = 0;
    int stalls = 0;
    double stalled_s = 0;
    double seek_ms = 0;
    int seek_stalls = 0;
    double seek_stalled_s = 0;
    double anon_mib = 0;
};

// Where the viewer seeks: past anything a sequential reader could have fetched in the seconds played.
std::uint64_t seek_offset(bench::bench_file const& d) {
    return d.size / 10 * 7 / bench::bench_piece_size * bench::bench_piece_size;
}

void check_start(bench::paced_result const& r, bench::bench_file const& d, std::uint64_t from,
                 std::string const& who) {
    auto const expected = from == 0 ? 200 : 206;
    if (r.status != expected) {
        throw bench_error(who + " answered " + std::to_string(r.status) + ", not " +
                          std::to_string(expected));
    }
    if (r.head.empty() || r.head != d.read_at(from, r.head.size())) {
        throw bench_error(who + " sent bytes that are not the film's at offset " + std::to_string(from));
    }
}

// Plays `target` on `port` from the start, then seeks; `started` is when the program was started.
run_figures play_and_seek(options const& o, bench::bench_file const& d, std::uint16_t port,
                          std::string const& target, steady_clock::time_point started,
                          std::string const& who) {
    run_figures f;
    bench::paced_request req{.port = port,
                             .target = target,
                             .bytes_per_second = o.bitrate(),
                             .play_for = std::chrono::seconds(o.play_s)};
    // The streamers answer 404 (or 503) until they have the metadata: the player asks again, as a page would.
    auto first = bench::paced_get(req);
    while (first.status == 404 || first.status == 503) {
        if (steady_clock::now() - started > 120s) {
            throw bench_error(who + " served nothing within 120 s");
        }
        std::this_thread::sleep_for(10ms);
        first = bench::paced_get(req);
    }
    check_start(first, d, 0, who);
    f.first_byte_ms = ms_between(started, first.first_byte);
    f.stalls = first.stalls;
    f.stalled_s = first.stalled_seconds;

    req.range_from = seek_offset(d);
    req.play_for = std::chrono::seconds(o.after_seek_s);
    auto const after = bench::paced_get(req);
    check_start(after, d, *req.range_from, who);
    f.seek_ms = ms_between(after.sent, after.first_byte);
    f.seek_stalls = after.stalls;
    f.seek_stalled_s = after.stalled_seconds;
    return f;
}

class program {
public:
    virtual ~program() = default;
    virtual std::string name() const = 0;
    virtual run_figures run_once() = 0;
};

class sluice_program final : public program {
public:
    sluice_program(options const& o, bench::bench_file const& d, bench::aria2_swarm const& swarm,
                   std::string_view config, std::string label)
        : o_(o), d_(d), swarm_(swarm), config_(config), label_(std::move(label)) {}
    std::string name() const override { return label_; }

    run_figures run_once() override {
        host_client host(o_.host, config_); // the clock starts with the relay's process
        auto const hash = host.call("torrent.add", {{"uri", d_.magnet(swarm_.endpoints())},
                                                    {"savePath", host.downloads().string()}})["infoHash"]
                              .get<std::string>();
        auto const [port, target] = bench::split_url(host.stream_url(hash, 5ms));
        auto f = play_and_seek(o_, d_, port, target, host.started(), name());
        f.anon_mib = bench::memory_of(host.owner_pid()).anon_mib;
        return f;
    }

private:
    options const& o_;
    bench::bench_file const& d_;
    bench::aria2_swarm const& swarm_;
    std::string_view config_;
    std::string label_;
};

class node_program final : public program {
public:
    node_program(bench::js_streamer kind, fs::path install, options const& o, bench::bench_file const& d,
                 bench::aria2_swarm const& swarm)
        : kind_(kind), install_(std::move(install)), o_(o), d_(d), swarm_(swarm) {}
    std::string name() const override { return bench::js_streamer_name(kind_); }

    run_figures run_once() override {
        bench::temp_dir dir("swarm-bench-" + name());
        auto const port = bench::free_port();
        auto launch = bench::js_streamer_launch(kind_, install_, d_, swarm_.endpoints(), port, dir.path());
        child_process proc({.name = name(),
                            .exe = bp::search_path("node").string(),
                            .args = std::move(launch.args),
                            .log = log_dir / (name() + ".log"),
                            .cwd = dir.path()});
        // Both answer HTTP only once they have the metadata: the player asks until they do.
        bench::wait_for_port(port, 120s);
        auto f = play_and_seek(o_, d_, port, launch.target, proc.started(), name());
        f.anon_mib = bench::tree_memory(proc.pid()).anon_mib;
        return f;
    }

private:
    bench::js_streamer kind_;
    fs::path install_;
    options const& o_;
    bench::bench_file const& d_;
    bench::aria2_swarm const& swarm_;
};

// Bare libtorrent fetching the whole film from the swarm: the rate the swarm gives a client that only
// downloads.
double floor_rate(options const& o, bench::bench_file const& d, bench::aria2_swarm const& swarm) {
    bench::temp_dir dir("swarm-bench-lt");
    child_process proc({.name = "lt_seed fetch",
                        .exe = o.lt_seed,
                        .args = {"fetch", d.magnet(swarm.endpoints()), dir.path().string()},
                        .log = log_dir / "lt_seed-fetch.log",
                        .read_stdout = true});
    auto const limit =
        milliseconds(static_cast<long>(3 * d.size / swarm.total_upload_bytes_per_s() * 1000) + 60'000);
    auto const report = nlohmann::json::parse(proc.read_line(limit).value_or(""), nullptr, false);
    if (!report.is_object() || !report.contains("ms")) {
        throw bench_error("lt_seed fetch from the swarm failed: " + bench::tail_of_file(proc.log(), 1000));
    }
    return static_cast<double>(d.size) / (report["ms"].get<double>() / 1000);
}

options parse_args(int argc, char** argv) {
    options o;
    bench::arg_reader args(argc, argv);
    while (args.next()) {
        if (args.is("--size-mib")) {
            o.size_mib = args.number(16, 16 * 1024);
        } else if (args.is("--seeders")) {
            o.seeders = static_cast<int>(args.number(1, 200));
        } else if (args.is("--shared")) {
            o.shared = static_cast<int>(args.number(0, 200));
        } else if (args.is("--seed-kbps")) {
            o.seed_kbps = args.number(10, 10'000'000);
        } else if (args.is("--bitrate-kbps")) {
            o.bitrate_kbps = args.number(10, 10'000'000);
        } else if (args.is("--play-s")) {
            o.play_s = static_cast<int>(args.number(1, 600));
        } else if (args.is("--after-seek-s")) {
            o.after_seek_s = static_cast<int>(args.number(1, 600));
        } else if (args.is("--runs")) {
            o.runs = static_cast<int>(args.number(1, 100));
        } else if (args.is("--json")) {
            o.json = true;
        } else if (args.is("--host")) {
            o.host = args.value();
        } else if (args.is("--lt-seed")) {
            o.lt_seed = args.value();
        } else if (args.is("--cache")) {
            o.cache = args.value();
        } else if (args.is("--only")) {
            o.only = args.value();
        } else {
            args.unknown();
        }
    }
    if (o.shared > o.seeders) {
        throw bench_error("--shared cannot be more than --seeders");
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
    fs::create_directories(o.cache);
    auto const d = bench::prepare_bench_file(o.cache, o.size_mib);
    bench::temp_dir logs("swarm-bench-logs");
    log_dir = logs.path();
    bench::aria2_swarm swarm({.torrent_file = d.torrent_file,
                              .data_dir = d.dir,
                              .seeders = o.seeders,
                              .shared = o.shared,
                              .upload_bytes_per_s = o.seed_kbps * 1000,
                              .log_dir = log_dir});
    say("swarm: %d aria2c seeders (%d behind 127.0.0.1) at %.1f MB/s each, %.1f MB/s in all; the video at "
        "%.1f "
        "MB/s (%.1fx)\n",
        o.seeders, o.shared, o.seed_kbps / 1000.0, swarm.total_upload_bytes_per_s() / 1e6, o.bitrate() / 1e6,
        swarm.total_upload_bytes_per_s() / o.bitrate());

    auto const floor = floor_rate(o, d, swarm);
    say("floor: bare libtorrent fetched the film from the swarm at %.1f MB/s\n", floor / 1e6);

    std::vector<std::unique_ptr<program>> programs;
    programs.push_back(
        std::make_unique<sluice_program>(o, d, swarm, bench::offline_host_config, "sluice-host (uTP off)"));
    programs.push_back(std::make_unique<sluice_program>(o, d, swarm, host_config_shipped, "sluice-host"));
    auto const install = o.cache / "streamers";
    if (auto const problem = bench::install_js_streamers(install)) {
        say("peerflix and webtorrent-cli are not measured: %s\n", problem->c_str());
    } else {
        programs.push_back(
            std::make_unique<node_program>(bench::js_streamer::peerflix, install, o, d, swarm));
        programs.push_back(
            std::make_unique<node_program>(bench::js_streamer::webtorrent, install, o, d, swarm));
    }

    std::erase_if(programs, [&](auto const& p) { return p->name().find(o.only) == std::string::npos; });
    if (programs.empty()) {
        throw bench_error("no program's name contains \"" + o.only + "\"");
    }

    std::map<std::string, std::vector<run_figures>> figures;
    for (int run = 1; run <= o.runs; ++run) {
        for (auto const& p : programs) {
            bench::check_interrupted();
            auto const f = p->run_once();
            say("run %d %-22s first byte %6.0f ms, %d stall(s) %.1f s; seek %6.0f ms, %d stall(s) %.1f s; "
                "anon %.0f MiB\n",
                run, p->name().c_str(), f.first_byte_ms, f.stalls, f.stalled_s, f.seek_ms, f.seek_stalls,
                f.seek_stalled_s, f.anon_mib);
            figures[p->name()].push_back(f);
        }
    }

    nlohmann::json out = {{"floorMBps", bench::round_to(floor / 1e6, 1)},
                          {"swarmMBps", bench::round_to(swarm.total_upload_bytes_per_s() / 1e6, 1)},
                          {"bitrateMBps", o.bitrate() / 1e6},
                          {"programs", nlohmann::json::object()}};
    auto const pick = [](std::vector<run_figures> const& runs, auto field) {
        std::vector<double> v;
        for (auto const& r : runs) {
            v.push_back(static_cast<double>(r.*field));
        }
        return v;
    };
    if (!o.json) {
        std::printf("\n%-22s %10s %8s %9s %9s %8s %9s %9s\n", "program", "first ms", "stalls", "stalled s",
                    "seek ms", "stalls", "stalled s", "anon MiB");
    }
    for (auto const& [name, runs] : figures) {
        auto const row = nlohmann::json{{"firstByteMs", median(pick(runs, &run_figures::first_byte_ms))},
                                        {"stalls", median(pick(runs, &run_figures::stalls))},
                                        {"stalledS", median(pick(runs, &run_figures::stalled_s))},
                                        {"seekMs", median(pick(runs, &run_figures::seek_ms))},
                                        {"seekStalls", median(pick(runs, &run_figures::seek_stalls))},
                                        {"seekStalledS", median(pick(runs, &run_figures::seek_stalled_s))},
                                        {"anonMiB", median(pick(runs, &run_figures::anon_mib))}};
        out["programs"][name] = row;
        if (!o.json) {
            std::printf("%-22s %10.0f %8.1f %9.1f %9.0f %8.1f %9.1f %9.0f\n", name.c_str(),
                        row["firstByteMs"].get<double>(), row["stalls"].get<double>(),
                        row["stalledS"].get<double>(), row["seekMs"].get<double>(),
                        row["seekStalls"].get<double>(), row["seekStalledS"].get<double>(),
                        row["anonMiB"].get<double>());
        }
    }
    // The goal: as fast as the best peer streamer to the first byte and after the seek.
    for (auto const* what : {"firstByteMs", "seekMs"}) {
        std::optional<double> best;
        for (auto const& [name, row] : out["programs"].items()) {
            if (!name.starts_with("sluice-host")) {
                best = std::min(best.value_or(row[what].get<double>()), row[what].get<double>());
            }
        }
        if (best && *best > 0 && out["programs"].contains("sluice-host")) {
            auto const ratio = out["programs"]["sluice-host"][what].get<double>() / *best;
            out["ratios"][what] = bench::round_to(ratio, 2);
            if (!o.json) {
                std::printf("%s: sluice-host / best peer streamer = %.2f\n", what, ratio);
            }
        }
    }
    if (o.json) {
        std::printf("%s\n", out.dump(2).c_str());
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    return bench::run_main("swarm_bench", usage, argc, argv, [&] {
        bench::install_interrupt_handlers();
        bench::become_subreaper();
        return run(parse_args(argc, argv));
    });
}
