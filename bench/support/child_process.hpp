// A helper program that a benchmark starts and must be sure to stop: a seed, a server, a streamer.
#pragma once

#include <boost/process/child.hpp>
#include <boost/process/pipe.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace sluice::bench {

// Pipes from Boost.Process 1.74 are inheritable; a second child started while the first runs would hold the
// first's stdin open, and the first would never see it close. Both ends close on exec: the child's copies
// are dup2'ed onto 0 and 1 before exec and survive.
void close_on_exec(boost::process::pipe& p);

// A helper in a process group of its own, stopped with the whole group when it goes out of scope: SIGTERM, a
// grace period, then SIGKILL. Its group is remembered for Ctrl-C (interrupt.hpp). Its stdin is a pipe it may
// watch to notice that the driver left.
class child_process {
public:
    struct spec {
        std::string name;
        std::filesystem::path exe;
        std::vector<std::string> args;
        std::filesystem::path log; // stderr, and stdout unless read_stdout
        bool read_stdout = false;
        std::filesystem::path cwd{};
        std::vector<std::pair<std::string, std::string>> env{};
    };

    explicit child_process(spec s);
    child_process(child_process const&) = delete;
    child_process& operator=(child_process const&) = delete;
    ~child_process() { stop(); }

    pid_t pid() const { return pid_; }
    std::string const& name() const { return spec_.name; }
    std::chrono::steady_clock::time_point started() const { return started_; }
    std::filesystem::path const& log() const { return spec_.log; }

    bool running();
    // The next line the child wrote on stdout (read_stdout); nullopt once it closed stdout. A child that says
    // nothing within `limit` is a bench_error.
    std::optional<std::string> read_line(std::chrono::milliseconds limit);
    // Its exit code once it has left; nullopt while it still runs after `limit`.
    std::optional<int> wait_for_exit(std::chrono::milliseconds limit);
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(3));

private:
    spec spec_;
    boost::process::pipe in_;
    boost::process::pipe out_;
    boost::process::child child_;
    pid_t pid_ = -1;
    std::chrono::steady_clock::time_point started_;
    std::string pending_;
    bool stopped_ = false;
};

} // namespace sluice::bench
