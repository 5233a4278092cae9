#include "torrent_fixture.hpp"

#include "loopback_settings.hpp"

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/torrent_info.hpp>
#include <sodium.h>

#include <fstream>
#include <random>
#include <thread>

namespace sluice::testing {

namespace lt = libtorrent;

std::string make_file(std::filesystem::path const& path, std::size_t size, std::uint32_t seed) {
    std::filesystem::create_directories(path.parent_path());
    std::mt19937 rng(seed);
    std::string data(size, '\0');
    for (std::size_t i = 0; i < size; i += 4) {
        auto const v = rng();
        for (std::size_t k = 0; k < 4 && i + k < size; ++k) {
            data[i + k] = static_cast<char>(v >> (8 * k));
        }
    }
    std::ofstream(path, std::ios::binary).write(data.data(), static_cast<std::streamsize>(data.size()));
    return data;
}

made_torrent make_torrent(std::filesystem::path const& content, int piece_size,
                          std::vector<std::string> const& web_seeds, torrent_kind kind) {
    lt::file_storage fs;
    lt::add_files(fs, content.string());
    lt::create_flags_t const flags =
        kind == torrent_kind::v1_only ? lt::create_torrent::v1_only : lt::create_flags_t{};
    lt::create_torrent ct(fs, piece_size, flags);
    for (auto const& ws : web_seeds) {
        ct.add_url_seed(ws);
    }
    ct.set_creator("sluice tests");
    lt::set_piece_hashes(ct, content.parent_path().string());
    made_torrent out;
    auto const buf = ct.generate_buf();
    out.bytes.assign(buf.begin(), buf.end());
    lt::torrent_info const ti(lt::span<char const>(out.bytes.data(), static_cast<long>(out.bytes.size())),
                              lt::from_span);
    std::ostringstream hex;
    hex << ti.info_hashes().v1;
    out.info_hash = hex.str();
    if (ti.info_hashes().has_v2()) {
        std::ostringstream hex2;
        hex2 << ti.info_hashes().v2;
        out.info_hash_v2 = hex2.str();
    }
    out.name = ti.name();
    return out;
}

loopback_seed::loopback_seed(made_torrent const& torrent, std::filesystem::path const& save_path) {
    auto pack = loopback_settings(lt::alert_category::status);
    pack.set_bool(lt::settings_pack::allow_multiple_connections_per_ip, true);
    session_ = std::make_unique<lt::session>(pack);
    lt::add_torrent_params p;
    p.ti = std::make_shared<lt::torrent_info>(
        lt::span<char const>(torrent.bytes.data(), static_cast<long>(torrent.bytes.size())), lt::from_span);
    p.save_path = save_path.string();
    p.flags |= lt::torrent_flags::seed_mode;
    p.flags &= ~lt::torrent_flags::auto_managed;
    p.flags &= ~lt::torrent_flags::paused;
    session_->add_torrent(std::move(p));
    // Wait until it accepts peers: a peer that connects earlier is turned away ("torrent is not ready to
    // accept peers") and, as libtorrent counts that as a failure, comes back only a minute later. The
    // torrent reports seeding a little before that point; its checked alert comes at it.
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    bool checked = false;
    while (!checked && std::chrono::steady_clock::now() < deadline) {
        session_->wait_for_alert(std::chrono::milliseconds(100));
        std::vector<lt::alert*> alerts;
        session_->pop_alerts(&alerts);
        for (auto const* a : alerts) {
            checked = checked || lt::alert_cast<lt::torrent_checked_alert>(a) != nullptr;
        }
    }
    for (int i = 0; i < 500 && port() == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

loopback_seed::~loopback_seed() = default;

int loopback_seed::port() const {
    return session_->listen_port();
}

std::string sha256_hex(std::string const& data) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<unsigned char const*>(data.data()), data.size());
    static char const digits[] = "0123456789abcdef";
    std::string out;
    for (auto b : digest) {
        out += digits[b >> 4];
        out += digits[b & 0xF];
    }
    return out;
}

} // namespace sluice::testing
