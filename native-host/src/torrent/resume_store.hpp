#pragma once

#include <libtorrent/add_torrent_params.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace sluice::torrent {

namespace lt = libtorrent;

// Resume data on disk: one file per torrent, `<infoHash>.resume`, written atomically so that a kill -9 in
// the middle of a save leaves the previous save, never a torn file.
class resume_store {
public:
    explicit resume_store(std::filesystem::path dir);

    void save(std::string const& id, lt::add_torrent_params const& params, std::error_code& ec) const;
    void remove(std::string const& id) const;

    // Every readable resume file; unreadable ones are logged and skipped (moved aside as `.bad`, so they
    // are kept for inspection but not tried again).
    std::vector<lt::add_torrent_params> load_all() const;

private:
    std::filesystem::path dir_;
};

} // namespace sluice::torrent
