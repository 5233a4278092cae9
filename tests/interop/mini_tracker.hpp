#pragma once

#include <memory>
#include <string>
#include <vector>

namespace sluice::testing {

// A BitTorrent HTTP tracker (BEP 3, compact peer lists per BEP 23) on 127.0.0.1 for one test. Some clients
// cannot be handed a peer on the command line (transmission-cli; aria2c for a .torrent), but all of them
// announce to a tracker. Every announce gets the peers the test named plus every other client that has
// announced, so clients find each other whichever of them announces first.
class mini_tracker {
public:
    mini_tracker();
    ~mini_tracker();
    mini_tracker(mini_tracker const&) = delete;
    mini_tracker& operator=(mini_tracker const&) = delete;

    std::string announce_url() const;
    // A peer handed out on every announce, whether or not it announces itself.
    void add_peer(std::string const& ipv4, int port);
    // What the tracker was asked, one line per announce, for failure messages.
    std::string announces() const;

private:
    struct state;
    std::unique_ptr<state> state_;
};

// The .torrent `bytes` with `announce` set to `url`. The info dictionary is not touched (libtorrent writes
// canonical bencoding, which re-encodes to the same bytes), so the info-hash stays the same.
std::string with_tracker(std::string const& torrent_bytes, std::string const& url);

} // namespace sluice::testing
