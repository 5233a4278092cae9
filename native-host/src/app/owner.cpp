#include "app/owner.hpp"

#include "app/bundle_methods.hpp"
#include "app/config.hpp"
#include "app/gate_methods.hpp"
#include "app/host_methods.hpp"
#include "app/media_methods.hpp"
#include "app/owner_launcher.hpp"
#include "app/paths.hpp"
#include "app/settings_methods.hpp"
#include "app/torrent_methods.hpp"
#include "app/translation_methods.hpp"
#include "base/heap_limits.hpp"
#include "base/log.hpp"
#include "base/paths.hpp"
#include "bundle/bundle_library.hpp"
#include "bundle/keystore.hpp"
#include "bundle/play_reporter.hpp"
#include "bundle/translation_fetcher.hpp"
#include "bundle/translation_shelf.hpp"
#include "native_messaging/client_hub.hpp"
#include "native_messaging/owner_lock.hpp"
#include "native_messaging/rpc_dispatcher.hpp"
#include "stream/stream_server.hpp"
#include "torrent/torrent_engine.hpp"
#include "torrent/torrent_session.hpp"

#include <sluice/fileio/atomic_file.hpp>
#include <sluice/protocol/version.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <random>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sluice::app {

namespace asio = boost::asio;
using local_stream = asio::local::stream_protocol;

namespace {

constexpr int owner_exit_failed = 1;
// Longer than a leaving owner takes to save its state (resume data alone may take 5 s).
constexpr auto owner_lock_patience = std::chrono::seconds(20);

// The launcher half of the fork: waits for the owner's one status byte and exits with it.
[[noreturn]] void wait_for_owner(int status_fd) {
    unsigned char status = owner_exit_failed;
    for (;;) {
        auto const n = ::read(status_fd, &status, 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n != 1) {
            status = owner_exit_failed;
        }
        break;
    }
    ::_exit(status);
}

void report(int& status_fd, int code) {
    if (status_fd < 0) {
        return;
    }
    auto const byte = static_cast<unsigned char>(code);
    [[maybe_unused]] auto n = ::write(status_fd, &byte, 1);
    ::close(status_fd);
    status_fd = -1;
}

void detach_stdio() {
    int const null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        ::dup2(null, STDIN_FILENO);
        ::dup2(null, STDOUT_FILENO);
        ::dup2(null, STDERR_FILENO);
        ::close(null);
    }
}

// Whatever the launcher's parent left inheritable (a browser's pipes, a relay's sockets) must not be kept
// open by a process that may outlive it: the browser would never see those pipes close.
void close_inherited_fds(int keep) {
    if (keep > STDERR_FILENO + 1) {
        ::close_range(STDERR_FILENO + 1, static_cast<unsigned>(keep) - 1, 0);
    }
    ::close_range(static_cast<unsigned>(keep) + 1, ~0u, 0);
}

// Every stream connection and every file libtorrent keeps open is a descriptor, and a soft limit of 1,024
// (the default of most systems, kept for select()'s sake; nothing here uses select) runs out long before
// the hard limit the system grants. Out of descriptors, the owner can neither accept nor open files.
void raise_fd_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) {
        return;
    }
    auto const before = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
        // An unlimited hard limit is still capped by fs.nr_open, whose default this is.
        limit.rlim_cur = std::max<rlim_t>(before, 1 << 20);
        if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
            base::log::warning("could not raise the open files limit above " + std::to_string(before) + ": " +
                               std::strerror(errno));
            return;
        }
    }
    base::log::info("open files limit raised from " + std::to_string(before) + " to " +
                    std::to_string(limit.rlim_cur));
}

std::string random_hex(std::size_t bytes) {
    std::random_device rd;
    std::string out;
    char const* digits = "0123456789abcdef";
    for (std::size_t i = 0; i < bytes; ++i) {
        auto const b = static_cast<unsigned>(rd()) & 0xFF;
        out += digits[b >> 4];
        out += digits[b & 0xF];
    }
    return out;
}

std::string utc_now() {
    auto const t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// Everything the owner runs once it is listening.
int serve(host_paths const& paths, host_config config, local_stream::acceptor acceptor,
          asio::io_context& io) {
    torrent::torrent_session session(io, config.session, paths.session_state_file());
    native_messaging::rpc_dispatcher dispatcher;
    asio::steady_timer idle_timer(io);
    asio::steady_timer linger_timer(io);
    asio::signal_set signals(io, SIGINT, SIGTERM);

    // Set below, once the stream server exists: the owner leaves when no client is attached and no stream
    // is being served, after the linger time if streams were playing.
    std::function<void()> on_last_client_gone;
    native_messaging::client_hub hub(io, std::move(acceptor), config.max_inbound_frame_bytes, dispatcher,
                                     [&] { on_last_client_gone(); });
    auto stop = [&](std::string const& why) {
        base::log::info("shutting down: " + why);
        // First of all, while the lock is held: a relay arriving from now on must go to the next owner.
        hub.stop_accepting();
        boost::system::error_code ignored;
        signals.cancel(ignored);
        idle_timer.cancel();
        linger_timer.cancel();
        io.stop();
    };

    auto const download_folder = config.download_folder.empty()
                                     ? default_download_folder()
                                     : std::filesystem::path(config.download_folder);
    torrent::torrent_engine engine(
        io, session.native(),
        {paths.data_dir / "resume", download_folder, std::chrono::seconds(config.resume_save_seconds)},
        [&hub](std::string const& method, nlohmann::json params) {
            hub.broadcast(protocol::make_notification(method, std::move(params)));
        });
    session.set_alert_handler([&engine](lt::alert const* a) { engine.handle_alert(a); });

    std::error_code keystore_ec;
    auto keys = bundle::keystore::open(paths.keystore_file(), keystore_ec);
    if (keystore_ec) {
        base::log::error("cannot write the keystore " + paths.keystore_file().string() + ": " +
                         keystore_ec.message() + "; unlocks will not survive a restart");
    }
    auto const notify = [&hub](std::string const& method, nlohmann::json params) {
        hub.broadcast(protocol::make_notification(method, std::move(params)));
    };
    bundle::translation_shelf translations(paths.translations_dir());
    bundle::translation_fetcher translation_fetcher(
        io, translations, gate_api::call_gate, std::chrono::seconds(config.gate_timeout_seconds),
        std::chrono::minutes(10), [&notify](std::string const& bundle_id) {
            notify("bundle.translations", {{"bundleId", bundle_id}});
        });
    // A bundle's approved translations are asked for as soon as it is verified, so they are there when it
    // is first played.
    std::function<protocol::bundle_manifest const*(std::string const&)> verified_manifest;
    bundle::bundle_library library(io, engine, keys, [&](std::string const& method, nlohmann::json params) {
        if (method == "bundle.verified") {
            if (auto const* m = verified_manifest(params.at("infoHash").get<std::string>())) {
                translation_fetcher.refresh(*m);
            }
        }
        notify(method, std::move(params));
    });
    verified_manifest = [&library](std::string const& id) { return library.manifest(id); };
    // Exports read and write whole files: off the io thread, one at a time.
    boost::asio::thread_pool workers(1);

    std::error_code ec;
    stream::stream_server streams(io, engine, random_hex(16), {config.stream_port}, ec);
    if (ec) {
        base::log::error("cannot listen for streams on 127.0.0.1:" + std::to_string(config.stream_port) +
                         ": " + ec.message());
        session.set_alert_handler({});
        return 1;
    }

    streams.set_access_policy(
        [&library](std::string const& id, int file_index) { return library.access(id, file_index); });
    streams.set_translation_source(
        [&library, &translations](std::string const& id, std::string const& sha256) {
            auto const* m = library.manifest(id);
            return m ? translations.track(*m, sha256) : std::nullopt;
        });
    media::media_prober prober(io);
    streams.set_prober(prober);

    on_last_client_gone = [&] {
        if (streams.active_connections() == 0) {
            stop("the last client detached");
        } else {
            base::log::info("the last client detached; staying while " +
                            std::to_string(streams.active_connections()) + " stream connection(s) are open");
        }
    };
    streams.on_idle([&] {
        if (hub.client_count() > 0) {
            return;
        }
        linger_timer.expires_after(std::chrono::seconds(config.linger_seconds));
        linger_timer.async_wait([&](boost::system::error_code timer_ec) {
            if (!timer_ec && hub.client_count() == 0 && streams.active_connections() == 0) {
                stop("no client and no stream for " + std::to_string(config.linger_seconds) + " s");
            }
        });
    });

    add_host_methods(
        dispatcher,
        host_identity{SLUICE_VERSION, torrent::torrent_session::libtorrent_version(),
                      protocol::protocol_version, static_cast<long>(::getpid()), random_hex(16), utc_now(),
                      config.max_inbound_frame_bytes, streams.base_url()},
        [&hub] { return hub.client_count(); },
        [&streams](std::string const& origin) { streams.router().allow_origin(origin); });
    add_torrent_methods(dispatcher, io, engine, streams, prober);
    add_media_methods(dispatcher, engine, streams, prober);
    bundle::play_reporter plays(
        io, paths.plays_file(), gate_api::call_gate, std::chrono::seconds(config.gate_timeout_seconds),
        [&config] { return config.report_plays; },
        [&config] { return std::chrono::seconds(config.play_report_delay_seconds); });
    add_settings_methods(dispatcher, config, paths.config_file(), session, engine,
                         [&plays](host_config const& c) {
                             // The viewer said no: nothing counted before is sent.
                             if (!c.report_plays) {
                                 plays.forget();
                             }
                         });
    add_bundle_methods(dispatcher, io, workers, engine, library, streams, {translations, translation_fetcher},
                       config);
    bundle::gate_agent agent(
        io, keys, library, engine,
        [&hub](std::string const& method, nlohmann::json params) {
            hub.broadcast(protocol::make_notification(method, std::move(params)));
        },
        std::chrono::seconds(config.gate_poll_seconds), std::chrono::seconds(config.gate_timeout_seconds));
    add_gate_methods(dispatcher, io, engine, library, agent, plays);
    add_translation_methods(dispatcher, io, engine, library,
                            std::chrono::seconds(config.gate_timeout_seconds));

    signals.async_wait([&](boost::system::error_code signal_ec, int signo) {
        if (!signal_ec) {
            stop("signal " + std::to_string(signo));
        }
    });
    // A launcher whose relay died before connecting must not leave an owner behind.
    idle_timer.expires_after(std::chrono::seconds(config.idle_exit_seconds));
    idle_timer.async_wait([&](boost::system::error_code timer_ec) {
        if (!timer_ec && hub.clients_ever() == 0) {
            stop("no client attached within " + std::to_string(config.idle_exit_seconds) + " s");
        }
    });

    engine.start();
    agent.start();
    plays.start();
    streams.start();
    hub.start();
    io.run();
    hub.stop();
    streams.stop();
    workers.join();
    engine.save_all_resume_data(std::chrono::seconds(5));
    session.set_alert_handler({});
    return 0;
}

} // namespace

int run_owner(host_paths const& paths) {
    base::limit_heap_growth();
    int status_pipe[2];
    if (::pipe2(status_pipe, O_CLOEXEC) != 0) {
        return owner_exit_failed;
    }
    pid_t const pid = ::fork();
    if (pid < 0) {
        return owner_exit_failed;
    }
    if (pid > 0) {
        ::close(status_pipe[1]);
        wait_for_owner(status_pipe[0]);
    }
    ::close(status_pipe[0]);
    int status_fd = status_pipe[1];
    ::setsid();
    detach_stdio();
    close_inherited_fds(status_fd);
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGHUP, SIG_IGN);

    std::error_code ec;
    base::ensure_private_dir(paths.data_dir, ec);
    auto loaded = load_host_config(paths.config_file());
    auto const& config = loaded.config;
    base::log::configure({.file = paths.log_dir() / "host.log",
                          .to_stderr = false,
                          .max_file_bytes = config.log_max_file_bytes,
                          .keep_files = config.log_keep_files,
                          .threshold = base::log::parse_level(config.log_level, base::log::level::info),
                          .role = "owner"});
    for (auto const& w : loaded.warnings) {
        base::log::warning("config: " + w);
    }
    raise_fd_limit();

    if (ec) {
        base::log::warning("data directory " + paths.data_dir.string() + " is not usable: " + ec.message());
    }
    base::ensure_private_dir(paths.runtime_dir, ec);
    if (ec) {
        base::log::error("runtime directory " + paths.runtime_dir.string() +
                         " is not usable: " + ec.message());
        report(status_fd, owner_exit_failed);
        return owner_exit_failed;
    }
    native_messaging::owner_lock lock;
    // An owner that is leaving keeps the lock until its state is saved; this one waits for it.
    if (!lock.acquire_when_free(paths.lock_file(), paths.socket_file(), owner_lock_patience, ec)) {
        if (ec) {
            base::log::error("cannot open the owner lock " + paths.lock_file().string() + ": " +
                             ec.message());
            report(status_fd, owner_exit_failed);
            return owner_exit_failed;
        }
        base::log::info("another owner holds the session; leaving it to that one");
        report(status_fd, owner_exit_already_running);
        return 0;
    }

    // We hold the lock, so any socket file here belongs to an owner that no longer runs.
    auto const socket_path = paths.socket_file();
    if (std::filesystem::exists(std::filesystem::symlink_status(socket_path))) {
        base::log::info("replacing the stale socket " + socket_path.string());
        std::filesystem::remove(socket_path, ec);
    }
    asio::io_context io;
    local_stream::acceptor acceptor(io);
    boost::system::error_code bec;
    acceptor.open(local_stream(), bec);
    if (!bec) {
        acceptor.bind(local_stream::endpoint(socket_path.string()), bec);
    }
    if (!bec) {
        ::chmod(socket_path.c_str(), 0600);
        acceptor.listen(asio::socket_base::max_listen_connections, bec);
    }
    if (bec) {
        base::log::error("cannot listen on " + socket_path.string() + ": " + bec.message());
        report(status_fd, owner_exit_failed);
        return owner_exit_failed;
    }
    base::log::info("sluice-host " SLUICE_VERSION " owns the session; listening on " + socket_path.string());
    report(status_fd, owner_exit_listening);

    if (!std::filesystem::exists(paths.config_file())) {
        fileio::write_file_atomically(paths.config_file(), default_config_text(), 0600, true, ec);
    }

    int const code = serve(paths, config, std::move(acceptor), io);
    // Unlink while still holding the lock: a new owner can only appear after this.
    std::filesystem::remove(socket_path, ec);
    lock.release();
    base::log::info("stopped");
    return code;
}

} // namespace sluice::app
