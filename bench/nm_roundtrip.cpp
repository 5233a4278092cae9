// nm_roundtrip: what a native-messaging round trip through sluice-host costs compared with a bare pipe.
//
// Starts frame_echo and then sluice-host over pipes, as a browser would, and times N sequential host.hello
// round trips against each: one request frame out, the one reply frame back. The two figures side by side
// show the price of the host's decoding, dispatch and relay through the session owner.

#include "support/args.hpp"
#include "support/bench_main.hpp"
#include "support/host_sandbox.hpp"
#include "support/native_messaging.hpp"
#include "support/processes.hpp"
#include "support/stats.hpp"

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <thread>
#include <unistd.h>
#include <vector>

#ifndef SLUICE_BENCH_HOST_EXE
#define SLUICE_BENCH_HOST_EXE ""
#endif
#ifndef SLUICE_BENCH_ECHO_EXE
#define SLUICE_BENCH_ECHO_EXE ""
#endif

namespace {

namespace bench = sluice::bench;
namespace bp = boost::process;
namespace fs = std::filesystem;
using std::chrono::steady_clock;

// Browsers refuse larger frames from a host, so anything bigger is a broken stream, not a reply.
constexpr std::uint32_t max_reply_bytes = 1024 * 1024;
// The first sluice-host reply waits for the owner to start; every later one should take microseconds.
constexpr auto stall_limit = std::chrono::seconds(20);
constexpr auto exit_limit = std::chrono::seconds(5);

// Keeps the owner off the network: the benchmark must measure the pipe and the socket, nothing else.
constexpr std::string_view sandbox_config =
    R"({"session":{"dht":false,"lsd":false,"upnp":false,"natpmp":false,"listenInterfaces":"127.0.0.1:0"}})";

constexpr char const* usage =
    "usage: nm_roundtrip [--host PATH] [--echo PATH] [--count N] [--warmup N] [--json]\n"
    "  --host PATH   the sluice-host binary (default: " SLUICE_BENCH_HOST_EXE ")\n"
    "  --echo PATH   the frame_echo binary (default: " SLUICE_BENCH_ECHO_EXE ")\n"
    "  --count N     measured round trips per target (default: 20000)\n"
    "  --warmup N    unmeasured round trips first (default: 200)\n"
    "  --json        print the figures as one JSON object instead of a table\n";

using bench::bench_error;
using bench::host_sandbox;
using bench::make_frame;
using bench::round_to;
using bench::write_all;

struct options {
    fs::path host = SLUICE_BENCH_HOST_EXE;
    fs::path echo = SLUICE_BENCH_ECHO_EXE;
    std::size_t count = 20000;
    std::size_t warmup = 200;
    bool json = false;
};

struct figures {
    double round_trips_per_second = 0;
    double p50_us = 0;
    double p99_us = 0;
};

options parse_args(int argc, char** argv) {
    options o;
    bench::arg_reader args(argc, argv);
    while (args.next()) {
        if (args.is("--host")) {
            o.host = args.value();
        } else if (args.is("--echo")) {
            o.echo = args.value();
        } else if (args.is("--count")) {
            o.count = args.number(1, 100'000'000);
        } else if (args.is("--warmup")) {
            o.warmup = args.number(0, 100'000'000);
        } else if (args.is("--json")) {
            o.json = true;
        } else {
            args.unknown();
        }
    }
    for (auto const* p : {&o.host, &o.echo}) {
        if (p->empty() || !fs::is_regular_file(*p)) {
            throw bench_error("no program at \"" + p->string() + "\"; pass --host and --echo");
        }
    }
    return o;
}

std::string hello_body(std::size_t id) {
    return nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "host.hello"}}.dump();
}

// Kills the target if it stops answering, so a hung host fails the run instead of blocking it forever. The
// whole process group goes: a helper the target started could otherwise keep our end of the pipe open.
class watchdog {
public:
    explicit watchdog(pid_t pid)
        : thread_([this, pid](std::stop_token stop) {
              std::mutex m;
              std::unique_lock lock(m);
              auto seen = progress_.load(std::memory_order_relaxed);
              auto last_change = steady_clock::now();
              while (!stop.stop_requested()) {
                  wake_.wait_for(lock, stop, std::chrono::milliseconds(100), [] { return false; });
                  auto const now_seen = progress_.load(std::memory_order_relaxed);
                  if (now_seen != seen) {
                      seen = now_seen;
                      last_change = steady_clock::now();
                  } else if (steady_clock::now() - last_change > stall_limit) {
                      fired_ = true;
                      ::kill(-pid, SIGKILL);
                      return;
                  }
              }
          }) {}

    void tick() { progress_.fetch_add(1, std::memory_order_relaxed); }
    bool fired() const { return fired_; }

private:
    std::atomic<std::uint64_t> progress_{0};
    std::atomic<bool> fired_{false};
    std::condition_variable_any wake_;
    std::jthread thread_; // last: it must stop before the members it reads go away
};

// Nearest rank: a latency that some round trip really had, never an interpolation between two.
double percentile_us(std::vector<std::int64_t> const& sorted_ns, double q) {
    return static_cast<double>(bench::nearest_rank(sorted_ns, q)) / 1000.0;
}

void check_echo_replies(std::vector<std::string> const& requests, std::vector<std::string> const& replies) {
    for (std::size_t i = 0; i < replies.size(); ++i) {
        if (replies[i] != requests[i]) {
            throw bench_error("frame_echo reply " + std::to_string(i + 1) + " differs from its request");
        }
    }
}

void check_host_replies(std::vector<std::string> const& replies) {
    for (std::size_t i = 0; i < replies.size(); ++i) {
        auto const reply = nlohmann::json::parse(replies[i], nullptr, false);
        auto const id = i + 1;
        auto const shown = replies[i].substr(0, 300);
        if (!reply.is_object() || !reply.contains("id") || reply["id"] != id) {
            throw bench_error("sluice-host reply " + std::to_string(id) + " is not the answer to request " +
                              std::to_string(id) + ": " + shown);
        }
        if (!reply.contains("result") || !reply["result"].is_object()) {
            throw bench_error("sluice-host reply " + std::to_string(id) + " has no result: " + shown);
        }
    }
}

struct target {
    char const* name;
    fs::path exe;
    bool is_host;
};

// The target gets a process group of its own, which is what lets the watchdog take down all of it.
bp::child spawn(target const& t, host_sandbox const* box, bp::pipe& to_child, bp::pipe& from_child) {
    auto const own_group = [](auto&) { ::setpgid(0, 0); };
    auto const in = (bp::std_in < to_child);
    auto const out = (bp::std_out > from_child);
    if (box == nullptr) {
        return bp::child(bp::exe = t.exe.string(), in, out, bp::extend::on_exec_setup = own_group);
    }
    return bp::child(bp::exe = t.exe.string(), in, out, bp::std_err > box->stderr_file().string(),
                     bp::env["XDG_RUNTIME_DIR"] = box->runtime_dir().string(),
                     bp::env["XDG_DATA_HOME"] = box->data_home().string(),
                     bp::extend::on_exec_setup = own_group);
}

figures measure(target const& t, host_sandbox const* box, std::vector<std::string> const& bodies,
                std::vector<std::string> const& frames, options const& o) {
    bp::pipe to_child;
    bp::pipe from_child;
    auto child = spawn(t, box, to_child, from_child);

    std::vector<std::string> replies(frames.size());
    std::vector<std::int64_t> latencies_ns(o.count);
    steady_clock::time_point start;
    steady_clock::time_point end;
    {
        watchdog guard(child.id());
        try {
            for (std::size_t i = 0; i < frames.size(); ++i) {
                if (i == o.warmup) {
                    start = steady_clock::now();
                }
                auto const t0 = steady_clock::now();
                write_all(to_child, frames[i]);
                bench::read_frame(from_child, replies[i], max_reply_bytes);
                auto const t1 = steady_clock::now();
                if (i >= o.warmup) {
                    latencies_ns[i - o.warmup] =
                        std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
                }
                guard.tick();
            }
            end = steady_clock::now();
        } catch (std::exception const& e) {
            if (guard.fired()) {
                throw bench_error(std::string(t.name) + " stopped answering for " +
                                  std::to_string(stall_limit.count()) + " s; killed it");
            }
            throw bench_error(std::string(t.name) + ": " + e.what());
        }
    }

    // Closing stdin is how a browser says goodbye: the program must finish on its own, and in time.
    to_child.close();
    std::string rest;
    char buffer[4096];
    while (auto const n = from_child.read(buffer, sizeof buffer)) {
        rest.append(buffer, static_cast<std::size_t>(n));
    }
    auto const deadline = steady_clock::now() + exit_limit;
    while (child.running() && steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (child.running()) {
        child.terminate();
        throw bench_error(std::string(t.name) + " did not exit after its stdin closed; killed it");
    }
    if (child.exit_code() != 0) {
        throw bench_error(std::string(t.name) + " exited with code " + std::to_string(child.exit_code()));
    }
    if (!rest.empty()) {
        throw bench_error(std::string(t.name) + " wrote " + std::to_string(rest.size()) +
                          " bytes nobody asked for");
    }

    if (t.is_host) {
        check_host_replies(replies);
    } else {
        check_echo_replies(bodies, replies);
    }

    std::sort(latencies_ns.begin(), latencies_ns.end());
    auto const seconds = std::chrono::duration<double>(end - start).count();
    return {.round_trips_per_second = static_cast<double>(o.count) / seconds,
            .p50_us = percentile_us(latencies_ns, 0.50),
            .p99_us = percentile_us(latencies_ns, 0.99)};
}

figures run_target(target const& t, std::vector<std::string> const& bodies,
                   std::vector<std::string> const& frames, options const& o) {
    if (!t.is_host) {
        return measure(t, nullptr, bodies, frames, o);
    }
    host_sandbox box(sandbox_config);
    try {
        auto const result = measure(t, &box, bodies, frames, o);
        box.wait_for_owners();
        return result;
    } catch (...) {
        box.wait_for_owners();
        box.dump_logs();
        throw;
    }
}

nlohmann::json to_json(figures const& f) {
    return {{"roundTripsPerSecond", round_to(f.round_trips_per_second, 0)},
            {"p50Us", round_to(f.p50_us, 1)},
            {"p99Us", round_to(f.p99_us, 1)}};
}

int run(options const& o) {
    std::vector<std::string> bodies;
    std::vector<std::string> frames;
    bodies.reserve(o.warmup + o.count);
    frames.reserve(o.warmup + o.count);
    for (std::size_t id = 1; id <= o.warmup + o.count; ++id) {
        bodies.push_back(hello_body(id));
        frames.push_back(make_frame(bodies.back()));
    }

    auto const echo = run_target({"frame_echo", o.echo, false}, bodies, frames, o);
    auto const host = run_target({"sluice-host", o.host, true}, bodies, frames, o);
    auto const latency_ratio = host.p50_us / echo.p50_us;
    auto const throughput_ratio = echo.round_trips_per_second / host.round_trips_per_second;

    if (o.json) {
        nlohmann::json const out{{"count", o.count},
                                 {"warmup", o.warmup},
                                 {"echo", to_json(echo)},
                                 {"host", to_json(host)},
                                 {"ratios",
                                  {{"p50HostOverEcho", round_to(latency_ratio, 2)},
                                   {"roundTripsEchoOverHost", round_to(throughput_ratio, 2)}}}};
        std::printf("%s\n", out.dump().c_str());
        return 0;
    }
    std::printf("nm_roundtrip: %zu sequential host.hello round trips per target, after %zu warm-up\n\n",
                o.count, o.warmup);
    std::printf("%-12s %12s %10s %10s\n", "target", "rt/s", "p50 us", "p99 us");
    for (auto const& [name, f] : {std::pair{"frame_echo", echo}, std::pair{"sluice-host", host}}) {
        std::printf("%-12s %12.0f %10.1f %10.1f\n", name, f.round_trips_per_second, f.p50_us, f.p99_us);
    }
    std::printf("\nsluice-host p50 / echo p50:   %.2fx\n", latency_ratio);
    std::printf("echo rt/s / sluice-host rt/s: %.2fx\n", throughput_ratio);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    return bench::run_main("nm_roundtrip", usage, argc, argv, [&] {
        bench::become_subreaper();
        return run(parse_args(argc, argv));
    });
}
