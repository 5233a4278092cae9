// Running a program to its end: a tool that prepares something, or a command whose run is the figure.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace sluice::bench {

struct finished_run {
    int exit_code = -1; // 128 + the signal for a program that a signal ended
    double seconds = 0; // from start to exit
    double max_rss_mib = 0;
    std::string out; // its stdout, when it was kept
};

// Runs `exe` with stdin from /dev/null, stdout into `out_file` (thrown away when empty) and stderr into
// `err_file`. Started with posix_spawn and reaped with wait4, so that `seconds` runs from start to exit and
// `max_rss_mib` is the program's own peak resident set (ru_maxrss), with nothing of the driver's in either.
finished_run run_measured(std::filesystem::path const& exe, std::vector<std::string> const& args,
                          std::filesystem::path const& out_file, std::filesystem::path const& err_file);

// A tool that must succeed: its stdout, kept in `files`.out; its stderr goes to `files`.err and, when it
// fails, into the bench_error.
std::string run_tool(std::filesystem::path const& exe, std::vector<std::string> const& args,
                     std::filesystem::path const& files);

} // namespace sluice::bench
