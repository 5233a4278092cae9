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
            write_bytes(b.folder / path, protocol::seal_item(plain, key, protocol::item_identity(id, path)));
            b.keys[path] = key;
        } else {
            write_bytes(b.folder / path, plain);
        }
        b.plaintext[path] = std::move(plain);
        m.items.push_back(std::move(item));
    };
    add("pilot.webm", seeded_bytes(700 * 1024 + 5, 1), "video/webm", std::nullopt);
    add("episode-1.webm.locked", seeded_bytes(episode_size, 2), "video/webm", protocol::gate_kind::email);
    add("booklet.pdf.locked", seeded_bytes(200 * 1024, 3), "application/pdf", protocol::gate_kind::pay);
    write_bytes(b.folder / "pilot.en.vtt", "WEBVTT\n\n00:00.000 --> 00:02.000\nHello\n");
    m.items[0].subtitles.push_back({"en", "English", "pilot.en.vtt"});
    b.write_manifest();
    return b;
}

void test_bundle::write_manifest() {
    manifest_bytes = protocol::to_json(manifest).dump(4) + "\n";
    write_bytes(folder / "bundle.json", manifest_bytes);
    auto const sig = protocol::sign(manifest_bytes, publisher);
    write_signature(std::string(sig.begin(), sig.end()));
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
