#include <sluice/protocol/locked_item.hpp>

#include <gtest/gtest.h>

#include <string>

namespace sluice::protocol {
namespace {

std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) {
        s[i] = static_cast<char>((i * 131 + 7) & 0xFF);
    }
    return s;
}

std::span<unsigned char const> bytes(std::string const& s) {
    return {reinterpret_cast<unsigned char const*>(s.data()), s.size()};
}

constexpr std::uint32_t chunk = 4096;

TEST(LockedItem, RoundTripsEverySizeAroundChunkEdges) {
    auto const key = generate_item_key();
    auto const id = item_identity("bundle-1", "season/ep1.webm");
    for (std::size_t n : {0u, 1u, 4095u, 4096u, 4097u, 3u * 4096u + 5u}) {
        auto const plain = pattern(n);
        auto const sealed = seal_item(plain, key, id, chunk);
        locked_header h;
        h.chunk_size = chunk;
        h.plaintext_size = n;
        EXPECT_EQ(sealed.size(), h.encrypted_size()) << n;
        std::error_code ec;
        EXPECT_EQ(open_item(sealed, key, id, ec), plain) << n;
        EXPECT_FALSE(ec) << n;
    }
}

TEST(LockedItem, AnyChunkDecryptsOnItsOwn) {
    auto const key = generate_item_key();
    auto const id = item_identity("b", "x");
    auto const plain = pattern(5 * chunk + 100);
    auto const sealed = seal_item(plain, key, id, chunk);
    auto const header = *locked_header::decode(bytes(sealed));
    std::error_code ec;
    auto const third =
        open_chunk(header, key, id, 3, bytes(sealed).subspan(header.chunk_offset(3), chunk + 16), ec);
    EXPECT_FALSE(ec);
    EXPECT_EQ(third, plain.substr(3 * chunk, chunk));
}

TEST(LockedItem, WrongKeyIsAnErrorNotGarbage) {
    auto const id = item_identity("b", "x");
    auto const sealed = seal_item(pattern(10000), generate_item_key(), id, chunk);
    std::error_code ec;
    EXPECT_TRUE(open_item(sealed, generate_item_key(), id, ec).empty());
    EXPECT_EQ(ec, std::errc::bad_message);
}

TEST(LockedItem, EveryChangedByteIsCaught) {
    auto const key = generate_item_key();
    auto const id = item_identity("b", "x");
    auto const sealed = seal_item(pattern(2 * chunk + 10), key, id, chunk);
    for (std::size_t pos :
         {std::size_t{20}, std::size_t{64}, std::size_t{64 + chunk + 3}, sealed.size() - 1}) {
        auto tampered = sealed;
        tampered[pos] = static_cast<char>(tampered[pos] ^ 0x01);
        std::error_code ec;
        EXPECT_TRUE(open_item(tampered, key, id, ec).empty()) << pos;
        EXPECT_TRUE(ec) << pos;
    }
}

TEST(LockedItem, SwappedTruncatedOrForeignChunksFail) {
    auto const key = generate_item_key();
    auto const id = item_identity("b", "x");
    auto const plain = pattern(3 * chunk);
    auto const sealed = seal_item(plain, key, id, chunk);
    auto const header = *locked_header::decode(bytes(sealed));
    auto const c0 = bytes(sealed).subspan(header.chunk_offset(0), chunk + 16);
    std::error_code ec;
    open_chunk(header, key, id, 1, c0, ec); // chunk 0 presented as chunk 1
    EXPECT_TRUE(ec);
    open_chunk(header, key, item_identity("b", "y"), 0, c0, ec); // another item's identity
    EXPECT_TRUE(ec);
    // Dropping the last chunk and claiming a shorter item: the new last chunk was not sealed as last.
    locked_header shorter = header;
    shorter.plaintext_size = 2 * chunk;
    auto const c1 = bytes(sealed).subspan(header.chunk_offset(1), chunk + 16);
    open_chunk(shorter, key, id, 1, c1, ec);
    EXPECT_TRUE(ec);
    // And the file cut short does not open at all.
    open_item(sealed.substr(0, sealed.size() - 1), key, id, ec);
    EXPECT_TRUE(ec);
}

TEST(LockedItem, HeadersFromElsewhereAreRefused) {
    EXPECT_FALSE(locked_header::decode(bytes(std::string(64, '\0'))));
    locked_header h;
    auto encoded = h.encode();
    EXPECT_TRUE(locked_header::decode(encoded));
    encoded[40] = 1; // reserved
    EXPECT_FALSE(locked_header::decode(encoded));
    h.chunk_size = 100; // too small
    EXPECT_FALSE(locked_header::decode(h.encode()));
}

} // namespace
} // namespace sluice::protocol
