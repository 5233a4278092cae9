// The test file the streaming benchmarks share: random bytes of a given size and its v1 .torrent, made once
// and kept in the cache folder (reused by size alone), read back to check what a streamer sent.
#pragma once

#include "support/loopback_http.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sluice::bench {

struct bench_file {
    std::filesystem::path dir; // the file's folder: a web server's root, and the savePath of every seed
    std::string name;
    std::filesystem::path file;
    std::filesystem::path torrent_file;
    std::string torrent_bytes;
    std::string info_hash; // v1, hex
    std::uint64_t size = 0;
    unique_fd fd;

    std::string read_at(std::uint64_t offset, std::size_t length) const;
    // A magnet link for the file, with `peers` as its x.pe parameters ("127.0.0.1:6881", ...).
    std::string magnet(std::vector<std::string> const& peers) const;
};

// The pieces are 1 MiB: what a 1 GiB file gets from most torrent makers.
inline constexpr int bench_piece_size = 1024 * 1024;

bench_file prepare_bench_file(std::filesystem::path const& cache, std::uint64_t size_mib);

} // namespace sluice::bench
