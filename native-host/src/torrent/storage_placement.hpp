#pragma once

#include <libtorrent/torrent_handle.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sluice::torrent {

// Where a torrent's files go, so that no two torrents of the session ever share one. libtorrent puts a
// torrent's files at <save path>/<name>; two torrents with the same name in one folder would read and write
// each other's bytes (every version of a bundle is named after its id). A torrent whose <folder>/<name> is
// held by another torrent gets the save path <folder>/<name> (2)/ (or (3), ...), a folder nobody holds,
// which the resume data keeps across restarts.

// A folder held by a torrent of the session: its save path and its name (the root folder, or the single
// file, below the save path).
struct held_name {
    std::filesystem::path save_path;
    std::string name;
};

// `a` and `b` name the same folder (lexically, after normalising "." and "..", and ignoring a trailing '/').
bool same_folder(std::filesystem::path const& a, std::filesystem::path const& b);

// Whether <folder>/<name> is held by one of `held`.
bool is_held(std::filesystem::path const& folder, std::string const& name,
             std::vector<held_name> const& held);

// The save path for a torrent named `name` that wants `folder`: `folder` itself when <folder>/<name> is not
// held; otherwise the first <folder>/<name> (N) (N = 2, 3, ...) that is neither held nor on disk.
// `exists` answers for the disk (a parameter, for the tests).
std::filesystem::path free_save_path(std::filesystem::path const& folder, std::string const& name,
                                     std::vector<held_name> const& held,
                                     std::function<bool(std::filesystem::path const&)> const& exists);

// A magnet's name is known only once its metadata arrives, and libtorrent sets up (creates, truncates) the
// files at the save path at that very moment. So a magnet is first fetched into a folder of its own,
// <folder>/.sluice-incoming/<id>, and moved to its place once its name is known.
std::filesystem::path incoming_path(std::filesystem::path const& folder, std::string const& id);

// The folder a magnet waiting in incoming_path() wants; nullopt for any other save path.
std::optional<std::filesystem::path> incoming_destination(std::filesystem::path const& save_path);

// Where file `index` of the torrent is on disk now: a magnet's files leave their incoming folder once its
// name is known, so a path taken earlier may be gone. Empty before the metadata, or for an index out of
// range.
std::string file_path_on_disk(libtorrent::torrent_handle const& h, libtorrent::file_index_t index);

} // namespace sluice::torrent
