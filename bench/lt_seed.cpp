// lt_seed: a bare libtorrent session for stream_bench, in a process of its own so that its CPU and memory are
// never mistaken for the driver's. Three modes:
//
//   lt_seed seed TORRENT SAVE_DIR            seeds TORRENT (seed_mode: the data is taken as complete) until
//                                            its stdin closes or a signal comes
//   lt_seed fetch URI SAVE_DIR               downloads URI (a magnet link or a .torrent path) and reports how
//                                            long it took, polling the status as often as stream_bench polls
//                                            the host's torrent.list
//   lt_seed first-piece URI SAVE_DIR PIECE   downloads until PIECE verifies, with a deadline on it from the
//                                            moment the metadata arrives: the floor under the host's first
//                                            byte; with --utp, uTP on as libtorrent ships it
//                                            (dialled first, TCP after its connect timeout)
//
// All modes use TCP on 127.0.0.1 only (but first-piece --utp), without DHT, LSD, UPnP or NAT-PMP: the
// loopback settings of the tests' own seed (tests/support/loopback_settings.hpp). Every report is one JSON
// line on stdout: {"event":"ready",...}, {"event":"done",...}, {"event":"piece",...} or
// {"event":"error",...}.

#include "loopback_settings.hpp"
#include "support/args.hpp"
#include "support/bench_main.hpp"

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/magnet_uri.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

namespace lt = libtorrent;
using sluice::bench::usage_error;
using std::chrono::steady_clock;

constexpr char const* usage =
    "usage: lt_seed seed TORRENT SAVE_DIR\n"
    "       lt_seed fetch URI SAVE_DIR [--poll-ms N] [--timeout S]\n"
    "       lt_seed first-piece URI SAVE_DIR PIECE [--tick-ms N] [--timeout S] [--utp]\n";

std::atomic<bool> stop_requested{false};

extern "C" void on_signal(int) {
    stop_requested.store(true);
}

void emit(nlohmann::json const& line) {
    std::printf("%s\n", line.dump().c_str());
    std::fflush(stdout);
}

double ms_since(steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(steady_clock::now() - start).count();
}

lt::settings_pack loopback_settings() {
    return sluice::testing::loopback_settings(lt::alert_category::error | lt::alert_category::status |
                                              lt::alert_category::piece_progress);
}

// The same start as the host's torrent.add: neither queued nor paused.
void start_immediately(lt::add_torrent_params& p) {
    p.flags &= ~lt::torrent_flags::auto_managed;
    p.flags &= ~lt::torrent_flags::paused;
}

lt::add_torrent_params params_for(std::string const& uri, std::string const& save_dir) {
    lt::add_torrent_params p;
    if (uri.starts_with("magnet:")) {
        lt::error_code ec;
        p = lt::parse_magnet_uri(uri, ec);
        if (ec) {
            throw std::runtime_error("bad magnet link: " + ec.message());
        }
    } else {
        p.ti = std::make_shared<lt::torrent_info>(uri);
    }
    p.save_path = save_dir;
    start_immediately(p);
    return p;
}

void report_errors(std::vector<lt::alert*> const& alerts) {
    for (auto const* a : alerts) {
        if ((a->category() & lt::alert_category::error) != lt::alert_category_t{}) {
            std::fprintf(stderr, "lt_seed: %s: %s\n", a->what(), a->message().c_str());
        }
    }
}

// Watching stdin only makes sense when a parent holds its other end; run by hand with </dev/null, the seed
// waits for a signal instead.
bool stdin_is_a_lifeline() {
    struct stat st {};
    return ::fstat(STDIN_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || ::isatty(0));
}

bool stdin_closed() {
    pollfd pfd{STDIN_FILENO, POLLIN, 0};
    if (::poll(&pfd, 1, 0) <= 0) {
        return false;
    }
    char buffer[256];
    auto const n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    return n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN);
}

int run_seed(std::string const& torrent, std::string const& save_dir) {
    auto pack = loopback_settings();
    // Every streamer of a run connects from 127.0.0.1; some reconnect before the old connection is gone.
    pack.set_bool(lt::settings_pack::allow_multiple_connections_per_ip, true);
    lt::session session(std::move(pack));
    auto p = params_for(torrent, save_dir);
    p.flags |= lt::torrent_flags::seed_mode;
    auto const h = session.add_torrent(std::move(p));

    // A peer that connects before the torrent accepts peers is turned away ("torrent is not ready to accept
    // peers") and, counted as a failure, comes back only a minute later: only announce the port once the
    // torrent is checked (it reports seeding a little before that) and the port is open.
    auto const deadline = steady_clock::now() + std::chrono::seconds(30);
    bool checked = false;
    while (!(checked && session.listen_port() != 0)) {
        if (steady_clock::now() > deadline || stop_requested.load()) {
            emit({{"event", "error"}, {"message", "the torrent did not start seeding within 30 s"}});
            return 1;
        }
        session.wait_for_alert(std::chrono::milliseconds(5));
        std::vector<lt::alert*> alerts;
        session.pop_alerts(&alerts);
        report_errors(alerts);
        for (auto const* a : alerts) {
            checked = checked || lt::alert_cast<lt::torrent_checked_alert>(a) != nullptr;
        }
    }
    std::ostringstream hash;
    hash << h.info_hashes().v1;
    emit({{"event", "ready"}, {"port", session.listen_port()}, {"infoHash", hash.str()}});

    bool const watch_stdin = stdin_is_a_lifeline();
    while (!stop_requested.load() && !(watch_stdin && stdin_closed())) {
        if (session.wait_for_alert(std::chrono::milliseconds(100))) {
            std::vector<lt::alert*> alerts;
            session.pop_alerts(&alerts);
            report_errors(alerts);
        }
    }
    emit({{"event", "stopped"}, {"uploaded", h.status().total_payload_upload}});
    return 0;
}

int run_fetch(std::string const& uri, std::string const& save_dir, int poll_ms, int timeout_s) {
    lt::session session(loopback_settings());
    auto p = params_for(uri, save_dir);
    auto const start = steady_clock::now();
    auto const h = session.add_torrent(std::move(p));
    auto const deadline = start + std::chrono::seconds(timeout_s);
    std::optional<double> metadata_ms;
    for (;;) {
        // The status is sampled on the same 50 ms grid stream_bench uses for the host, so both figures carry
        // the same rounding.
        std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
        auto const st = h.status();
        if (!metadata_ms && st.has_metadata) {
            metadata_ms = ms_since(start);
        }
        if (st.has_metadata && (st.is_finished || st.progress >= 1.0f)) {
            auto const ms = ms_since(start);
            emit({{"event", "done"},
                  {"ms", ms},
                  {"bytes", st.total_wanted},
                  {"metadataMs", metadata_ms.value_or(ms)}});
            return 0;
        }
        if (stop_requested.load() || steady_clock::now() > deadline) {
            emit({{"event", "error"},
                  {"message", "not complete after " + std::to_string(timeout_s) + " s (" +
                                  std::to_string(st.total_wanted_done) + " bytes)"}});
            return 1;
        }
        std::vector<lt::alert*> alerts;
        session.pop_alerts(&alerts);
        report_errors(alerts);
    }
}

int run_first_piece(std::string const& uri, std::string const& save_dir, int piece, int tick_ms,
                    int timeout_s, bool utp) {
    auto pack = loopback_settings();
    pack.set_bool(lt::settings_pack::enable_outgoing_utp, utp);
    pack.set_bool(lt::settings_pack::enable_incoming_utp, utp);
    // The host runs its session with this tick; the reference must not be slower for a setting alone.
    pack.set_int(lt::settings_pack::tick_interval, tick_ms);
    lt::session session(std::move(pack));
    auto p = params_for(uri, save_dir);
    // The host's start: added paused and resumed, so that libtorrent dials the magnet's peers at once instead
    // of on its next once-a-second tick, and in piece order until the deadline is set.
    p.flags |= lt::torrent_flags::paused | lt::torrent_flags::sequential_download;
    auto const start = steady_clock::now();
    auto const h = session.add_torrent(std::move(p));
    h.resume();
    auto const deadline = start + std::chrono::seconds(timeout_s);
    std::optional<double> metadata_ms;
    auto const on_metadata = [&] {
        metadata_ms = ms_since(start);
        h.set_piece_deadline(lt::piece_index_t(piece), 0);
    };
    if (h.torrent_file()) {
        on_metadata();
    }
    while (steady_clock::now() < deadline && !stop_requested.load()) {
        if (!session.wait_for_alert(std::chrono::milliseconds(100))) {
            continue;
        }
        std::vector<lt::alert*> alerts;
        session.pop_alerts(&alerts);
        report_errors(alerts);
        for (auto const* a : alerts) {
            if (lt::alert_cast<lt::metadata_received_alert>(a) && !metadata_ms) {
                on_metadata();
            } else if (auto const* pf = lt::alert_cast<lt::piece_finished_alert>(a);
                       pf && static_cast<int>(pf->piece_index) == piece) {
                auto const ms = ms_since(start);
                emit({{"event", "piece"},
                      {"piece", piece},
                      {"ms", ms},
                      {"metadataMs", metadata_ms.value_or(ms)}});
                return 0;
            }
        }
    }
    emit({{"event", "error"}, {"message", "piece " + std::to_string(piece) + " did not arrive"}});
    return 1;
}

int parse_int(std::string const& what, std::string const& text, int minimum, int maximum) {
    return static_cast<int>(sluice::bench::parse_number(what, text, static_cast<std::uint64_t>(minimum),
                                                        static_cast<std::uint64_t>(maximum)));
}

int run(std::vector<std::string> const& args) {
    if (args.size() < 3) {
        throw usage_error("missing arguments");
    }
    auto const& mode = args[0];
    std::vector<std::string> positional;
    int poll_ms = 50;
    int tick_ms = 100;
    int timeout_s = 300;
    bool utp = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        auto const value = [&] {
            if (i + 1 >= args.size()) {
                throw usage_error(args[i] + " needs a value");
            }
            return args[++i];
        };
        auto const number = [&](int minimum, int maximum) {
            auto const flag = args[i];
            return parse_int(flag, value(), minimum, maximum);
        };
        if (args[i] == "--poll-ms") {
            poll_ms = number(1, 10000);
        } else if (args[i] == "--tick-ms") {
            tick_ms = number(1, 10000);
        } else if (args[i] == "--utp") {
            utp = true;
        } else if (args[i] == "--timeout") {
            timeout_s = number(1, 86400);
        } else {
            positional.push_back(args[i]);
        }
    }
    if (mode == "seed" && positional.size() == 2) {
        return run_seed(positional[0], positional[1]);
    }
    if (mode == "fetch" && positional.size() == 2) {
        return run_fetch(positional[0], positional[1], poll_ms, timeout_s);
    }
    if (mode == "first-piece" && positional.size() == 3) {
        return run_first_piece(positional[0], positional[1], parse_int("PIECE", positional[2], 0, 1 << 30),
                               tick_ms, timeout_s, utp);
    }
    throw usage_error("unknown mode or wrong number of arguments");
}

} // namespace

int main(int argc, char** argv) {
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    std::signal(SIGPIPE, SIG_IGN);
    try {
        return run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (usage_error const& e) {
        std::fprintf(stderr, "lt_seed: %s\n%s", e.what(), usage);
        return 2;
    } catch (std::exception const& e) {
        emit({{"event", "error"}, {"message", e.what()}});
        return 1;
    }
}
