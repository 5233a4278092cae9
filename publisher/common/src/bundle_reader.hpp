#pragma once

#include "common/result.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <libtorrent/torrent_info.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::publisher {

namespace fs = std::filesystem;
namespace lt = libtorrent;

// What `verify` and `inspect` read: a bundle folder's manifest and signature, a .torrent, and the way
// from a .torrent to the folder that holds its data.

struct manifest_files {
    fs::path folder;
    std::string manifest;                 // bundle.json, exactly as on disk
    std::optional<std::string> signature; // bundle.sig; nullopt when there is none
};

// Fails (in words) when bundle.json is missing, unreadable or larger than a manifest may be.
result<manifest_files> read_manifest_files(fs::path const& folder);

// A .torrent read with limits (64 MiB, libtorrent's piece-count and decoding limits).
result<std::shared_ptr<lt::torrent_info const>> parse_torrent(std::string_view bytes);
result<std::shared_ptr<lt::torrent_info const>> load_torrent(fs::path const& file);

// The bundle folder for a torrent named `name`: `data` itself if it holds bundle.json, else `data/<name>`;
// without `data`, `<name>` next to the .torrent (where `create` puts it). nullopt if none holds bundle.json.
std::optional<fs::path> find_bundle_folder(fs::path const& torrent_file, std::string const& name,
                                           std::optional<fs::path> const& data);

// A file's path inside the torrent's root folder ("season/ep.webm" for "<name>/season/ep.webm").
std::string path_in_root(lt::file_storage const& files, lt::file_index_t index);

// The torrent's files below its root folder with their sizes and pieces roots (all zeros without v2), pad
// files left out: what protocol::compare_with_torrent() holds against a manifest.
std::vector<protocol::stored_file> torrent_stored_files(lt::torrent_info const& torrent);

std::string v1_hex(lt::torrent_info const& torrent); // empty when the torrent has no v1 info-hash
std::string v2_hex(lt::torrent_info const& torrent); // empty when it has no v2 info-hash

} // namespace sluice::publisher
