#pragma once

#include <chrono>
#include <thread>

namespace sluice::testing {

// Polls `done` until it holds or `timeout` passes; true if it held. For conditions only observable by asking
// (a torrent's progress, a file's presence), where no event can be waited on directly.
template <typename Predicate>
bool wait_until(Predicate done, std::chrono::milliseconds timeout = std::chrono::seconds(20),
                std::chrono::milliseconds every = std::chrono::milliseconds(20)) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(every);
    }
    return true;
}

} // namespace sluice::testing
