#pragma once

#include <string>
#include <vector>

namespace sluice::gate {

// Exit statuses of sluice-gate, as sluice-bundle's.
enum exit_status : int {
    exit_ok = 0,     // done (serve: stopped by SIGINT or SIGTERM)
    exit_failed = 1, // the work failed: a bundle refused, storage that cannot open, an address in use
    exit_usage = 2,  // the command line is wrong
};

// One command line without the program name: `serve`, `import`, `migrate`, `close`, `deliver`, `campaign`,
// `stats`... (publisher/README.md). Results go to stdout, messages to stderr.
int run_command_line(std::vector<std::string> const& args);

} // namespace sluice::gate
