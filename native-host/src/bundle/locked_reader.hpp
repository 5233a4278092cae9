#pragma once

#include <sluice/protocol/locked_item.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <system_error>

namespace sluice::bundle {

// Reads the plaintext of a locked item from its encrypted file, chunk by chunk, with the item's key. Any
// range can be read on its own; a chunk that fails authentication is an error for the bytes it holds, never
// garbage. read_chunk is for one thread at a time; read_chunk_into may be called from several at once.
class locked_reader {
public:
    locked_reader() = default;
    locked_reader(locked_reader&& other) noexcept;
    locked_reader& operator=(locked_reader&& other) noexcept;
    locked_reader(locked_reader const&) = delete;
    locked_reader& operator=(locked_reader const&) = delete;
    ~locked_reader();

    // Opens `path` and checks its header against what the manifest says: the plaintext size, and a file
    // size that matches the header exactly. std::errc::bad_message when they disagree.
    void open(std::string const& path, std::uint64_t expected_plaintext_size, protocol::item_key const& key,
              std::array<unsigned char, 32> const& identity, std::error_code& ec);
    bool is_open() const { return fd_ >= 0; }

    protocol::locked_header const& header() const { return header_; }

    // The plaintext of chunk `index`. std::errc::bad_message if it does not authenticate (a wrong key, a
    // changed byte), an I/O error from the file otherwise.
    std::string read_chunk(std::uint64_t index, std::error_code& ec);
    // The same into `out` (the chunk's plaintext size), with the caller's buffer for the sealed bytes.
    void read_chunk_into(std::uint64_t index, std::span<unsigned char> out, std::string& sealed,
                         std::error_code& ec) const;

    // Where the sealed bytes of the chunks holding plaintext [first, last] are in the file: the range that
    // must be on disk before those plaintext bytes can be read.
    std::pair<std::uint64_t, std::uint64_t> sealed_span(std::uint64_t first, std::uint64_t last) const;

private:
    int fd_ = -1;
    protocol::locked_header header_;
    protocol::item_key key_{};
    std::array<unsigned char, 32> identity_{};
    std::string sealed_; // reused between reads
};

} // namespace sluice::bundle
