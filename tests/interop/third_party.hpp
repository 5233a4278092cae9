#pragma once

#include "loopback_ports.hpp"

#include <boost/process/child.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sluice::testing {

// The full path of a program on PATH, or an empty path. The interop suite fails (it does not skip) when a
// tool is missing: a machine set up by installer/setup-deps.sh has them all.
std::filesystem::path find_tool(std::string const& name);

// One third-party program (aria2c, transmission-cli, nginx) run for one test. Its stdout and stderr go to a
// log file so a chatty tool never blocks on a full pipe, and so a failing test can show what it said.
// It cannot outlive the test: the destructor terminates and reaps it, and the kernel kills it should the
// test binary itself die first. It inherits no descriptor but its standard ones: a listening socket of
// the test (a tracker, say) must close when the test closes it, not live on in the tool.
class third_party_process {
public:
    third_party_process(std::filesystem::path const& exe, std::vector<std::string> const& args,
                        std::filesystem::path log_file, std::filesystem::path const& working_dir);
    ~third_party_process();
    third_party_process(third_party_process const&) = delete;
    third_party_process& operator=(third_party_process const&) = delete;

    bool running();
    // Exit code, or nullopt if it is still running after `timeout`.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    void stop();
    long pid() const { return static_cast<long>(child_.id()); }
    // The command line and the last `max_bytes` of what the program printed, for failure messages.
    std::string output(std::size_t max_bytes = 4000) const;

private:
    std::string command_;
    std::filesystem::path log_file_;
    boost::process::child child_;
    std::optional<int> exit_code_;
};

} // namespace sluice::testing
