#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace sluice::protocol {

// A locked (encrypted) bundle item on disk: a 64-byte header, then the plaintext cut into fixed chunks, each
// sealed on its own with XChaCha20-Poly1305 (libsodium's IETF construction). The layout is documented in
// protocol/locked-items.md; in short:
//   - the nonce of chunk i is i (64-bit little-endian) followed by zeros: a key is random per item, so a
//     nonce never repeats under one key, and any chunk decrypts without reading the others;
//   - the associated data binds the header, the item's identity, the chunk index and whether the chunk is
//     the last: a chunk moved, swapped between items, dropped from the end or taken from another size of
//     the same item fails authentication instead of yielding garbage.
struct locked_header {
    static constexpr std::size_t size = 64;
    static constexpr std::uint32_t default_chunk_size = 64 * 1024;
    static constexpr std::size_t tag_size = 16;

    std::uint32_t chunk_size = default_chunk_size;
    std::uint64_t plaintext_size = 0;

    std::uint64_t chunk_count() const;                     // at least 1: an empty item has one empty chunk
    std::uint64_t encrypted_size() const;                  // header + every sealed chunk
    std::uint64_t chunk_offset(std::uint64_t index) const; // where sealed chunk `index` starts in the file
    std::uint64_t chunk_plain_size(std::uint64_t index) const;

    std::array<unsigned char, size> encode() const;
    // Checks magic, version and sizes; nullopt if the bytes are not a header this version reads.
    static std::optional<locked_header> decode(std::span<unsigned char const> bytes);
};

using item_key = std::array<unsigned char, 32>;

// A fresh random key for one item.
item_key generate_item_key();

// The identity a locked item is bound to: SHA-256 of the bundle id, a NUL and the item's path.
std::array<unsigned char, 32> item_identity(std::string_view bundle_id, std::string_view item_path);

// Seals one chunk; `plain` must be exactly header.chunk_plain_size(index) bytes.
std::string seal_chunk(locked_header const& header, item_key const& key,
                       std::array<unsigned char, 32> const& identity, std::uint64_t index,
                       std::span<unsigned char const> plain);

// Opens one sealed chunk into `out`, which must be the size of its plaintext; for callers that place many
// chunks side by side without copying them again. On any failure `out` holds zeros.
void open_chunk_into(locked_header const& header, item_key const& key,
                     std::array<unsigned char, 32> const& identity, std::uint64_t index,
                     std::span<unsigned char const> sealed, std::span<unsigned char> out,
                     std::error_code& ec);

// Opens one sealed chunk (its bytes as stored: ciphertext and tag). A wrong key, a changed byte, a chunk from
// another position or item: std::errc::bad_message, and nothing of the plaintext is returned.
std::string open_chunk(locked_header const& header, item_key const& key,
                       std::array<unsigned char, 32> const& identity, std::uint64_t index,
                       std::span<unsigned char const> sealed, std::error_code& ec);

// The whole item at once (for small items and tests; tools stream chunk by chunk).
std::string seal_item(std::string_view plaintext, item_key const& key,
                      std::array<unsigned char, 32> const& identity,
                      std::uint32_t chunk_size = locked_header::default_chunk_size);
std::string open_item(std::string_view sealed, item_key const& key,
                      std::array<unsigned char, 32> const& identity, std::error_code& ec);

} // namespace sluice::protocol
