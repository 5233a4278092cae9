#pragma once

#include "sandbox_dir.hpp"

#include <boost/process/child.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/pipe.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::testing {

using namespace std::chrono_literals;

// A host_world config that puts the peer settings the host ships with back (uTP on); the world's own config
// turns uTP off with the ways of finding peers on the Internet.
inline constexpr char const* shipped_peer_settings = R"({"session":{"utp":true}})";

// The user-level world one sluice-host lives in: its own XDG runtime and data directories (so tests never
// meet each other's session), and a config that keeps the BitTorrent session off the network.
class host_world {
public:
    explicit host_world(std::string const& extra_config = {});
    ~host_world();

    std::filesystem::path runtime_dir() const { return dir_ / "run" / "sluice"; }
    std::filesystem::path data_dir() const { return dir_ / "data" / "sluice"; }
    std::filesystem::path socket_file() const { return runtime_dir() / "host.sock"; }
    boost::process::environment environment() const;

    // Waits for an owner process (our descendant: the test binary is a child subreaper) to exit.
    // Returns false if it is still running after `timeout`.
    static bool wait_for_exit(long pid, std::chrono::milliseconds timeout);

    // Pids of owners seen through host.hello, killed at teardown if they outlived the test.
    std::vector<long> owners;

private:
    sandbox_dir dir_;
};

// One sluice-host process launched the way a browser launches it: stdin and stdout are pipes carrying
// frames; stderr is collected. Reads have timeouts so a broken host fails a test instead of hanging it.
class host_process {
public:
    explicit host_process(host_world& world, std::vector<std::string> args = {});
    ~host_process();

    void send_raw(std::string_view bytes);
    void send_frame(std::string_view body);
    void send(nlohmann::json const& message) { send_frame(message.dump()); }
    void close_stdin();

    // The next frame from stdout, parsed; nullopt on timeout or end of output.
    std::optional<nlohmann::json> read_message(std::chrono::milliseconds timeout = 10s);
    // Raw bytes of the next frame's body; nullopt on timeout or end of output.
    std::optional<std::string> read_frame(std::chrono::milliseconds timeout = 10s);
    // True if stdout reaches end-of-file within the timeout without carrying any more bytes.
    bool stdout_ends(std::chrono::milliseconds timeout = 10s);

    // Sends a request and returns the first message carrying its id.
    nlohmann::json call(std::string const& method, nlohmann::json params = nlohmann::json::object(),
                        std::chrono::milliseconds timeout = 10s);

    // Events (notifications) that arrived while call() waited for its reply, oldest first.
    std::vector<nlohmann::json> events;
    bool saw_event(std::string const& method, std::string const& info_hash) const;

    // Exit code, or nullopt if still running after `timeout`.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout = 10s);
    void signal(int signo);
    // Kills this host's session owner as a crash would (SIGKILL, no resume data written on the way out) and
    // waits for it to exit; false if it is still there after 5 s.
    bool kill_owner();
    long pid() const { return static_cast<long>(child_.id()); }
    std::string stderr_text();

private:
    bool wait_readable(std::chrono::steady_clock::time_point deadline);
    bool read_exact(char* out, std::size_t n, std::chrono::steady_clock::time_point deadline);

    host_world& world_;
    boost::process::pipe in_;
    boost::process::pipe out_;
    boost::process::pipe err_;
    boost::process::child child_;
    std::string stderr_;
    int next_id_ = 1000;
};

} // namespace sluice::testing
