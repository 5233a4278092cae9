#pragma once

#include <boost/process/child.hpp>

#include <chrono>
#include <thread>

namespace sluice::testing {

// Waits for a child process to exit, at most `timeout`; true if it did (its exit_code() is then valid).
// Boost.Process 1.74's child::wait_for was seen blocking far past its timeout when the child had already
// exited; polling running() (waitpid with WNOHANG) cannot.
inline bool wait_for_child(boost::process::child& child, std::chrono::milliseconds timeout) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    while (child.running()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

} // namespace sluice::testing
