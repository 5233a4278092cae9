// peerflix and webtorrent-cli, the peer streamers the host is measured against: installed once into the cache
// (with the files of bench/js/streamers/ beside them) and started on loopback.
#pragma once

#include "support/bench_file.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sluice::bench {

enum class js_streamer { peerflix, webtorrent };

std::string js_streamer_name(js_streamer kind);

// Installs both into `dir` unless its stamp says the pinned versions are there; what went wrong, if anything.
std::optional<std::string> install_js_streamers(std::filesystem::path const& dir);

// node's arguments for streaming `file` from `peers` ("ADDRESS:PORT") over HTTP on 127.0.0.1:`port`, keeping
// what it downloads in `out_dir`, and the path the film is served at.
struct js_launch {
    std::vector<std::string> args;
    std::string target;
};
js_launch js_streamer_launch(js_streamer kind, std::filesystem::path const& install, bench_file const& file,
                             std::vector<std::string> const& peers, std::uint16_t port,
                             std::filesystem::path const& out_dir);

} // namespace sluice::bench
