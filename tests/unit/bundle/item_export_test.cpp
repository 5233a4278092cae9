#include "bundle/item_export.hpp"
#include "file_helpers.hpp"
#include "sandbox_dir.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

namespace sluice::bundle {
namespace {

namespace fs = std::filesystem;

std::array<unsigned char, 32> sha256(std::string const& bytes) {
    std::array<unsigned char, 32> out{};
    crypto_hash_sha256(out.data(), reinterpret_cast<unsigned char const*>(bytes.data()), bytes.size());
    return out;
}

class ItemExport : public ::testing::Test {
protected:
    // A free item and a locked one holding the same plaintext, 2.5 MiB (more than one copy block).
    ItemExport() {
        testing::write_file(dir / "in" / "film.webm", plain);
        testing::write_file(dir / "in" / "film.webm.locked", protocol::seal_item(plain, key, identity));
        fs::create_directories(dir / "out");
    }

    file_access free_item() const {
        file_access a;
        a.plaintext_size = plain.size();
        a.sha256 = sha256(plain);
        return a;
    }

    file_access unlocked_item() const {
        auto a = free_item();
        a.what = file_access::kind::unlocked;
        a.key = key;
        a.identity = identity;
        return a;
    }

    std::string source(char const* name) const { return (dir / "in" / name).string(); }

    // Everything left in the destination folder, temporary files included.
    std::vector<std::string> out_files() const {
        std::vector<std::string> names;
        for (auto const& e : fs::directory_iterator(dir / "out")) {
            names.push_back(e.path().filename().string());
        }
        return names;
    }

    testing::sandbox_dir dir;
    std::string plain = testing::random_bytes(2 * 1024 * 1024 + 512 * 1024 + 3, 9);
    protocol::item_key key = protocol::generate_item_key();
    std::array<unsigned char, 32> identity = protocol::item_identity("night-watch", "film.webm.locked");
};

TEST_F(ItemExport, CopiesAFreeItem) {
    auto const result = export_item(source("film.webm"), free_item(), dir / "out" / "film.webm");
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.bytes, plain.size());
    EXPECT_EQ(testing::read_file(dir / "out" / "film.webm"), plain);
    EXPECT_EQ(out_files(), std::vector<std::string>{"film.webm"});
}

TEST_F(ItemExport, DecryptsAnUnlockedItem) {
    auto const result = export_item(source("film.webm.locked"), unlocked_item(), dir / "out" / "film.webm");
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.bytes, plain.size());
    EXPECT_EQ(testing::read_file(dir / "out" / "film.webm"), plain);
}

TEST_F(ItemExport, RefusesALockedItem) {
    auto access = free_item();
    access.what = file_access::kind::locked;
    auto const result = export_item(source("film.webm.locked"), access, dir / "out" / "film.webm");
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("locked"), std::string::npos);
    EXPECT_TRUE(out_files().empty());
}

TEST_F(ItemExport, BytesThatDoNotMatchTheManifestLeaveNoFile) {
    auto access = free_item();
    access.sha256->at(0) ^= 1;
    auto const result = export_item(source("film.webm"), access, dir / "out" / "film.webm");
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("SHA-256"), std::string::npos);
    EXPECT_TRUE(out_files().empty());
}

TEST_F(ItemExport, AWrongKeyLeavesNoFile) {
    auto access = unlocked_item();
    access.key = protocol::generate_item_key();
    auto const result = export_item(source("film.webm.locked"), access, dir / "out" / "film.webm");
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("does not decrypt"), std::string::npos);
    EXPECT_TRUE(out_files().empty());
}

TEST_F(ItemExport, AnExistingFileIsNotReplaced) {
    testing::write_file(dir / "out" / "film.webm", "mine");
    auto const result = export_item(source("film.webm"), free_item(), dir / "out" / "film.webm");
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("already exists"), std::string::npos);
    EXPECT_EQ(testing::read_file(dir / "out" / "film.webm"), "mine");
    EXPECT_EQ(out_files(), std::vector<std::string>{"film.webm"});
}

TEST_F(ItemExport, AMissingSourceOrFolderIsReported) {
    auto const missing = export_item(source("absent.webm"), free_item(), dir / "out" / "film.webm");
    EXPECT_FALSE(missing.ok);
    EXPECT_NE(missing.error.find("cannot read"), std::string::npos);
    EXPECT_TRUE(out_files().empty());

    auto const nowhere = export_item(source("film.webm"), free_item(), dir / "absent" / "film.webm");
    EXPECT_FALSE(nowhere.ok);
    EXPECT_NE(nowhere.error.find("cannot write"), std::string::npos);
}

TEST_F(ItemExport, AnItemWithoutAHashIsCopiedAsItIs) {
    auto access = free_item();
    access.sha256.reset(); // an ordinary file of the torrent, not a bundle item
    auto const result = export_item(source("film.webm"), access, dir / "out" / "copy");
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(testing::read_file(dir / "out" / "copy"), plain);
}

} // namespace
} // namespace sluice::bundle
