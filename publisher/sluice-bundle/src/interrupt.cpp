#include "sluice-bundle/interrupt.hpp"

#include <csignal>

namespace sluice::publisher {

namespace {

volatile std::sig_atomic_t pending_signal = 0;

extern "C" void record_signal(int signo) {
    pending_signal = signo;
}

} // namespace

void install_interrupt_handlers() {
    struct sigaction action {};
    action.sa_handler = record_signal;
    sigemptyset(&action.sa_mask);
    // No SA_RESTART: a blocking read or write returns EINTR and is retried, but the loop around it then
    // gets to look at the flag.
    action.sa_flags = 0;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() {
    return pending_signal != 0;
}

void reraise_interrupt() {
    int const signo = pending_signal;
    if (signo == 0) {
        return;
    }
    std::signal(signo, SIG_DFL);
    std::raise(signo);
}

} // namespace sluice::publisher
