#include "file_helpers.hpp"
#include "sandbox_dir.hpp"
#include "sluice-bundle/staging_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace sluice::publisher {
namespace {

namespace fs = std::filesystem;
using testing::sandbox_dir;

std::vector<std::string> names_in(fs::path const& dir) {
    std::vector<std::string> names;
    for (auto const& e : fs::directory_iterator(dir)) {
        names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string read(fs::path const& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

using testing::write_file;

TEST(PublisherStagingDir, IsHiddenBesideTheOutputAndGoneOnFailure) {
    sandbox_dir out;
    fs::path staged;
    {
        auto staging = staging_dir::create(out.path(), "night-watch");
        ASSERT_TRUE(staging) << staging.error;
        staged = staging->path();
        EXPECT_EQ(staged.parent_path(), out.path());
        EXPECT_TRUE(staged.filename().string().starts_with(".night-watch.partial-")) << staged;
        write_file(staged / "night-watch/big.webm", std::string(100000, 'x'));
        write_file(staged / "night-watch.keys.json", "{}");
        // No commit: an error or an interruption unwinds through here.
    }
    EXPECT_FALSE(fs::exists(staged));
    EXPECT_TRUE(names_in(out.path()).empty());
}

TEST(PublisherStagingDir, CommitMovesEverythingIntoPlace) {
    sandbox_dir out;
    auto staging = staging_dir::create(out.path(), "b");
    ASSERT_TRUE(staging);
    auto const staged = staging->path();
    write_file(staged / "b/item", "data");
    write_file(staged / "b.torrent", "torrent");
    ASSERT_TRUE(staging->commit({"b.torrent", "b"}, false));
    EXPECT_FALSE(fs::exists(staged));
    EXPECT_EQ(names_in(out.path()), (std::vector<std::string>{"b", "b.torrent"}));
    EXPECT_EQ(read(out / "b/item"), "data");
}

TEST(PublisherStagingDir, ExistingOutputIsKeptWithoutReplace) {
    sandbox_dir out;
    write_file(out / "b/item", "old");
    {
        auto staging = staging_dir::create(out.path(), "b");
        ASSERT_TRUE(staging);
        write_file(staging->path() / "b/item", "new");
        write_file(staging->path() / "b.torrent", "new torrent");
        auto const committed = staging->commit({"b.torrent", "b"}, false);
        ASSERT_FALSE(committed);
        EXPECT_NE(committed.error.find("already exists"), std::string::npos) << committed.error;
    }
    EXPECT_EQ(read(out / "b/item"), "old");
    // Nothing moved, not even the entry that had no rival, and the staging folder is gone.
    EXPECT_EQ(names_in(out.path()), (std::vector<std::string>{"b"}));
}

TEST(PublisherStagingDir, ReplaceSwapsFoldersAndFiles) {
    sandbox_dir out;
    write_file(out / "b/old-only", "old");
    write_file(out / "b.torrent", "old torrent");
    auto staging = staging_dir::create(out.path(), "b");
    ASSERT_TRUE(staging);
    write_file(staging->path() / "b/new-only", "new");
    write_file(staging->path() / "b.torrent", "new torrent");
    ASSERT_TRUE(staging->commit({"b.torrent", "b"}, true));
    EXPECT_EQ(names_in(out / "b"), (std::vector<std::string>{"new-only"}));
    EXPECT_EQ(read(out / "b.torrent"), "new torrent");
    EXPECT_EQ(names_in(out.path()), (std::vector<std::string>{"b", "b.torrent"}))
        << "no leftovers beside them";
}

} // namespace
} // namespace sluice::publisher
