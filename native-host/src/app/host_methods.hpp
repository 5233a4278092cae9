#pragma once

#include "native_messaging/rpc_dispatcher.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace sluice::app {

// Facts about this running host that host.hello reports.
struct host_identity {
    std::string version;
    std::string libtorrent_version;
    int protocol_version = 0;
    long pid = 0;
    std::string session_id; // random per owner process: two clients seeing the same id share one session
    std::string started_at; // ISO 8601, UTC
    std::uint32_t max_inbound_frame_bytes = 0;
    std::string stream_base_url;
};

// Registers the host.* methods. `attached_clients` is asked at call time.
// `announce_origin` receives the extension origin a client names in host.hello (Firefox's is random per
// install, so the stream server learns it this way to allow it in CORS).
void add_host_methods(native_messaging::rpc_dispatcher& dispatcher, host_identity identity,
                      std::function<std::size_t()> attached_clients,
                      std::function<void(std::string const&)> announce_origin = {});

} // namespace sluice::app
