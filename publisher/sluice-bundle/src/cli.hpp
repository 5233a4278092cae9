#pragma once

#include <string>
#include <vector>

namespace sluice::publisher {

// Exit statuses of sluice-bundle, for scripts.
enum exit_status : int {
    exit_ok = 0,     // done; for verify: the bundle is good
    exit_failed = 1, // the work failed (a wrong spec, an I/O error); for verify: the bundle is bad
    exit_usage = 2,  // the command line is wrong: unknown command or option, missing argument
};

// One command line, without the program name: parses it, runs the command, prints results on stdout and
// messages (progress, warnings, errors) on stderr, and returns the exit status. An interrupted command
// returns exit_failed after cleaning up; main() then re-raises the signal.
int run_command_line(std::vector<std::string> const& args);

} // namespace sluice::publisher
