#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::gate {

// What a tracker's scrape (BEP 48) says of a bundle's torrent, and how it is asked.

// The info-hashes a tracker knows a magnet's torrent by, as 40 lower-case hex digits: its v1 hash and its v2
// hash cut to 20 bytes (what BitTorrent v2 clients announce). None for a link that does not parse.
std::vector<std::string> tracker_hashes(std::string_view magnet);

// The scrape URL of an announce URL: its last path segment "announce..." made "scrape..." (BEP 48);
// nullopt for a tracker that has no scrape (a last segment of another name) or a URL that is not http(s).
std::optional<std::string> scrape_url_of(std::string_view announce);

// The scrape URL asking for `hashes` (40 hex digits each), each as an info_hash parameter of its 20 bytes.
std::string scrape_request(std::string_view scrape_url, std::vector<std::string> const& hashes);

struct swarm_counts {
    std::uint64_t seeds = 0;      // "complete"
    std::uint64_t leechers = 0;   // "incomplete"
    std::uint64_t downloaded = 0; // completed downloads the tracker saw
};

// The counts of each hash the answer names, by 40-hex hash; a hash the tracker does not track is absent.
// nullopt, with `error` said, for an answer that is not a bencoded scrape (or says "failure reason").
std::optional<std::map<std::string, swarm_counts>> parse_scrape(std::string_view body, std::string& error);

} // namespace sluice::gate
