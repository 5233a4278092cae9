#pragma once

#include <memory>
#include <string>
#include <vector>

namespace sluice::testing {

// A BitTorrent HTTP tracker (BEP 3, compact peer lists per BEP 23) on 127.0.0.1 for one test: aria2c
// cannot be handed a peer for a .torrent on its command line and ignores x.pe in magnets, but it asks a
// tracker. Every announce gets the peers the test named plus every other client that has announced, so
// clients find each other whichever of them announces first.
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

} // namespace sluice::testing
