#pragma once

#include "common/result.hpp"
#include "sluice-bundle/torrent_hashes.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::publisher {

// One file of the torrent, already hashed (see file_piece_hasher).
struct torrent_file {
    std::string path; // inside the root folder, '/'-separated
    file_piece_hashes hashes;
};

struct torrent_settings {
    std::string name; // the root folder: a bundle's id
    int piece_length = 0;
    std::vector<std::string> trackers;  // one tier each, tried in this order
    std::vector<std::string> web_seeds; // BEP 19 base URLs: `<url><name>/<path>` is each file
    std::string creator;                // "created by"
};

// libtorrent's own choice for a torrent of `total_size` bytes (about a thousand to a few thousand
// pieces), made here because the files are hashed before the torrent object exists.
int automatic_piece_length(std::uint64_t total_size);

// A hybrid v1+v2 .torrent (libtorrent 2.0's default layout: files in canonical order, each starting on a
// piece boundary, pad files between them) from files hashed in advance. Returns the bencoded bytes.
result<std::string> make_torrent(std::vector<torrent_file> const& files, torrent_settings const& settings);

} // namespace sluice::publisher
