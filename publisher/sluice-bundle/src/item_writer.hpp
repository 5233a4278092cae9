#pragma once

#include "common/result.hpp"
#include "sluice-bundle/progress.hpp"
#include "sluice-bundle/torrent_hashes.hpp"

#include <sluice/protocol/locked_item.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace sluice::publisher {

namespace fs = std::filesystem;
namespace protocol = sluice::protocol;

// A file written into the bundle, with everything `create` needs to know about it afterwards.
struct written_file {
    std::uint64_t plain_size = 0;
    std::array<unsigned char, 32> plain_sha256{}; // what the manifest says
    std::uint64_t stored_size = 0;                // what the torrent carries
    file_piece_hashes pieces;                     // the torrent's hashes of the stored bytes
};

// Both writers make one pass over the source: the calling thread reads, hashes the plaintext (SHA-256 for
// the manifest) and, for a locked item, seals it chunk by chunk; a second thread hashes the result for the
// torrent (SHA-1 pieces, SHA-256 blocks) and a third writes it. Each reports bytes of the source to
// `progress`, stops at interrupted(), and fails if the source does not have `expected_size` bytes (it changed
// since the plan). `target` must not exist yet.

// Stores the source as it is (free items, subtitles, the cover).
result<written_file> write_plain_file(fs::path const& source, fs::path const& target,
                                      std::uint64_t expected_size, int piece_length,
                                      progress_meter& progress);

// Stores the source in the locked-item format (protocol/locked-items.md), 64 KiB chunks, bound to
// `identity` (item_identity of the bundle id and the item's bundle path).
result<written_file> write_locked_file(fs::path const& source, fs::path const& target,
                                       std::uint64_t expected_size, protocol::item_key const& key,
                                       std::array<unsigned char, 32> const& identity, int piece_length,
                                       progress_meter& progress);

// A small file held in memory (bundle.json, bundle.sig), written and hashed the same way.
result<written_file> write_small_file(std::string_view bytes, fs::path const& target, int piece_length);

// SHA-256 of bytes in memory.
std::array<unsigned char, 32> sha256_of(std::string_view bytes);

} // namespace sluice::publisher
