#pragma once

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/locked_item.hpp>
#include <sluice/protocol/unlock_token.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

namespace sluice::testing {

// A small bundle written the way a publisher's tool writes one, with full control over every part so
// tests can tamper with any of them: a free film with English subtitles, a locked episode (email gate) and
// a locked booklet (pay gate). The folder is `<parent>/<id>`; its parent is the save path of a torrent of it.
struct test_bundle {
    std::filesystem::path folder;
    protocol::signing_keypair publisher = protocol::generate_signing_keypair();
    protocol::signing_keypair gate = protocol::generate_signing_keypair();
    protocol::bundle_manifest manifest;
    std::map<std::string, std::string> plaintext;   // by item path
    std::map<std::string, protocol::item_key> keys; // locked items only
    std::string manifest_bytes;

    // Writes the folder. `version` and `id` vary the manifest; the item contents are seeded so two
    // bundles made with the same sizes hold the same bytes.
    static test_bundle make(std::filesystem::path const& parent, std::string const& id = "night-watch",
                            std::uint64_t version = 1, std::size_t episode_size = 3 * 1024 * 1024 + 17);

    // Re-writes bundle.json from `manifest` and signs it (after a test changed the manifest).
    void write_manifest();
    // Signs the file of item `path` as it is on disk now (its stored size and pieces root), as a publisher
    // who made the bundle from that file would, and re-writes bundle.json.
    void sign_stored_file(std::string const& path);
    // Overwrites bundle.sig with `bytes`.
    void write_signature(std::string const& bytes);

    // An unlock token for `items` (every locked item if empty), sealed to `device`, signed by `signer`
    // (the bundle's gate unless given).
    std::string token_for(std::array<unsigned char, 32> const& device, std::vector<std::string> items = {},
                          std::optional<std::chrono::sys_seconds> expires_at = std::nullopt,
                          protocol::signing_keypair const* signer = nullptr,
                          std::string const& bundle_id = {}) const;
};

std::array<unsigned char, 32> parse_device_key(std::string const& text);

} // namespace sluice::testing
