#pragma once

namespace sluice::publisher {

// Ctrl-C and SIGTERM during long work. The handlers only record the signal; the loops that read, encrypt
// and hash check interrupted() between buffers and unwind, so the staging folder is removed by its owner
// on the way out instead of by a signal handler racing the writes. Once the work has unwound, the caller
// re-raises the signal so that a shell sees the command as interrupted.
void install_interrupt_handlers();
bool interrupted();
// Restores the default action of the signal that interrupted the work and raises it; returns only if no
// signal was recorded.
void reraise_interrupt();

} // namespace sluice::publisher
