#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

namespace sluice::native_messaging {

enum class owner_start {
    listening,       // we started an owner and it is accepting connections
    already_running, // another owner holds the lock; it is (or soon will be) accepting
    failed,
};

struct relay_options {
    std::filesystem::path socket_file;
    std::uint32_t max_inbound_frame_bytes = 8 * 1024 * 1024;
    // Starts an owner process and returns once it listens (or found one already there).
    std::function<owner_start()> start_owner;
    // How long to wait for the owner's last replies after the browser closed stdin.
    int drain_timeout_ms = 5000;
    // How long finding an owner that takes us may last, from the relay's start, counting the waits for
    // owners that were leaving when we met them. Longer than an owner takes to save its state and go.
    int find_owner_timeout_ms = 30000;
};

// What every browser-launched sluice-host does: connect to the session's owner (starting one when there is
// none) and relay native-messaging frames both ways until either side ends. Framing is checked here, on the
// browser's side of the hop: an oversized or empty frame is answered here and never forwarded.
//
// An owner may be leaving when we connect (its last client has just gone): it then closes our connection
// without its greeting (attach_greeting.hpp), having read nothing of it. The relay then finds or starts the
// next owner and sends it what it had sent the leaving one, so the browser loses no request and gets no
// answer twice. Once greeted, a connection that ends is the owner going away, and ends the relay.
//
// Returns the process exit code: 0 when the browser closed the port or a signal asked us to stop, 1 when no
// owner took us within find_owner_timeout_ms or the owner went away.
int run_relay(relay_options const& options);

} // namespace sluice::native_messaging
