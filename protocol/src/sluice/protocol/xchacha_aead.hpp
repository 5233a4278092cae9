#pragma once

#include <array>
#include <cstddef>
#include <span>

namespace sluice::protocol {

// XChaCha20-Poly1305 (the IETF variant, byte for byte what libsodium's crypto_aead_xchacha20poly1305_ietf_*
// produce): HChaCha20 derives a subkey from the key and the first 16 nonce bytes, then ChaCha20-Poly1305 runs
// with that subkey and the last 8 nonce bytes. The second step goes through OpenSSL, whose vectorised
// ChaCha20 and Poly1305 (AVX-512 where the CPU has it) decrypt about 2.5 times faster than libsodium 1.0.18
// on the machines measured (bench/locked_bench); streams of unlocked items depend on it.
inline constexpr std::size_t xchacha_key_size = 32;
inline constexpr std::size_t xchacha_nonce_size = 24;
inline constexpr std::size_t xchacha_tag_size = 16;

// `out` must hold plain.size() + xchacha_tag_size bytes (ciphertext then tag).
void xchacha_seal(std::span<unsigned char> out, std::span<unsigned char const> plain,
                  std::span<unsigned char const> ad,
                  std::array<unsigned char, xchacha_nonce_size> const& nonce,
                  std::array<unsigned char, xchacha_key_size> const& key);

// `out` must hold sealed.size() - xchacha_tag_size bytes. False (and `out` zeroed) if the tag does not
// authenticate the ciphertext and `ad` under this key and nonce.
bool xchacha_open(std::span<unsigned char> out, std::span<unsigned char const> sealed,
                  std::span<unsigned char const> ad,
                  std::array<unsigned char, xchacha_nonce_size> const& nonce,
                  std::array<unsigned char, xchacha_key_size> const& key);

} // namespace sluice::protocol
