// sluice-bundle: the creator's command line (publisher/README.md). Everything but this file is the
// sluice_publisher library, which the tests link.
#include "sluice-bundle/cli.hpp"
#include "sluice-bundle/interrupt.hpp"

#include <sodium.h>

#include <cstdio>

int main(int argc, char** argv) {
    if (sodium_init() < 0) {
        std::fputs("sluice-bundle: libsodium cannot start (no source of randomness?)\n", stderr);
        return sluice::publisher::exit_failed;
    }
    std::vector<std::string> const args(argv + 1, argv + argc);
    int const status = sluice::publisher::run_command_line(args);
    // Interrupted work has unwound and removed what it wrote; the shell should still see the signal.
    sluice::publisher::reraise_interrupt();
    return status;
}
