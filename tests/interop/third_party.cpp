#include "third_party.hpp"

#include <boost/process/args.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/search_path.hpp>
#include <boost/process/start_dir.hpp>

#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <linux/close_range.h>
#include <string_view>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

namespace sluice::testing {

namespace bp = boost::process;
using namespace std::chrono_literals;

namespace {

// Runs in the child between fork and exec, so only async-signal-safe calls.
void prepare_child() {
    // Killed with the test binary: a crashed or timed-out test leaves no seeder behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Everything the test has open (tracker sockets, the host's pipes) closes at exec. Boost.Process's
    // own error pipe is close-on-exec already, so marking rather than closing keeps its exec-failure
    // report working.
    if (::syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) != 0) {
        for (int fd = 3; fd < 4096; ++fd) {
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
    }
}

std::string quoted_command(std::filesystem::path const& exe, std::vector<std::string> const& args) {
    std::string out = exe.string();
    for (auto const& a : args) {
        out += " '" + a + "'";
    }
    return out;
}

} // namespace

std::filesystem::path find_tool(std::string const& name) {
    // Debian puts nginx in /usr/sbin, which an ordinary user's PATH may lack.
    auto path = ::boost::this_process::path();
    for (char const* extra : {"/usr/local/sbin", "/usr/sbin", "/sbin"}) {
        path.emplace_back(extra);
    }
    return bp::search_path(name, path).string();
}

third_party_process::third_party_process(std::filesystem::path const& exe,
                                         std::vector<std::string> const& args, std::filesystem::path log_file,
                                         std::filesystem::path const& working_dir)
    : command_(quoted_command(exe, args)), log_file_(std::move(log_file)),
      child_(
          bp::exe = exe.string(), bp::args = args,
          bp::std_in<bp::null, (bp::std_out & bp::std_err)> log_file_.string(),
          bp::start_dir = working_dir.string(), bp::extend::on_exec_setup = [](auto&) { prepare_child(); }) {}

third_party_process::~third_party_process() {
    stop();
}

bool third_party_process::running() {
    if (exit_code_) {
        return false;
    }
    std::error_code ec;
    if (child_.running(ec)) {
        return true;
    }
    exit_code_ = child_.exit_code();
    return false;
}

std::optional<int> third_party_process::wait_exit(std::chrono::milliseconds timeout) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(20ms);
    }
    return exit_code_;
}

void third_party_process::stop() {
    if (!running()) {
        return;
    }
    // A polite SIGTERM first lets a tool flush and say goodbye to its peers; one that lingers is killed.
    ::kill(static_cast<pid_t>(child_.id()), SIGTERM);
    if (!wait_exit(3s)) {
        std::error_code ec;
        child_.terminate(ec);
        wait_exit(5s);
    }
}

std::string third_party_process::output(std::size_t max_bytes) const {
    std::ifstream in(log_file_, std::ios::binary);
    std::string const raw((std::istreambuf_iterator<char>(in)), {});
    // Progress lines redrawn with '\r' (transmission-cli prints one a second) would crowd out the
    // messages that say what went wrong: of a run of them only the last is kept.
    std::string text;
    std::string last_progress;
    std::size_t start = 0;
    while (start < raw.size()) {
        auto end = raw.find_first_of("\r\n", start);
        if (end == std::string::npos) {
            end = raw.size();
        }
        std::string_view const line(raw.data() + start, end - start);
        auto const trimmed = line.substr(std::min(line.find_first_not_of(' '), line.size()));
        if (trimmed.starts_with("Progress:") || trimmed.starts_with("Seeding,")) {
            last_progress = std::string(trimmed) + "\n";
        } else if (!trimmed.empty()) {
            text += last_progress + std::string(line) + "\n";
            last_progress.clear();
        }
        start = end + 1;
    }
    text += last_progress;
    if (text.size() > max_bytes) {
        text = "..." + text.substr(text.size() - max_bytes);
    }
    return "\n---- " + command_ + " ----\n" + text + "\n---- end of output ----\n";
}

} // namespace sluice::testing
