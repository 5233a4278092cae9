#pragma once

#include "app/paths.hpp"

namespace sluice::app {

// `sluice-host --serve`: the process that owns the user's one session. It detaches from whoever started it
// (its own session, stdio on /dev/null: a browser that kills the relay it launched must not take the
// session down with it), takes the owner lock, replaces a stale socket, listens, reports readiness to its
// launcher through a pipe, then serves relays until the last one leaves, or SIGTERM/SIGINT, and saves its
// state on the way out. Returns the launcher's exit code (see owner_launcher.hpp).
int run_owner(host_paths const& paths);

} // namespace sluice::app
