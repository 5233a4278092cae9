// sluice-host driven over its pipes, as a browser drives it.
#pragma once

#include "support/host_sandbox.hpp"

#include <boost/process/child.hpp>
#include <boost/process/pipe.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace sluice::bench {

// Off the network and TCP only, like every other peer of a benchmark. lingerSeconds 0: a benchmark closes its
// streams before it detaches, but the owner may hear of the detach first, and must not then wait 30 s.
inline constexpr std::string_view offline_host_config =
    R"({"session":{"dht":false,"lsd":false,"upnp":false,"natpmp":false,"utp":false,)"
    R"("listenInterfaces":"127.0.0.1:0"},"lingerSeconds":0})";

// One relay, started as a browser starts it, with a fresh sandbox (and XDG_DOWNLOAD_DIR inside it, so that
// nothing lands in the user's folders); requests go out as frames and a reader thread files the replies by
// id (notifications, which the owner broadcasts, are dropped). The relay runs in a process group of its own,
// remembered for Ctrl-C. Destruction detaches the way a browser does, by closing stdin, and waits for the
// relay and its owner to leave; when it happens during an exception, the host's logs are printed.
class host_client {
public:
    explicit host_client(fs::path const& host_exe, std::string_view config = offline_host_config);
    host_client(host_client const&) = delete;
    host_client& operator=(host_client const&) = delete;
    ~host_client();

    // When the relay's process was started: the clock of a figure that counts from the launch.
    std::chrono::steady_clock::time_point started() const { return started_; }
    fs::path downloads() const { return box_.root() / "downloads"; }

    std::uint64_t send(std::string const& method, nlohmann::json params = nlohmann::json::object());
    // The "result" of the reply to `id`; a bench_error for an error reply, or none within `limit`.
    nlohmann::json wait_result(std::uint64_t id, std::string const& method,
                               std::chrono::milliseconds limit = std::chrono::seconds(30));
    nlohmann::json call(std::string const& method, nlohmann::json params = nlohmann::json::object(),
                        std::chrono::milliseconds limit = std::chrono::seconds(30));

    // The stream URL of file 0 once the metadata is there, asking every `every` (the host has no event for
    // the metadata's arrival that comes sooner than its one-second torrent.updated).
    std::string stream_url(std::string const& info_hash, std::chrono::milliseconds every,
                           std::chrono::milliseconds limit = std::chrono::seconds(60));
    // The torrent's entry in torrent.list.
    nlohmann::json status_of(std::string const& info_hash);

    // The session owner: the process that does the work, and whose CPU time and memory are the host's.
    pid_t owner_pid() const;

    void shut_down();

private:
    void read_replies();

    int const uncaught_at_start_ = std::uncaught_exceptions();
    host_sandbox box_;
    boost::process::pipe to_;
    boost::process::pipe from_;
    boost::process::child child_;
    std::thread reader_;
    std::chrono::steady_clock::time_point started_;
    std::atomic<std::uint64_t> next_id_{1};
    std::mutex mutex_;
    std::condition_variable replied_;
    std::map<std::uint64_t, nlohmann::json> replies_;
    bool closed_ = false;
    bool shut_down_ = false;
};

} // namespace sluice::bench
