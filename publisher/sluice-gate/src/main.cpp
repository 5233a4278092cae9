// sluice-gate: the reference gate server (publisher/README.md). Everything but this file is the
// sluice_gate_core library, which the tests link.
#include "sluice-gate/cli.hpp"

#include <sodium.h>

#include <csignal>
#include <cstdio>

int main(int argc, char** argv) {
    if (sodium_init() < 0) {
        std::fputs("sluice-gate: libsodium cannot start (no source of randomness?)\n", stderr);
        return sluice::gate::exit_failed;
    }
    // A client or a mail command that goes away must cost an error code on a write, not the process.
    std::signal(SIGPIPE, SIG_IGN);
    std::vector<std::string> const args(argv + 1, argv + argc);
    return sluice::gate::run_command_line(args);
}
