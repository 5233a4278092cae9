#pragma once

#include <libtorrent/announce_entry.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sluice::torrent {

namespace lt = libtorrent;

// At most this many trackers are listed per torrent (a torrent may name hundreds), each message cut to
// max_tracker_message_bytes: torrent.list is one frame, and a browser takes no frame over 1 MiB.
inline constexpr std::size_t max_listed_trackers = 8;
inline constexpr std::size_t max_tracker_message_bytes = 300;

// What a torrent can get peers and data from, as torrent.list shows it so that a viewer who waits sees why:
// the state of its first `listed` trackers ("not-contacted", "announcing", "working", "error") with their
// last error or warning and scrape counts, how many trackers there are, how many web seeds the torrent has,
// how many peers it knows, and the DHT's routing-table size (null when the DHT is off).
nlohmann::json sources_json(std::vector<lt::announce_entry> const& trackers, std::size_t listed,
                            int web_seeds, int peers_known, std::optional<int> dht_nodes);

// One tracker's state, told from the announce state of each of its endpoints and info-hashes (a hybrid
// torrent announces both hashes to each of the tracker's addresses).
nlohmann::json tracker_json(lt::announce_entry const& tracker);

} // namespace sluice::torrent
