#pragma once

#include "native_messaging/relay.hpp"

#include <filesystem>

namespace sluice::app {

// Exit codes of `sluice-host --serve`'s launcher process: it exits as soon as the detached owner it forked
// is listening (or has found another owner holding the lock), so the relay knows when to connect.
inline constexpr int owner_exit_listening = 0;
inline constexpr int owner_exit_already_running = 3;

// Starts `host_exe --serve` with Boost.Process and waits for its launcher to report.
native_messaging::owner_start launch_owner(std::filesystem::path const& host_exe);

} // namespace sluice::app
