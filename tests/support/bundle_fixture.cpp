#include "bundle_fixture.hpp"

#include "torrent_fixture.hpp"

#include <sodium.h>

#include <fstream>

namespace sluice::testing {

namespace fs = std::filesystem;
using protocol::bundle_item;

namespace {

void write_bytes(fs::path const& path, std::string_view bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::array<unsigned char, 32> sha256(std::string const& bytes) {
    std::array<unsigned char, 32> out{};
    crypto_hash_sha256(out.data(), reinterpret_cast<unsigned char const*>(bytes.data()), bytes.size());
    return out;
}

// BEP 52's pieces root, computed here the plain way (16 KiB leaves, zero leaves up to a power of two) so that
// the tests hold the host and the tools to the standard, not to their own code.
protocol::sha256_digest pieces_root(std::string const& bytes) {
    constexpr std::size_t block = 16 * 1024;
    if (bytes.empty()) {
        return {};
    }
    std::vector<protocol::sha256_digest> layer;
    for (std::size_t at = 0; at < bytes.size(); at += block) {
        layer.push_back(sha256(bytes.substr(at, block)));
    }
    std::size_t width = 1;
    while (width < layer.size()) {
        width *= 2;
    }
    layer.resize(width, protocol::sha256_digest{});
    while (layer.size() > 1) {
        std::vector<protocol::sha256_digest> up;
        for (std::size_t i = 0; i < layer.size(); i += 2) {
            std::string pair(reinterpret_cast<char const*>(layer[i].data()), 32);
            pair.append(reinterpret_cast<char const*>(layer[i + 1].data()), 32);
            up.push_back(sha256(pair));
        }
        layer = std::move(up);
    }
    return layer.front();
}

std::string seeded_bytes(std::size_t size, std::uint32_t seed) {
    std::string out(size, '\0');
    std::uint32_t x = seed * 2654435761u + 1;
    for (auto& c : out) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = static_cast<char>(x);
    }
    return out;
}

} // namespace

test_bundle test_bundle::make(fs::path const& parent, std::string const& id, std::uint64_t version,
                              std::size_t episode_size) {
    test_bundle b;
    b.folder = parent / id;
    auto& m = b.manifest;
    m.id = id;
    m.version = version;
    m.title = "Night Watch";
    m.creator = "Test Studio";
    m.description = "A bundle made by a test.";
    m.publisher_key = b.publisher.public_key;
    m.gate_keys = {b.gate.public_key};
    m.gate_url = "http://127.0.0.1:9/";
    m.gates.email = protocol::email_gate{};
    m.gates.pay = protocol::pay_gate{300, 800, "EUR"};

    auto add = [&](std::string const& path, std::string plain, std::string const& type,
                   std::optional<protocol::gate_kind> gate) {
        bundle_item item;
        item.path = path;
        item.size = plain.size();
        item.media_type = type;
        item.sha256 = sha256(plain);
        item.access = gate ? protocol::item_access::locked : protocol::item_access::free;
        item.gate = gate;
        if (gate) {
            auto const key = protocol::generate_item_key();
            auto const sealed = protocol::seal_item(plain, key, protocol::item_identity(id, path));
            write_bytes(b.folder / path, sealed);
            item.stored_size = sealed.size();
            item.root = pieces_root(sealed);
            b.keys[path] = key;
        } else {
            write_bytes(b.folder / path, plain);
            item.stored_size = plain.size();
            item.root = pieces_root(plain);
        }
        b.plaintext[path] = std::move(plain);
        m.items.push_back(std::move(item));
    };
    add("pilot.webm", seeded_bytes(700 * 1024 + 5, 1), "video/webm", std::nullopt);
    add("episode-1.webm.locked", seeded_bytes(episode_size, 2), "video/webm", protocol::gate_kind::email);
    add("booklet.pdf.locked", seeded_bytes(200 * 1024, 3), "application/pdf", protocol::gate_kind::pay);
    std::string const subtitles = "WEBVTT\n\n00:00.000 --> 00:02.000\nHello\n";
    write_bytes(b.folder / "pilot.en.vtt", subtitles);
    m.items[0].subtitles.push_back(
        {"en", "English", "pilot.en.vtt", subtitles.size(), sha256(subtitles), pieces_root(subtitles)});
    b.write_manifest();
    return b;
}

void test_bundle::write_manifest() {
    manifest_bytes = protocol::to_json(manifest).dump(4) + "\n";
    write_bytes(folder / "bundle.json", manifest_bytes);
    auto const sig = protocol::sign(manifest_bytes, publisher);
    write_signature(std::string(sig.begin(), sig.end()));
}

void test_bundle::sign_stored_file(std::string const& path) {
    std::ifstream in(folder / path, std::ios::binary);
    std::string const bytes((std::istreambuf_iterator<char>(in)), {});
    for (auto& item : manifest.items) {
        if (item.path == path) {
            item.stored_size = bytes.size();
            item.root = pieces_root(bytes);
        }
    }
    write_manifest();
}

void test_bundle::write_signature(std::string const& bytes) {
    write_bytes(folder / "bundle.sig", bytes);
}

std::string test_bundle::token_for(std::array<unsigned char, 32> const& device,
                                   std::vector<std::string> items,
                                   std::optional<std::chrono::sys_seconds> expires_at,
                                   protocol::signing_keypair const* signer,
                                   std::string const& bundle_id) const {
    protocol::unlock_grant grant;
    grant.token_id = protocol::generate_token_id();
    grant.bundle_id = bundle_id.empty() ? manifest.id : bundle_id;
    grant.bundle_version = manifest.version;
    grant.grantee = {protocol::grantee_kind::code, "test-code"};
    grant.issued_at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    grant.expires_at = expires_at;
    if (expires_at && *expires_at <= grant.issued_at) {
        grant.issued_at = *expires_at - std::chrono::hours(24); // a token that was valid once
    }
    if (items.empty()) {
        for (auto const& [path, key] : keys) {
            items.push_back(path);
        }
    }
    for (auto const& path : items) {
        grant.items.emplace_back(path, keys.at(path));
    }
    return protocol::issue_unlock_token(protocol::seal_unlock_grant(grant, device), signer ? *signer : gate);
}

std::array<unsigned char, 32> parse_device_key(std::string const& text) {
    return protocol::decode_public_key("x25519", text).value();
}

} // namespace sluice::testing
