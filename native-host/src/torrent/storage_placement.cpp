#include "torrent/storage_placement.hpp"

#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <algorithm>

namespace sluice::torrent {

namespace {

constexpr char incoming_folder[] = ".sluice-incoming";

std::filesystem::path normal(std::filesystem::path const& p) {
    auto n = p.lexically_normal();
    // "/a/b/" and "/a/b" are one folder.
    if (!n.has_filename() && n.has_parent_path() && n != n.root_path()) {
        n = n.parent_path();
    }
    return n;
}

} // namespace

bool same_folder(std::filesystem::path const& a, std::filesystem::path const& b) {
    return normal(a) == normal(b);
}

bool is_held(std::filesystem::path const& folder, std::string const& name,
             std::vector<held_name> const& held) {
    return std::any_of(held.begin(), held.end(), [&](held_name const& h) {
        return h.name == name && same_folder(h.save_path, folder);
    });
}

std::filesystem::path free_save_path(std::filesystem::path const& folder, std::string const& name,
                                     std::vector<held_name> const& held,
                                     std::function<bool(std::filesystem::path const&)> const& exists) {
    if (!is_held(folder, name, held)) {
        return folder;
    }
    for (int n = 2;; ++n) {
        auto candidate = normal(folder) / (name + " (" + std::to_string(n) + ")");
        // A folder of this form that already exists may hold a torrent removed with its files kept, or the
        // person's own files: a new folder is the only one known to be free.
        bool const taken = exists(candidate) || is_held(folder, candidate.filename().string(), held) ||
                           std::any_of(held.begin(), held.end(), [&](held_name const& h) {
                               return same_folder(h.save_path, candidate);
                           });
        if (!taken) {
            return candidate;
        }
    }
}

std::filesystem::path incoming_path(std::filesystem::path const& folder, std::string const& id) {
    return normal(folder) / incoming_folder / id;
}

std::optional<std::filesystem::path> incoming_destination(std::filesystem::path const& save_path) {
    auto const p = normal(save_path);
    if (!p.has_parent_path() || p.parent_path().filename() != incoming_folder) {
        return std::nullopt;
    }
    return p.parent_path().parent_path();
}

std::string file_path_on_disk(libtorrent::torrent_handle const& h, libtorrent::file_index_t index) {
    auto const ti = h.torrent_file();
    if (!ti || index < libtorrent::file_index_t(0) || index >= ti->files().end_file()) {
        return {};
    }
    return h.status(libtorrent::torrent_handle::query_save_path).save_path + "/" +
           ti->files().file_path(index);
}

} // namespace sluice::torrent
