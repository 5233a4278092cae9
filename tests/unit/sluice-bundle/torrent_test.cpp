#include "common/bundle_reader.hpp"
#include "file_helpers.hpp"
#include "sandbox_dir.hpp"
#include "sluice-bundle/item_writer.hpp"
#include "sluice-bundle/torrent_hashes.hpp"
#include "sluice-bundle/torrent_maker.hpp"

#include <gtest/gtest.h>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/file_storage.hpp>

#include <fstream>
#include <random>

namespace sluice::publisher {
namespace {

namespace fs = std::filesystem;
using testing::random_bytes;
using testing::sandbox_dir;
using testing::write_file;

// Sizes around the block (16 KiB) and piece edges, and an empty file.
std::map<std::string, std::string> sample_files(int piece_length) {
    std::map<std::string, std::string> files;
    unsigned seed = 1;
    for (std::size_t const size :
         {std::size_t{0}, std::size_t{1}, std::size_t{16383}, std::size_t{16384}, std::size_t{16385},
          static_cast<std::size_t>(piece_length), static_cast<std::size_t>(3 * piece_length + 5)}) {
        files["dir/file-" + std::to_string(size) + ".bin"] = random_bytes(size, seed++);
    }
    files["bundle.json"] = "{}\n";
    files["z-last.bin"] = random_bytes(70000, seed++); // sorts last: its tail is the torrent's end
    return files;
}

// What libtorrent itself makes of the same folder: the reference for our streamed hashes.
lt::info_hash_t libtorrent_hashes(fs::path const& parent, std::string const& name,
                                  std::map<std::string, std::string> const& files, int piece_length) {
    lt::file_storage storage;
    for (auto const& [path, bytes] : files) {
        storage.add_file(name + "/" + path, static_cast<std::int64_t>(bytes.size()));
    }
    lt::create_torrent ct(storage, piece_length);
    lt::error_code ec;
    lt::set_piece_hashes(ct, parent.string(), ec);
    EXPECT_FALSE(ec) << ec.message();
    auto const buffer = ct.generate_buf();
    return lt::torrent_info(buffer, lt::from_span).info_hashes();
}

std::string our_torrent(std::map<std::string, std::string> const& files, int piece_length,
                        std::string const& name) {
    std::vector<torrent_file> list;
    for (auto const& [path, bytes] : files) {
        file_piece_hasher hasher(piece_length);
        // Uneven pieces of input: the hasher must not care where the reads end.
        for (std::size_t at = 0; at < bytes.size(); at += 7777) {
            hasher.update({bytes.data() + at, std::min<std::size_t>(7777, bytes.size() - at)});
        }
        list.push_back({path, hasher.finish()});
    }
    auto const made =
        make_torrent(list, {name, piece_length, {"udp://t.example:1/announce"}, {"https://ws/"}, "test"});
    EXPECT_TRUE(made) << made.error;
    return made ? *made : std::string();
}

class PublisherTorrent : public ::testing::TestWithParam<int> {};

TEST_P(PublisherTorrent, StreamedHashesGiveLibtorrentsInfoHashes) {
    int const piece_length = GetParam();
    sandbox_dir dir;
    auto const files = sample_files(piece_length);
    for (auto const& [path, bytes] : files) {
        write_file(dir / "b" / path, bytes);
    }
    auto const expected = libtorrent_hashes(dir.path(), "b", files, piece_length);
    auto const torrent = parse_torrent(our_torrent(files, piece_length, "b"));
    ASSERT_TRUE(torrent) << torrent.error;
    auto const& ours = (*torrent)->info_hashes();
    ASSERT_TRUE(ours.has_v1());
    ASSERT_TRUE(ours.has_v2());
    EXPECT_EQ(ours.v1, expected.v1);
    EXPECT_EQ(ours.v2, expected.v2);
    EXPECT_EQ((*torrent)->creator(), "test");
    ASSERT_EQ((*torrent)->web_seeds().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Publisher, PublisherTorrent, ::testing::Values(16 * 1024, 32 * 1024, 256 * 1024));

TEST(PublisherTorrentCheck, FindsTheChangedMissingAndResizedFiles) {
    int const piece_length = 32 * 1024;
    sandbox_dir dir;
    auto const files = sample_files(piece_length);
    for (auto const& [path, bytes] : files) {
        write_file(dir / "b" / path, bytes);
    }
    auto const torrent = parse_torrent(our_torrent(files, piece_length, "b"));
    ASSERT_TRUE(torrent);
    auto good = check_torrent_data(**torrent, dir / "b", progress_mode::off);
    ASSERT_TRUE(good);
    EXPECT_TRUE(good->empty()) << good->front();

    auto changed = files.at("dir/file-98309.bin");
    changed[40000] ^= 1;
    write_file(dir / "b/dir/file-98309.bin", changed);
    fs::remove(dir / "b/dir/file-1.bin");
    write_file(dir / "b/z-last.bin", "short");
    auto const bad = check_torrent_data(**torrent, dir / "b", progress_mode::off);
    ASSERT_TRUE(bad);
    ASSERT_EQ(bad->size(), 3u);
    auto const all = (*bad)[0] + "\n" + (*bad)[1] + "\n" + (*bad)[2];
    EXPECT_NE(all.find("dir/file-1.bin is missing"), std::string::npos) << all;
    EXPECT_NE(all.find("dir/file-98309.bin: 1 piece does not match"), std::string::npos) << all;
    EXPECT_NE(all.find("z-last.bin is 5 bytes long"), std::string::npos) << all;
}

TEST(PublisherItemWriter, LockedFileOpensToTheSourceAndIsHashedAsStored) {
    sandbox_dir dir;
    auto const plain = random_bytes(3 * 65536 + 100, 7);
    write_file(dir / "src.webm", plain);
    auto const key = protocol::generate_item_key();
    auto const identity = protocol::item_identity("night-watch", "src.webm.locked");
    progress_meter progress(progress_mode::off, "", plain.size());
    auto const written = write_locked_file(dir / "src.webm", dir / "out.locked", plain.size(), key, identity,
                                           16 * 1024, progress);
    ASSERT_TRUE(written) << written.error;
    EXPECT_EQ(written->plain_size, plain.size());
    EXPECT_EQ(written->plain_sha256, sha256_of(plain));
    EXPECT_EQ(progress.done(), plain.size());

    std::ifstream in(dir / "out.locked", std::ios::binary);
    std::string const sealed((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(written->stored_size, sealed.size());
    std::error_code ec;
    EXPECT_EQ(protocol::open_item(sealed, key, identity, ec), plain);
    EXPECT_FALSE(ec);

    file_piece_hasher hasher(16 * 1024);
    hasher.update({sealed.data(), sealed.size()});
    EXPECT_EQ(written->pieces.root, hasher.finish().root);
}

TEST(PublisherItemWriter, PlainCopyIsIdentical) {
    sandbox_dir dir;
    auto const bytes = random_bytes(2 * 1024 * 1024 + 3, 9);
    write_file(dir / "a.webm", bytes);
    progress_meter progress(progress_mode::off, "", bytes.size());
    auto const written =
        write_plain_file(dir / "a.webm", dir / "copy.webm", bytes.size(), 64 * 1024, progress);
    ASSERT_TRUE(written) << written.error;
    std::ifstream in(dir / "copy.webm", std::ios::binary);
    EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), {}), bytes);
    EXPECT_EQ(written->plain_sha256, sha256_of(bytes));
}

TEST(PublisherItemWriter, SourceThatChangedSizeIsAnError) {
    sandbox_dir dir;
    write_file(dir / "a.webm", random_bytes(1000, 3));
    progress_meter progress(progress_mode::off, "", 1000);
    auto const longer = write_plain_file(dir / "a.webm", dir / "b", 999, 16 * 1024, progress);
    ASSERT_FALSE(longer);
    EXPECT_NE(longer.error.find("changed while it was being read"), std::string::npos) << longer.error;
    auto const shorter = write_locked_file(dir / "a.webm", dir / "c", 1001, protocol::generate_item_key(),
                                           protocol::item_identity("b", "a"), 16 * 1024, progress);
    ASSERT_FALSE(shorter);
    EXPECT_NE(shorter.error.find("changed while it was being read"), std::string::npos) << shorter.error;
}

} // namespace
} // namespace sluice::publisher
