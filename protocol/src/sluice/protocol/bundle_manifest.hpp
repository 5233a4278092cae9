#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::protocol {

// The typed form of a bundle's `bundle.json` (protocol/schema/bundle-manifest.json). The host reads it from a
// torrent nobody vouches for, so parsing enforces the schema's limits itself (size, depth, counts, string
// lengths, paths that stay inside the bundle) and adds the rules a schema cannot say: every locked item names
// a gate the manifest defines, paths are unique, a bundle with locked items trusts at least one gate key.

enum class item_access { free, locked };

using sha256_digest = std::array<unsigned char, 32>;
enum class gate_kind { email, pay, pledge };

std::string_view to_string(item_access access);
std::string_view to_string(gate_kind kind);

// Every file a bundle stores is signed by its BEP 52 "pieces root" (the SHA-256 merkle root of its 16 KiB
// blocks, which a v2 or hybrid torrent carries for each file): a host compares the torrent's file tree with
// these roots as soon as the metadata arrives, before it shows anything as the publisher's, and libtorrent
// then checks every block it downloads against them. The root of an empty file is all zeros.
struct subtitle_track {
    std::string lang;
    std::string label;
    std::string path;
    std::uint64_t size = 0;
    sha256_digest sha256{};
    sha256_digest root{};
    // A viewers' translation the creator carried in: its translators ("" otherwise).
    std::string credit = {};
};

struct bundle_cover {
    std::string path;
    std::uint64_t size = 0;
    sha256_digest sha256{};
    sha256_digest root{};
};

struct bundle_item {
    std::string path;
    std::uint64_t size = 0; // of the plaintext
    std::string media_type;
    sha256_digest sha256{};        // of the plaintext
    sha256_digest root{};          // of the stored bytes (a locked item's ciphertext)
    std::uint64_t stored_size = 0; // a free item's is its size; "storedSize" in bundle.json for a locked one
    item_access access = item_access::free;
    std::optional<gate_kind> gate; // set exactly when locked
    std::vector<subtitle_track> subtitles;

    bool locked() const { return access == item_access::locked; }
};

struct email_gate {
    bool double_opt_in = false;
};

// Amounts are in the currency's minor unit (cents).
struct pay_gate {
    std::uint64_t minimum = 0;
    std::optional<std::uint64_t> suggested;
    std::string currency;
};

// What a backer can pick: a price and what it brings. `items` are paths of this bundle's items locked by the
// pledge gate, unlocked once the pledge is charged (none named: all of them); `deliveries` are the ids of
// bundles the creator delivers to the campaign's backers later (none named: every delivery). A `limit` caps
// the tier's backers.
struct pledge_tier {
    static constexpr std::size_t max_tiers = 20;

    std::string id;
    std::string title;
    std::string description;
    std::uint64_t price = 0;
    std::optional<std::vector<std::string>> items;
    std::optional<std::vector<std::string>> deliveries;
    std::optional<std::uint64_t> limit;

    bool unlocks(std::string_view item_path) const;
    bool receives(std::string_view delivery_bundle_id) const;
};

struct pledge_gate {
    std::string campaign_id;
    std::optional<std::uint64_t> goal_backers;
    std::optional<std::uint64_t> goal_amount;
    std::string deadline;           // "YYYY-MM-DDTHH:MM:SSZ"
    std::int64_t deadline_unix = 0; // the same instant, seconds since the epoch
    std::uint64_t price = 0;        // a single-price campaign's price; with tiers, the lowest tier's
    std::string currency;
    std::string expected_delivery; // "YYYY-MM-DD"
    std::string if_goal_missed;
    std::vector<pledge_tier> tiers; // as bundle.json lists them: empty for a single-price campaign

    // The tiers a backer picks from: the listed ones, or single_price_tier(price).
    std::vector<pledge_tier> offered_tiers() const;
};

struct bundle_gates {
    std::optional<email_gate> email;
    std::optional<pay_gate> pay;
    std::optional<pledge_gate> pledge;
};

// One file of the bundle's folder as the torrent must hold it.
struct stored_file {
    std::string path;
    std::uint64_t size = 0;
    sha256_digest root{};
};

struct bundle_manifest {
    static constexpr std::string_view format = "sluice-bundle/2";
    static constexpr std::size_t max_bytes = 1024 * 1024;
    static constexpr std::size_t max_items = 1000;

    std::string id;
    std::uint64_t version = 0;
    std::string title;
    std::string creator;
    std::string description;
    std::optional<bundle_cover> cover;
    std::array<unsigned char, 32> publisher_key{};
    std::vector<std::array<unsigned char, 32>> gate_keys;
    // Keys that may sign translation add-ons of this bundle (translation_addon.hpp) besides the publisher's,
    // so that a creator's gate can approve translations without the publisher key on its machine.
    std::vector<std::array<unsigned char, 32>> translation_keys;
    std::string gate_url;
    std::vector<bundle_item> items;
    bundle_gates gates;

    bundle_item const* find_item(std::string_view path) const;
    // Every file the bundle stores besides bundle.json and bundle.sig (items, subtitles, the cover), each
    // once, in path order.
    std::vector<stored_file> stored_files() const;
};

// Every way a bundle's torrent differs from what its manifest signs, one sentence each, empty when they
// match: `torrent_files` are the torrent's files below its root folder (pad files left out), with their
// BEP 52 pieces roots when `torrent_has_roots` (a v2 or hybrid torrent). bundle.json and bundle.sig are the
// only files the manifest need not name. The host, `sluice-bundle verify` and the gate's import all judge a
// torrent by this one rule.
std::vector<std::string> compare_with_torrent(bundle_manifest const& manifest,
                                              std::vector<stored_file> const& torrent_files,
                                              bool torrent_has_roots);

struct manifest_result {
    std::optional<bundle_manifest> manifest;
    // For a person: which member was wrong and why (never more than a short excerpt of the input).
    std::string error;

    explicit operator bool() const { return manifest.has_value(); }
};

// Parses and checks `bundle.json` bytes. Never throws.
manifest_result parse_bundle_manifest(std::string_view bytes);

// The JSON form (for `sluice-bundle create`, which signs the exact bytes it writes).
nlohmann::json to_json(bundle_manifest const& manifest);
nlohmann::json to_json(bundle_gates const& gates);
nlohmann::json to_json(pledge_tier const& tier);

// The one tier a single-price campaign offers: id "pledge", every item, every delivery, no limit.
inline constexpr std::string_view single_tier_id = "pledge";
pledge_tier single_price_tier(std::uint64_t price);

// Lower-case hex, as the manifest writes SHA-256 digests and torrents' info-hashes are shown.
std::string to_hex(std::span<unsigned char const> bytes);
// 64 lower-case hex digits as a digest; nothing for anything else.
std::optional<sha256_digest> hex_sha256(std::string_view s);

// Whether `path` is a relative '/'-separated path that stays inside the bundle (no empty, "." or ".."
// segment, no backslash, no control character, no leading '/'), at most 1024 bytes.
bool is_safe_item_path(std::string_view path);

// The rules of single values, shared with documents that carry the same members (sluice-bundle's spec file).
bool is_bundle_slug(std::string_view s);   // ids and campaign ids: ^[a-z0-9][a-z0-9-]{0,63}$
bool is_currency_code(std::string_view s); // ^[A-Z]{3}$
bool is_media_type(std::string_view s);    // ^[a-z]+/[a-z0-9.+-]+$
bool is_language_tag(std::string_view s);  // ^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$
std::optional<gate_kind> parse_gate_kind(std::string_view s);
bool defines_gate(bundle_gates const& gates, gate_kind kind);

// Reads a "gates" object as bundle.json has it (a spec file has the same one), for parsers built on
// strict_object: throws json_shape_error, which the caller's parse function catches.
bundle_gates read_bundle_gates(nlohmann::json const& value, std::string const& where);

// "YYYY-MM-DDTHH:MM:SSZ" to seconds since the epoch; nullopt if not exactly that form or not a real date.
std::optional<std::int64_t> parse_utc_timestamp(std::string_view text);
std::string format_utc_timestamp(std::int64_t unix_seconds);

// The signature file beside bundle.json: the 64 raw bytes of an Ed25519 signature over bundle.json.
inline constexpr std::string_view manifest_file_name = "bundle.json";
inline constexpr std::string_view signature_file_name = "bundle.sig";

struct verified_manifest_result {
    std::optional<bundle_manifest> manifest;
    std::string error;

    explicit operator bool() const { return manifest.has_value(); }
};

// Parses `manifest_bytes` and checks `signature_bytes` against the publisher key the manifest names. A caller
// that already knows the bundle's publisher (a landing page, an earlier version) must also compare keys.
verified_manifest_result verify_bundle_manifest(std::string_view manifest_bytes,
                                                std::string_view signature_bytes);

} // namespace sluice::protocol
