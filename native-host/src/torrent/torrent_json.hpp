#pragma once

#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_status.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace sluice::torrent {

namespace lt = libtorrent;

// One torrent as torrent.list and torrent.updated show it.
nlohmann::json status_json(std::string const& id, lt::torrent_status const& st);

// The members of `now` that differ from `before` (all of them when `before` is empty).
nlohmann::json changed_fields(nlohmann::json const& before, nlohmann::json const& now);

// torrent.files: a page of the torrent's files (pad files left out), each with index, path, size,
// progress 0..1, mime, priority and the stream URL `stream_url(index, path)` gives.
nlohmann::json files_json(lt::torrent_handle const& h, std::size_t offset, std::size_t limit,
                          std::function<std::string(int, std::string const&)> const& stream_url);

} // namespace sluice::torrent
