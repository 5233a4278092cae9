#pragma once

#include "common/result.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/locked_item.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::publisher {

namespace fs = std::filesystem;
namespace protocol = sluice::protocol;

// The two kinds of secret file the publisher writes (publisher/README.md, "Files"). Both are created with
// mode 0600 and both are JSON, so a gate server (or a person) reads them without this tool.

// A signing key pair: the publisher's (signs bundle.json) or a gate's (signs unlock tokens).
//   {"format":"sluice-signing-key/1","publicKey":"ed25519:<b64>","secretKey":"<b64 of 64 bytes>"}
inline constexpr std::string_view signing_key_format = "sluice-signing-key/1";

std::string signing_key_text(protocol::signing_keypair const& keys);
// Checks that the public key is the one the secret key holds: a file edited by hand (or two files pasted
// together) would otherwise sign with one key and announce another.
result<protocol::signing_keypair> parse_signing_key(std::string_view text);
result<protocol::signing_keypair> load_signing_key(fs::path const& file);
// Atomic, mode 0600; refuses an existing file unless `overwrite`.
status save_signing_key(fs::path const& file, protocol::signing_keypair const& keys, bool overwrite);

// The item keys of one bundle version, for its gate server; never inside the bundle.
//   {"format":"sluice-keys/1","bundleId":..,"version":..,"items":[{"path":..,"key":"<b64>","gate":..}]}
inline constexpr std::string_view item_keys_format = "sluice-keys/1";

struct item_key_entry {
    std::string path; // the item's manifest path ("episode-1.webm.locked")
    protocol::item_key key{};
    protocol::gate_kind gate = protocol::gate_kind::email;
};

struct item_keys {
    std::string bundle_id;
    std::uint64_t version = 0;
    std::vector<item_key_entry> items;

    item_key_entry const* find(std::string_view path) const;
};

std::string item_keys_text(item_keys const& keys);
result<item_keys> parse_item_keys(std::string_view text);
result<item_keys> load_item_keys(fs::path const& file);

} // namespace sluice::publisher
