#include "torrent/torrent_sources.hpp"

#include <algorithm>

namespace sluice::torrent {

nlohmann::json tracker_json(lt::announce_entry const& tracker) {
    bool working = false;
    bool announcing = false;
    bool failed = false;
    std::string message;
    int seeds = -1;
    int leechers = -1;
    for (auto const& endpoint : tracker.endpoints) {
        for (auto const& hash : endpoint.info_hashes) {
            working = working || (hash.start_sent && hash.fails == 0);
            announcing = announcing || hash.updating;
            if (hash.fails > 0) {
                failed = true;
                // The tracker's own words (a failure reason or warning) say more than a socket error.
                if (message.empty() || !hash.message.empty()) {
                    message = hash.message.empty() ? hash.last_error.message() : hash.message;
                }
            } else if (message.empty() && !hash.message.empty()) {
                message = hash.message; // a warning from a tracker that answered
            }
            seeds = std::max(seeds, hash.scrape_complete);
            leechers = std::max(leechers, hash.scrape_incomplete);
        }
    }
    // A tracker that answers on any of its addresses is a source; a retry after a failure shows as
    // announcing, with the failure's message kept beside it.
    char const* status = working ? "working" : announcing ? "announcing" : failed ? "error" : "not-contacted";
    nlohmann::json j = {
        {"url", tracker.url}, {"status", status}, {"message", message.substr(0, max_tracker_message_bytes)}};
    if (seeds >= 0) {
        j["seeds"] = seeds;
    }
    if (leechers >= 0) {
        j["leechers"] = leechers;
    }
    return j;
}

nlohmann::json sources_json(std::vector<lt::announce_entry> const& trackers, std::size_t listed,
                            int web_seeds, int peers_known, std::optional<int> dht_nodes) {
    auto shown = nlohmann::json::array();
    for (std::size_t i = 0; i < trackers.size() && i < std::min(listed, max_listed_trackers); ++i) {
        shown.push_back(tracker_json(trackers[i]));
    }
    return {
        {"trackers", std::move(shown)},
        {"trackersTotal", trackers.size()},
        {"webSeeds", web_seeds},
        {"peersKnown", peers_known},
        {"dhtNodes", dht_nodes ? nlohmann::json(*dht_nodes) : nlohmann::json(nullptr)},
    };
}

} // namespace sluice::torrent
