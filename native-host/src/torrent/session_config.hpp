#pragma once

#include <string>

namespace sluice::torrent {

// The BitTorrent session's switches. Defaults are for real use; tests and privacy-minded users turn the
// discovery services off.
struct session_config {
    bool dht = true;
    bool lsd = true;
    bool upnp = true;
    bool natpmp = true;
    std::string listen_interfaces = "0.0.0.0:6881,[::]:6881";
    bool utp = true;
    int download_rate_limit = 0; // bytes per second, 0 = unlimited
    int upload_rate_limit = 0;
    int connections_limit = 200;
};

} // namespace sluice::torrent
