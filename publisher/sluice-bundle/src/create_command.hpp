#pragma once

#include "common/result.hpp"
#include "sluice-bundle/progress.hpp"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sluice::publisher {

namespace fs = std::filesystem;

struct create_options {
    fs::path spec_file;
    std::optional<fs::path> source_dir; // default: the spec file's folder
    fs::path key_file;                  // the publisher's signing key
    fs::path out_dir;
    std::optional<fs::path> reuse_keys; // an earlier version's <id>.keys.json
    std::optional<fs::path> old_bundle; // that version's bundle folder; default: beside the keys file
    // What `sluice-gate translations export` wrote: viewers' translations approved for an earlier version,
    // carried into this one as subtitle tracks of their items.
    std::optional<fs::path> include_translations;
    bool force = false;
    int piece_length = 0; // 0: libtorrent's automatic choice
    // Items that do not play in every browser as they are are converted once (ffmpeg) into MP4 before they
    // are stored; without it, they are only warned about.
    bool prepare_media = false;
    progress_mode progress = progress_mode::off;
};

struct create_outcome {
    std::string bundle_id;
    std::uint64_t version = 0;
    fs::path bundle_dir;
    fs::path torrent_file;
    fs::path keys_file;
    std::string magnet;
    std::string info_hash_v1;
    std::string info_hash_v2;
    std::uint64_t total_bytes = 0; // stored in the bundle
};

// `sluice-bundle create`: reads and checks the spec and every source file first, then writes the bundle
// folder (bundle.json, bundle.sig, items; locked items encrypted), the hybrid .torrent and the item keys
// file into a staging folder, and renames them into `out_dir` only once all of it is written and synced.
// Warnings (a reused key that had to be replaced, a version that does not go up, an item browsers do not play
// as it is) go to `log` as they arise.
result<create_outcome> create_bundle(create_options const& options, std::FILE* log);

} // namespace sluice::publisher
