#pragma once

#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/locked_item.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::protocol {

// An unlock token: what a gate hands a host once the viewer has passed the gate (an email, a payment, a
// pledge, a code). The format is documented in protocol/unlock-tokens.md and its schema is
// protocol/schema/unlock-token.json. In short, the envelope
//     {"format":"sluice-unlock/1","gateKey":"ed25519:…","payload":"<base64 body>","signature":"<base64>"}
// carries the body's exact bytes and an Ed25519 signature over them, so nothing has to be canonicalised:
// what was signed is what is parsed. The body names the bundle and the manifest version it was issued for,
// the grantee, when it was issued and (maybe) when it expires, the device it was made for, and each item's
// key sealed to that device (X25519 sealed box).

inline constexpr std::string_view unlock_token_format = "sluice-unlock/1";
// Whole envelope text. Tokens are kept in the host's keystore and may arrive from any gate; the bound keeps
// a hostile gate answer from costing more than a glance. A token holds up to ~450 items with short paths; a
// gate granting more issues several tokens.
inline constexpr std::size_t max_unlock_token_bytes = 64 * 1024;
inline constexpr std::size_t max_unlock_token_items = 1000;
// How far in the future issuedAt may be before a token counts as not yet valid: the host's and the gate's
// clocks disagree by a few seconds to minutes, and refusing a fresh token for that would only annoy.
inline constexpr std::chrono::seconds unlock_token_clock_skew{5 * 60};

enum class grantee_kind {
    invalid,
    email,   // ref: the address the gate confirmed
    payment, // ref: the payment provider's id of the payment
    pledge,  // ref: the pledge's id in its campaign
    code,    // ref: the id of the code redeemed (never the code itself)
};

// "email", "payment", "pledge", "code" (and "invalid").
std::string_view to_string(grantee_kind kind);

struct token_grantee {
    grantee_kind kind = grantee_kind::invalid;
    std::string ref; // at most 320 characters
};

struct sealed_item {
    std::string path;       // as in the manifest's items
    std::string sealed_key; // raw bytes: the 32-byte item key in a sealed box (80 bytes)
};

// The signed body, as it travels. Times are whole seconds, UTC.
struct token_body {
    std::string token_id;
    std::string bundle_id;
    std::uint64_t bundle_version = 0; // accepted for this manifest version and any later one
    std::array<unsigned char, 32> device{};
    token_grantee grantee;
    std::chrono::sys_seconds issued_at{};
    std::optional<std::chrono::sys_seconds> expires_at;
    std::vector<sealed_item> items;
};

// What a gate decided to grant, before the keys are sealed.
struct unlock_grant {
    std::string token_id; // generate_token_id() unless the gate keeps its own ids
    std::string bundle_id;
    std::uint64_t bundle_version = 0;
    token_grantee grantee;
    std::chrono::sys_seconds issued_at{};
    std::optional<std::chrono::sys_seconds> expires_at;
    std::vector<std::pair<std::string, item_key>> items; // path, key
};

// 22 characters of base64url: 128 random bits, enough that two gates never pick the same id.
std::string generate_token_id();

// Seals every item key of `grant` to `device` (the requesting host's X25519 public key).
token_body seal_unlock_grant(unlock_grant const& grant, std::array<unsigned char, 32> const& device);

// The body as JSON text: the bytes a gate signs.
std::string encode_token_body(token_body const& body);

// Signs `body_json` byte for byte with the gate's key and wraps it in an envelope (JSON text). The gate is
// trusted here: nothing in `body_json` is checked.
std::string sign_unlock_token(std::string_view body_json, signing_keypair const& gate);

// encode_token_body, then sign_unlock_token.
std::string issue_unlock_token(token_body const& body, signing_keypair const& gate);

// Why a token was refused. The names (to_string) are stable: test vectors and logs use them.
enum class token_problem {
    none,
    malformed,             // too large, not JSON, a member missing, unknown or of the wrong kind, bad base64,
                           // another format, an impossible time, an item path that leaves the bundle
    untrusted_gate_key,    // signed by a key the manifest does not list in gateKeys
    bad_signature,         // the signature does not cover these bytes with that key
    wrong_bundle,          // issued for another bundle id
    version_too_new,       // issued for a later manifest version than the one the host has verified
    wrong_device,          // sealed to another host's device key
    not_yet_valid,         // issuedAt more than unlock_token_clock_skew ahead of now
    expired,               // now is at or past expiresAt
    duplicate_item,        // the same item path twice
    sealed_key_unopenable, // a sealed key does not open with the device key, or holds no 32-byte key
};

std::string_view to_string(token_problem problem);

// What the host knows when a token arrives: everything comes from the bundle's verified manifest, except
// the device key (the host's own) and the time.
struct token_expectations {
    std::vector<std::array<unsigned char, 32>> gate_keys; // the manifest's gateKeys
    std::string bundle_id;
    std::uint64_t manifest_version = 0;
    box_keypair device;
    std::chrono::sys_seconds now{};
};

struct verified_token {
    std::string token_id;
    std::string bundle_id;
    std::uint64_t bundle_version = 0;
    token_grantee grantee;
    std::chrono::sys_seconds issued_at{};
    std::optional<std::chrono::sys_seconds> expires_at;
    std::array<unsigned char, 32> gate_key{}; // which trusted key signed it
    std::map<std::string, item_key> item_keys;
};

struct unlock_token_result {
    verified_token token; // only meaningful when problem is none
    token_problem problem = token_problem::none;
    // For a person: what was wrong. Never key material; of the token's text, at most a member name (cut to
    // 64 bytes) and, from a signed body, the bundle id or an item path.
    std::string detail;

    explicit operator bool() const { return problem == token_problem::none; }
};

// Checks a token that nobody vouches for, in this order: size, envelope, gate key trusted, signature, body,
// duplicate paths, bundle id, version, device, times, and finally opens every sealed key (the table in
// protocol/unlock-tokens.md). The first failure is reported. Only a signed body is parsed, so the body parser
// sees nothing a trusted gate did not write. Never throws on any input.
unlock_token_result verify_unlock_token(std::string_view text, token_expectations const& expect);

} // namespace sluice::protocol
