// lt_seed (bench/lt_seed.cpp) seeding one torrent on loopback for the length of a run.
#pragma once

#include "support/child_process.hpp"

#include <filesystem>
#include <string>

namespace sluice::bench {

// `lt_seed seed TORRENT SAVE_DIR` in a process group of its own, stopped with it. The constructor returns
// once the seed has announced its port, which it does only when the torrent is checked and accepts peers: a
// peer that connects before is turned away and comes back only a minute later.
class lt_seed_process {
public:
    lt_seed_process(std::filesystem::path const& lt_seed, std::filesystem::path const& torrent_file,
                    std::filesystem::path const& save_dir, std::filesystem::path const& log);

    int port() const { return port_; }
    std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); } // for a magnet's x.pe

private:
    child_process proc_;
    int port_ = 0;
};

} // namespace sluice::bench
