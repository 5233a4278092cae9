// libFuzzer entry point: the locked-item decoder (protocol/locked-items.md), which reads bytes a torrent
// brought and must never hand out plaintext that was not sealed with the item's key. The first byte chooses
// what the rest is:
//   even: raw bytes, as a hostile seeder could put them on disk: the header decoder gets the first 64 of
//         them, and open_item and open_chunk get them all, with a fixed key. Nothing can forge a tag, so
//         every open must fail, and a header that decodes must hold together;
//   odd:  a plaintext, sealed here with the fixed key (the chunk size picked by the next byte), then damaged
//         or not as the byte after that says: one bit flipped, the last chunk cut off with the header
//         rewritten to match, or two neighbouring chunks swapped. Opening must succeed exactly when nothing
//         was damaged, and then give back the plaintext.

#include <sluice/protocol/locked_item.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace {

using namespace sluice::protocol;

struct fixed_item {
    item_key key{};
    std::array<unsigned char, 32> identity{};

    fixed_item() {
        constexpr std::string_view key_bytes = "sluice fuzz: locked item key 01.";
        static_assert(key_bytes.size() == std::tuple_size_v<item_key>);
        std::copy(key_bytes.begin(), key_bytes.end(), key.begin());
        identity = item_identity("fuzz-bundle", "episode-1.webm.locked");
    }
};

fixed_item const& item() {
    static fixed_item const i;
    return i;
}

void require(bool condition) {
    if (!condition) {
        std::abort();
    }
}

std::span<unsigned char const> bytes_of(std::string_view s) {
    return {reinterpret_cast<unsigned char const*>(s.data()), s.size()};
}

// A header the decoder accepted must describe a file the reader can walk without overflow or overlap.
void check_header(locked_header const& h, std::span<unsigned char const> bytes) {
    require(h.chunk_size >= 4096 && h.chunk_size <= 16 * 1024 * 1024);
    require(h.plaintext_size <= (std::uint64_t{1} << 50));
    auto const encoded = h.encode();
    require(std::equal(encoded.begin(), encoded.end(), bytes.begin())); // one spelling per header
    auto const n = h.chunk_count();
    require(n >= 1 && (n - 1) * h.chunk_size <= h.plaintext_size);
    require(h.chunk_plain_size(n - 1) <= h.chunk_size);
    require(h.chunk_offset(n - 1) + h.chunk_plain_size(n - 1) + locked_header::tag_size ==
            h.encrypted_size());
    require(h.encrypted_size() == locked_header::size + h.plaintext_size + n * locked_header::tag_size);
}

void raw_bytes(std::string_view input) {
    auto const& k = item();
    auto const bytes = bytes_of(input);
    auto const header = locked_header::decode(bytes);
    require(!header || input.size() >= locked_header::size);
    if (header) {
        check_header(*header, bytes);
        // Every chunk whose bytes the input holds, opened as the stream server would.
        auto const n = std::min<std::uint64_t>(header->chunk_count(), 64);
        for (std::uint64_t i = 0; i < n; ++i) {
            auto const offset = header->chunk_offset(i);
            if (offset >= input.size()) {
                break;
            }
            auto const length = std::min<std::uint64_t>(header->chunk_plain_size(i) + locked_header::tag_size,
                                                        input.size() - offset);
            std::error_code ec;
            auto const plain = open_chunk(*header, k.key, k.identity, i,
                                          bytes.subspan(offset, static_cast<std::size_t>(length)), ec);
            require(ec && plain.empty());
        }
    }
    // The bytes after the first as one sealed chunk of a small item, whatever its header says.
    if (!input.empty()) {
        locked_header h;
        h.plaintext_size =
            input.size() - 1 >= locked_header::tag_size ? input.size() - 1 - locked_header::tag_size : 0;
        std::error_code ec;
        auto const plain = open_chunk(h, k.key, k.identity, 0, bytes.subspan(1), ec);
        require(ec && plain.empty());
    }
    std::error_code ec;
    auto const plain = open_item(input, k.key, k.identity, ec);
    require(ec && plain.empty());
}

enum class damage { none, flip_bit, cut_last_chunk, swap_chunks };

void sealed_bytes(std::uint8_t const* data, std::size_t size) {
    if (size < 6) {
        return;
    }
    auto const& k = item();
    std::uint32_t const chunk_size = std::uint32_t{4096} << (data[0] % 5); // 4 KiB .. 64 KiB
    auto const what = static_cast<damage>(data[1] % 4);
    std::uint32_t const where = data[2] | (data[3] << 8) | (data[4] << 16) | (std::uint32_t{data[5]} << 24);
    std::string_view const plain(reinterpret_cast<char const*>(data) + 6, size - 6);

    auto sealed = seal_item(plain, k.key, k.identity, chunk_size);
    locked_header header;
    header.chunk_size = chunk_size;
    header.plaintext_size = plain.size();
    auto const n = header.chunk_count();
    require(sealed.size() == header.encrypted_size());

    bool damaged = false;
    std::uint64_t damaged_chunk = n; // none, or the header only
    switch (what) {
    case damage::none:
        break;
    case damage::flip_bit: {
        auto const bit = where % (sealed.size() * 8);
        sealed[bit / 8] = static_cast<char>(sealed[bit / 8] ^ (1 << (bit % 8)));
        damaged = true;
        if (bit / 8 >= locked_header::size) {
            damaged_chunk = (bit / 8 - locked_header::size) / (chunk_size + locked_header::tag_size);
        }
        break;
    }
    case damage::cut_last_chunk: {
        if (n < 2) {
            break;
        }
        locked_header shorter = header;
        shorter.plaintext_size = (n - 1) * std::uint64_t{chunk_size};
        auto const encoded = shorter.encode();
        sealed.resize(shorter.encrypted_size());
        std::copy(encoded.begin(), encoded.end(), sealed.begin());
        damaged = true;
        break;
    }
    case damage::swap_chunks: {
        // Two full chunks: the last may be shorter, and a swap with it would change the file's length.
        if (n < 3) {
            break;
        }
        auto const i = where % (n - 2);
        auto const a = header.chunk_offset(i);
        auto const b = header.chunk_offset(i + 1);
        std::swap_ranges(sealed.begin() + static_cast<std::ptrdiff_t>(a),
                         sealed.begin() + static_cast<std::ptrdiff_t>(b),
                         sealed.begin() + static_cast<std::ptrdiff_t>(b));
        damaged = true;
        damaged_chunk = i;
        break;
    }
    }

    std::error_code ec;
    auto const opened = open_item(sealed, k.key, k.identity, ec);
    if (damaged) {
        require(ec && opened.empty());
    } else {
        require(!ec && opened == plain);
    }

    // Chunk by chunk against the header as sealed: only the damaged chunk fails.
    if (what == damage::cut_last_chunk && damaged) {
        return; // the header changed under every chunk; open_item above covers it
    }
    auto const bytes = bytes_of(sealed);
    for (std::uint64_t i = 0; i < n; ++i) {
        auto const chunk =
            bytes.subspan(header.chunk_offset(i), header.chunk_plain_size(i) + locked_header::tag_size);
        auto const piece = open_chunk(header, k.key, k.identity, i, chunk, ec);
        bool const hit =
            i == damaged_chunk || (what == damage::swap_chunks && damaged && i == damaged_chunk + 1);
        if (hit) {
            require(ec && piece.empty());
        } else {
            require(!ec && piece == plain.substr(i * chunk_size, header.chunk_plain_size(i)));
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    if (data[0] & 1) {
        sealed_bytes(data + 1, size - 1);
    } else {
        raw_bytes({reinterpret_cast<char const*>(data) + 1, size - 1});
    }
    return 0;
}
