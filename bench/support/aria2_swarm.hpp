// A slow swarm on loopback: aria2c seeders of one torrent, each capped at an upload rate, most on an address
// of their own (127.0.0.2, .3, ...) and some behind one shared address, as peers behind one NAT are.
#pragma once

#include "support/child_process.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace sluice::bench {

struct swarm_spec {
    std::filesystem::path torrent_file;
    std::filesystem::path data_dir; // holds the complete file the torrent describes
    int seeders = 8;
    int shared = 2;                               // of them, how many share 127.0.0.1 (on distinct ports)
    std::uint64_t upload_bytes_per_s = 1'500'000; // each seeder's cap
    std::filesystem::path log_dir;
};

class aria2_swarm {
public:
    // Returns once every seeder accepts connections.
    explicit aria2_swarm(swarm_spec spec);

    // "ADDRESS:PORT" of each seeder.
    std::vector<std::string> const& endpoints() const { return endpoints_; }
    // A magnet's x.pe parameters naming every seeder: "&x.pe=A:P&x.pe=...".
    std::string magnet_peers() const;
    double total_upload_bytes_per_s() const;

private:
    swarm_spec spec_;
    std::vector<std::unique_ptr<child_process>> seeders_;
    std::vector<std::string> endpoints_;
};

} // namespace sluice::bench
