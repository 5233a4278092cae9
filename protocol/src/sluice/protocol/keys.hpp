#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::protocol {

// libsodium initialised, once for the process (thread-safe); false if it cannot be.
bool sodium_ready();

// Ed25519 signing keys (publishers sign bundle.json; gates sign unlock tokens) and X25519 box keys (each
// host's device key, to which gates seal item keys). Public keys travel as text: "<kind>:<base64>".
struct signing_keypair {
    std::array<unsigned char, 32> public_key{};
    std::array<unsigned char, 64> secret_key{};
};
struct box_keypair {
    std::array<unsigned char, 32> public_key{};
    std::array<unsigned char, 32> secret_key{};
};

signing_keypair generate_signing_keypair();
box_keypair generate_box_keypair();

// Detached Ed25519 signature over exactly `message`.
std::array<unsigned char, 64> sign(std::string_view message, signing_keypair const& keys);
bool verify(std::string_view message, std::array<unsigned char, 64> const& signature,
            std::array<unsigned char, 32> const& public_key);

// An item key sealed to a device's public key (libsodium sealed box: an ephemeral sender, so only the
// device can open it and nobody, the gate included, can tell two seals of one key apart).
std::string seal_to(std::string_view secret, std::array<unsigned char, 32> const& recipient);
std::optional<std::string> open_sealed(std::string_view sealed, box_keypair const& recipient);

// Text forms: "ed25519:<base64>", "x25519:<base64>".
std::string encode_public_key(std::string_view kind, std::array<unsigned char, 32> const& key);
std::optional<std::array<unsigned char, 32>> decode_public_key(std::string_view kind, std::string_view text);

std::string to_base64(std::string_view bytes);
std::optional<std::string> from_base64(std::string_view text);

} // namespace sluice::protocol
