// What every benchmark's main() shares: its error types, its name in messages, and the frame around its run.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sluice::bench {

// A run that cannot go on: a program missing, a server that answered wrong, bytes that are not the file's.
struct bench_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A command line that cannot be read: run_main prints it with the usage and exits with 2.
struct usage_error : bench_error {
    using bench_error::bench_error;
};

// The benchmark's name as run_main was given it, for messages and the User-Agent of its requests.
std::string const& program_name();

// Runs `body` as main() does: `--help` or `-h` anywhere prints `usage` and nothing runs; SIGPIPE is ignored,
// so that a server or child that dies surfaces as a failed write with a message instead of killing the
// driver silently; and an exception becomes "PROGRAM: error: ..." on stderr with exit code 1 (2, and the
// usage, for a usage_error).
int run_main(std::string_view program, std::string_view usage, int argc, char** argv,
             std::function<int()> const& body);

} // namespace sluice::bench
