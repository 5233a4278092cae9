#pragma once

#include <chrono>

namespace sluice::testing {

// A TCP port on 127.0.0.1 that was free a moment ago: for tools that cannot be told to pick one themselves,
// and as an address where no peer listens.
int free_port();

// True once a TCP connection to 127.0.0.1:port succeeds, false if none does within `timeout`.
bool wait_for_listener(int port, std::chrono::milliseconds timeout);

} // namespace sluice::testing
