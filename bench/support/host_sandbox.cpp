#include "support/host_sandbox.hpp"

#include "support/bench_main.hpp"
#include "support/processes.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace sluice::bench {

using std::chrono::steady_clock;

namespace {

// The driver's children named sluice-host, and whether each is already a zombie.
std::vector<std::pair<pid_t, bool>> host_children() {
    std::vector<std::pair<pid_t, bool>> found;
    auto const self = ::getpid();
    for (auto const& p : list_processes()) {
        if (p.ppid == self && p.comm == "sluice-host") {
            found.emplace_back(p.pid, p.state == 'Z');
        }
    }
    return found;
}

// An owner that has just left may take a moment to turn into a zombie; give it up to a second.
void reap_owner_zombies() {
    auto const deadline = steady_clock::now() + std::chrono::seconds(1);
    for (;;) {
        auto const children = host_children();
        if (children.empty() || steady_clock::now() > deadline) {
            return;
        }
        for (auto const& [pid, zombie] : children) {
            if (zombie) {
                int status = 0;
                ::waitpid(pid, &status, WNOHANG);
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

} // namespace

host_sandbox::host_sandbox(std::string_view config_json) : dir_("sluice-bench") {
    fs::create_directories(data_home() / "sluice");
    fs::create_directory(runtime_dir());
    fs::permissions(runtime_dir(), fs::perms::owner_all, fs::perm_options::replace);
    std::ofstream config(data_home() / "sluice" / "config.json", std::ios::binary);
    config << config_json << '\n';
    if (!config.flush()) {
        throw bench_error("cannot write " + (data_home() / "sluice" / "config.json").string());
    }
}

std::vector<pid_t> host_sandbox::owners() const {
    std::string const marker = "XDG_RUNTIME_DIR=" + runtime_dir().string();
    std::vector<pid_t> found;
    std::error_code ec;
    for (auto const& entry : fs::directory_iterator("/proc", ec)) {
        auto const name = entry.path().filename().string();
        if (name.empty() ||
            !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            continue;
        }
        auto const args = read_nul_separated(entry.path() / "cmdline");
        if (args.size() < 2 || args[1] != "--serve") {
            continue;
        }
        auto const env = read_nul_separated(entry.path() / "environ");
        if (std::find(env.begin(), env.end(), marker) != env.end()) {
            found.push_back(static_cast<pid_t>(std::stol(name)));
        }
    }
    return found;
}

void host_sandbox::wait_for_owners(std::chrono::milliseconds limit) const {
    auto const deadline = steady_clock::now() + limit;
    while (!owners().empty() && steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (int const signo : {SIGTERM, SIGKILL}) {
        auto const left = owners();
        if (left.empty()) {
            break;
        }
        for (pid_t const pid : left) {
            std::fprintf(stderr, "%s: the session owner %ld did not exit; sending %s\n",
                         program_name().c_str(), static_cast<long>(pid),
                         signo == SIGTERM ? "SIGTERM" : "SIGKILL");
            ::kill(pid, signo);
        }
        auto const until = steady_clock::now() + std::chrono::seconds(2);
        while (!owners().empty() && steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    reap_owner_zombies();
}

void host_sandbox::dump_logs() const {
    std::vector<fs::path> files{stderr_file()};
    std::error_code ec;
    for (auto const& entry : fs::recursive_directory_iterator(data_home(), ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".log") {
            files.push_back(entry.path());
        }
    }
    for (auto const& f : files) {
        auto const text = tail_of_file(f, 4096);
        if (!text.empty()) {
            std::fprintf(stderr, "---- %s\n%s\n", f.filename().c_str(), text.c_str());
        }
    }
}

} // namespace sluice::bench
