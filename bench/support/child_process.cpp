#include "support/child_process.hpp"

#include "support/bench_main.hpp"
#include "support/interrupt.hpp"

#include <boost/process.hpp>
#include <boost/process/extend.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <exception>
#include <fcntl.h>
#include <poll.h>
#include <thread>
#include <unistd.h>

namespace sluice::bench {

namespace bp = boost::process;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

void close_on_exec(bp::pipe& p) {
    ::fcntl(p.native_source(), F_SETFD, FD_CLOEXEC);
    ::fcntl(p.native_sink(), F_SETFD, FD_CLOEXEC);
}

child_process::child_process(spec s) : spec_(std::move(s)) {
    check_interrupted();
    close_on_exec(in_);
    close_on_exec(out_);
    auto env = boost::this_process::environment();
    for (auto const& [key, value] : spec_.env) {
        env[key] = value;
    }
    auto const cwd = spec_.cwd.empty() ? std::filesystem::current_path() : spec_.cwd;
    auto const own_group = [](auto&) { ::setpgid(0, 0); };
    started_ = steady_clock::now();
    try {
        if (spec_.read_stdout) {
            child_ = bp::child(bp::exe = spec_.exe.string(), bp::args = spec_.args,
                               bp::std_in<in_, bp::std_out> out_, bp::std_err > spec_.log.string(), env,
                               bp::start_dir = cwd.string(), bp::extend::on_exec_setup = own_group);
        } else {
            child_ = bp::child(bp::exe = spec_.exe.string(), bp::args = spec_.args,
                               bp::std_in<in_, (bp::std_out & bp::std_err)> spec_.log.string(), env,
                               bp::start_dir = cwd.string(), bp::extend::on_exec_setup = own_group);
        }
    } catch (std::exception const& e) {
        throw bench_error("cannot start " + spec_.name + " (" + spec_.exe.string() + "): " + e.what());
    }
    pid_ = child_.id();
    remember_group(pid_);
}

bool child_process::running() {
    try {
        return child_.running();
    } catch (std::exception const&) {
        return false;
    }
}

std::optional<std::string> child_process::read_line(milliseconds limit) {
    auto const deadline = steady_clock::now() + limit;
    for (;;) {
        if (auto const nl = pending_.find('\n'); nl != std::string::npos) {
            auto line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            return line;
        }
        auto const left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now()).count();
        if (left <= 0) {
            throw bench_error(spec_.name + " said nothing for " + std::to_string(limit.count() / 1000) +
                              " s");
        }
        pollfd pfd{out_.native_source(), POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(std::min<long long>(left, 1000))) <= 0) {
            continue;
        }
        char buffer[4096];
        auto const n = ::read(out_.native_source(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return std::nullopt;
        }
        pending_.append(buffer, static_cast<std::size_t>(n));
    }
}

std::optional<int> child_process::wait_for_exit(milliseconds limit) {
    auto const deadline = steady_clock::now() + limit;
    while (running()) {
        if (steady_clock::now() > deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(5ms);
    }
    try {
        return child_.exit_code();
    } catch (std::exception const&) {
        return -1;
    }
}

void child_process::stop(milliseconds grace) {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    try {
        in_.close();
        if (running()) {
            ::kill(-pid_, SIGTERM);
            if (!wait_for_exit(grace)) {
                ::kill(-pid_, SIGKILL);
                child_.wait();
            }
        }
    } catch (std::exception const&) {
    }
    forget_group(pid_);
}

} // namespace sluice::bench
