#include "support/run_program.hpp"

#include "support/bench_main.hpp"
#include "support/files.hpp"
#include "support/timing.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char** environ;

namespace sluice::bench {

finished_run run_measured(fs::path const& exe, std::vector<std::string> const& args, fs::path const& out_file,
                          fs::path const& err_file) {
    std::vector<std::string> argv_text{exe.string()};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (out_file.empty()) {
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    } else {
        posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    }
    posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = 0;
    auto const start = std::chrono::steady_clock::now();
    int const rc = ::posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        throw bench_error("cannot start " + exe.string() + ": " + std::strerror(rc));
    }
    int status = 0;
    rusage usage{};
    while (::wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            throw bench_error("wait4: " + std::string(std::strerror(errno)));
        }
    }
    finished_run r;
    r.seconds = seconds_since(start);
    r.max_rss_mib = static_cast<double>(usage.ru_maxrss) / 1024.0; // ru_maxrss is in KiB on Linux
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (!out_file.empty()) {
        r.out = read_text(out_file);
    }
    return r;
}

std::string run_tool(fs::path const& exe, std::vector<std::string> const& args, fs::path const& files) {
    auto const err_file = fs::path(files.string() + ".err");
    auto const r = run_measured(exe, args, files.string() + ".out", err_file);
    if (r.exit_code != 0) {
        throw bench_error(exe.filename().string() + " " + (args.empty() ? "" : args.front()) +
                          " failed (exit " + std::to_string(r.exit_code) +
                          "): " + read_text(err_file).substr(0, 2000));
    }
    return r.out;
}

} // namespace sluice::bench
