#include "support/interrupt.hpp"

#include "support/bench_main.hpp"

#include <array>
#include <atomic>
#include <csignal>
#include <unistd.h>

namespace sluice::bench {

namespace {

std::array<std::atomic<pid_t>, 64> live_groups{};
std::atomic<bool> signalled{false};

extern "C" void on_interrupt(int signo) {
    bool const again = signalled.exchange(true);
    for (auto& slot : live_groups) {
        if (pid_t const pgid = slot.load(); pgid > 0) {
            ::kill(-pgid, again ? SIGKILL : SIGTERM);
        }
    }
    if (again) {
        ::_exit(128 + signo);
    }
}

} // namespace

void install_interrupt_handlers() {
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
}

bool interrupted() {
    return signalled.load();
}

void check_interrupted() {
    if (signalled.load()) {
        throw bench_error("interrupted");
    }
}

void remember_group(pid_t pgid) {
    for (auto& slot : live_groups) {
        pid_t expected = 0;
        if (slot.compare_exchange_strong(expected, pgid)) {
            return;
        }
    }
}

void forget_group(pid_t pgid) {
    for (auto& slot : live_groups) {
        pid_t expected = pgid;
        slot.compare_exchange_strong(expected, 0);
    }
}

} // namespace sluice::bench
