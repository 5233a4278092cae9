// Ctrl-C in a benchmark that starts helpers: stop them, unwind, leave nothing behind.
#pragma once

#include <sys/types.h>

namespace sluice::bench {

// On SIGINT or SIGTERM the process groups of the helpers running now get SIGTERM at once: the driver's waits
// then end in errors, and the unwinding stops what is left and removes the temporary folders. A second
// signal kills them and ends the driver on the spot.
void install_interrupt_handlers();

bool interrupted();
// Called in every loop that waits or starts something, so that an interrupted run unwinds promptly: throws a
// bench_error once a signal came.
void check_interrupted();

// The groups a signal reaches: every helper started in a process group of its own is remembered while it
// runs (at most 64 at once).
void remember_group(pid_t pgid);
void forget_group(pid_t pgid);

} // namespace sluice::bench
