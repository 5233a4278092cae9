#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace libtorrent {
class session;
}

namespace sluice::testing {

// Writes `size` pseudo-random bytes (seeded, so every run makes the same file) and returns them.
std::string make_file(std::filesystem::path const& path, std::size_t size, std::uint32_t seed = 1);

struct made_torrent {
    std::string bytes;     // the .torrent file
    std::string info_hash; // 40-hex v1 info-hash
    std::string name;
    std::string info_hash_v2; // 64-hex v2 info-hash of a hybrid torrent, empty for a v1-only one
};

enum class torrent_kind { hybrid, v1_only };

// Makes a .torrent of `content` (a file or a folder) whose parent folder is the save path.
made_torrent make_torrent(std::filesystem::path const& content, int piece_size = 256 * 1024,
                          std::vector<std::string> const& web_seeds = {},
                          torrent_kind kind = torrent_kind::hybrid);

// A libtorrent session in this process that seeds one torrent on 127.0.0.1 over TCP only (uTP over
// loopback is very slow), with no DHT, LSD, UPnP or NAT-PMP: the quickest source a test can have.
class loopback_seed {
public:
    loopback_seed(made_torrent const& torrent, std::filesystem::path const& save_path);
    ~loopback_seed();
    int port() const;
    std::string endpoint() const { return "127.0.0.1:" + std::to_string(port()); }

private:
    std::unique_ptr<libtorrent::session> session_;
};

std::string sha256_hex(std::string const& data);

} // namespace sluice::testing
