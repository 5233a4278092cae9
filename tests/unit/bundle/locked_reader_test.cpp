#include "bundle/locked_reader.hpp"
#include "file_helpers.hpp"
#include "sandbox_dir.hpp"

#include <gtest/gtest.h>

namespace sluice::bundle {
namespace {

constexpr std::uint32_t chunk = 4096;

// A locked item of `size` bytes in chunks of 4 KiB, on disk.
struct locked_file {
    explicit locked_file(std::size_t size)
        : plain(testing::random_bytes(size, 5)), path((dir / "item.locked").string()) {
        sealed = protocol::seal_item(plain, key, identity, chunk);
        testing::write_file(path, sealed);
    }

    testing::sandbox_dir dir;
    std::string plain;
    protocol::item_key key = protocol::generate_item_key();
    std::array<unsigned char, 32> identity = protocol::item_identity("night-watch", "episode-1.webm.locked");
    std::string sealed;
    std::string path;
};

std::string read_all(locked_reader& reader, std::error_code& ec) {
    std::string out;
    for (std::uint64_t i = 0; i < reader.header().chunk_count(); ++i) {
        out += reader.read_chunk(i, ec);
        if (ec) {
            break;
        }
    }
    return out;
}

TEST(LockedReader, ReadsThePlaintextChunkByChunk) {
    locked_file item(3 * chunk + 100);
    locked_reader reader;
    std::error_code ec;
    reader.open(item.path, item.plain.size(), item.key, item.identity, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(reader.is_open());
    EXPECT_EQ(reader.header().chunk_count(), 4u);
    EXPECT_EQ(reader.read_chunk(3, ec), item.plain.substr(3 * chunk));
    EXPECT_EQ(reader.read_chunk(0, ec), item.plain.substr(0, chunk));
    EXPECT_EQ(read_all(reader, ec), item.plain);
    EXPECT_FALSE(ec);
}

TEST(LockedReader, AnEmptyItemHasOneEmptyChunk) {
    locked_file item(0);
    locked_reader reader;
    std::error_code ec;
    reader.open(item.path, 0, item.key, item.identity, ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(reader.read_chunk(0, ec), "");
    EXPECT_FALSE(ec);
}

TEST(LockedReader, AWrongKeyIsABadMessageNotGarbage) {
    locked_file item(2 * chunk);
    locked_reader reader;
    std::error_code ec;
    reader.open(item.path, item.plain.size(), protocol::generate_item_key(), item.identity, ec);
    ASSERT_FALSE(ec); // the header does not tell keys apart
    EXPECT_EQ(reader.read_chunk(0, ec), "");
    EXPECT_EQ(ec, std::errc::bad_message);
}

TEST(LockedReader, AnotherItemsIdentityIsABadMessage) {
    locked_file item(100);
    locked_reader reader;
    std::error_code ec;
    reader.open(item.path, item.plain.size(), item.key,
                protocol::item_identity("night-watch", "other.locked"), ec);
    ASSERT_FALSE(ec);
    reader.read_chunk(0, ec);
    EXPECT_EQ(ec, std::errc::bad_message);
}

TEST(LockedReader, AChangedByteSpoilsOnlyItsChunk) {
    locked_file item(3 * chunk);
    auto changed = item.sealed;
    changed[protocol::locked_header::size + chunk + 20] ^= 1; // in the second chunk
    testing::write_file(item.path, changed);
    locked_reader reader;
    std::error_code ec;
    reader.open(item.path, item.plain.size(), item.key, item.identity, ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(reader.read_chunk(0, ec), item.plain.substr(0, chunk));
    EXPECT_FALSE(ec);
    EXPECT_EQ(reader.read_chunk(1, ec), "");
    EXPECT_EQ(ec, std::errc::bad_message);
    EXPECT_EQ(reader.read_chunk(2, ec), item.plain.substr(2 * chunk));
    EXPECT_FALSE(ec);
}

TEST(LockedReader, AFileThatDisagreesWithTheManifestIsNotOpened) {
    locked_file item(2 * chunk);
    locked_reader reader;
    std::error_code ec;
    reader.open(item.path, item.plain.size() + 1, item.key, item.identity, ec);
    EXPECT_EQ(ec, std::errc::bad_message);
    EXPECT_FALSE(reader.is_open());

    testing::write_file(item.path, item.sealed.substr(0, item.sealed.size() - 1)); // cut short
    reader.open(item.path, item.plain.size(), item.key, item.identity, ec);
    EXPECT_EQ(ec, std::errc::bad_message);

    testing::write_file(item.path, item.sealed + "x"); // longer than its header says
    reader.open(item.path, item.plain.size(), item.key, item.identity, ec);
    EXPECT_EQ(ec, std::errc::bad_message);

    testing::write_file(item.path, std::string(protocol::locked_header::size + 100, 'x')); // no header
    reader.open(item.path, 100, item.key, item.identity, ec);
    EXPECT_EQ(ec, std::errc::bad_message);
    EXPECT_FALSE(reader.is_open());
}

TEST(LockedReader, AMissingFileIsItsOwnError) {
    testing::sandbox_dir dir;
    locked_reader reader;
    std::error_code ec;
    reader.open((dir / "absent.locked").string(), 10, protocol::generate_item_key(), {}, ec);
    EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
}

TEST(LockedReader, AChunkPastTheEndOrOfAClosedReaderIsAnInvalidArgument) {
    locked_reader closed;
    std::error_code ec;
    closed.read_chunk(0, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);

    locked_file item(chunk + 1);
    locked_reader reader;
    reader.open(item.path, item.plain.size(), item.key, item.identity, ec);
    ASSERT_FALSE(ec);
    reader.read_chunk(2, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);
}

TEST(LockedReader, TheSealedSpanCoversTheChunksOfAPlaintextRange) {
    locked_file item(3 * chunk + 100);
    locked_reader reader;
    std::error_code ec;
    reader.open(item.path, item.plain.size(), item.key, item.identity, ec);
    ASSERT_FALSE(ec);
    using span = std::pair<std::uint64_t, std::uint64_t>;
    std::uint64_t const sealed_chunk = chunk + protocol::locked_header::tag_size;
    std::uint64_t const header = protocol::locked_header::size;
    EXPECT_EQ(reader.sealed_span(0, 0), span(header, header + sealed_chunk - 1));
    EXPECT_EQ(reader.sealed_span(chunk, 2 * chunk),
              span(header + sealed_chunk, header + 3 * sealed_chunk - 1));
    // The last chunk is short: the span ends at the file's last byte.
    EXPECT_EQ(reader.sealed_span(3 * chunk + 99, 3 * chunk + 99).second, item.sealed.size() - 1);
}

TEST(LockedReader, AMovedReaderKeepsReading) {
    locked_file item(chunk + 10);
    locked_reader first;
    std::error_code ec;
    first.open(item.path, item.plain.size(), item.key, item.identity, ec);
    ASSERT_FALSE(ec);
    locked_reader second(std::move(first));
    EXPECT_FALSE(first.is_open());
    EXPECT_EQ(second.read_chunk(1, ec), item.plain.substr(chunk));
    locked_reader third;
    third = std::move(second);
    EXPECT_EQ(read_all(third, ec), item.plain);
    EXPECT_FALSE(ec);
}

} // namespace
} // namespace sluice::bundle
