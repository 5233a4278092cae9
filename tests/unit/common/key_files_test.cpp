#include "common/key_files.hpp"
#include "sandbox_dir.hpp"

#include <sluice/fileio/atomic_file.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <sys/stat.h>

namespace sluice::publisher {
namespace {

namespace fs = std::filesystem;
using testing::sandbox_dir;

unsigned mode_of(fs::path const& file) {
    struct stat st {};
    EXPECT_EQ(::stat(file.c_str(), &st), 0) << file;
    return st.st_mode & 07777;
}

std::string read(fs::path const& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// umask 0 would let a plain open() create 0666; the key file must be 0600 whatever the umask.
struct open_umask {
    open_umask() : saved(::umask(0)) {}
    ~open_umask() { ::umask(saved); }
    mode_t saved;
};

TEST(PublisherKeyFiles, SigningKeyIsCreated0600AndReadsBack) {
    open_umask const umask;
    sandbox_dir dir;
    auto const keys = protocol::generate_signing_keypair();
    ASSERT_TRUE(save_signing_key(dir / "publisher.key", keys, false));
    EXPECT_EQ(mode_of(dir / "publisher.key"), 0600u);
    auto const loaded = load_signing_key(dir / "publisher.key");
    ASSERT_TRUE(loaded) << loaded.error;
    EXPECT_EQ(loaded->public_key, keys.public_key);
    EXPECT_EQ(loaded->secret_key, keys.secret_key);

    auto const json = nlohmann::json::parse(read(dir / "publisher.key"));
    EXPECT_EQ(json.at("format"), "sluice-signing-key/1");
    EXPECT_EQ(json.at("publicKey"), protocol::encode_public_key("ed25519", keys.public_key));
    EXPECT_EQ(json.size(), 3u);
}

TEST(PublisherKeyFiles, ExistingKeyIsKeptUnlessForced) {
    sandbox_dir dir;
    auto const first = protocol::generate_signing_keypair();
    auto const second = protocol::generate_signing_keypair();
    ASSERT_TRUE(save_signing_key(dir / "k", first, false));
    auto const refused = save_signing_key(dir / "k", second, false);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error.find("--force"), std::string::npos) << refused.error;
    EXPECT_EQ(load_signing_key(dir / "k")->public_key, first.public_key);

    ASSERT_TRUE(save_signing_key(dir / "k", second, true));
    EXPECT_EQ(load_signing_key(dir / "k")->public_key, second.public_key);
    EXPECT_EQ(mode_of(dir / "k"), 0600u);
    // No temporary file is left beside it.
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(PublisherKeyFiles, MismatchedHalvesAreRefused) {
    auto const a = protocol::generate_signing_keypair();
    auto const b = protocol::generate_signing_keypair();
    auto json = nlohmann::json::parse(signing_key_text(a));
    json["publicKey"] = protocol::encode_public_key("ed25519", b.public_key);
    auto const parsed = parse_signing_key(json.dump());
    ASSERT_FALSE(parsed);
    EXPECT_NE(parsed.error.find("do not belong together"), std::string::npos) << parsed.error;

    json = nlohmann::json::parse(signing_key_text(a));
    json["format"] = "sluice-keys/1";
    EXPECT_FALSE(parse_signing_key(json.dump()));
    EXPECT_FALSE(parse_signing_key("not json"));
}

TEST(PublisherKeyFiles, ItemKeysRoundTrip) {
    item_keys keys{"night-watch", 3, {}};
    keys.items.push_back({"ep/one.mp4.locked", protocol::generate_item_key(), protocol::gate_kind::pledge});
    keys.items.push_back({"booklet.pdf.locked", protocol::generate_item_key(), protocol::gate_kind::pay});
    auto const text = item_keys_text(keys);
    auto const json = nlohmann::json::parse(text);
    EXPECT_EQ(json.at("format"), "sluice-keys/1");
    EXPECT_EQ(json.at("bundleId"), "night-watch");
    EXPECT_EQ(json.at("version"), 3);
    EXPECT_EQ(json.at("items").at(0).at("gate"), "pledge");
    EXPECT_EQ(json.at("items").at(0).size(), 3u);

    auto const parsed = parse_item_keys(text);
    ASSERT_TRUE(parsed) << parsed.error;
    ASSERT_EQ(parsed->items.size(), 2u);
    EXPECT_EQ(parsed->find("booklet.pdf.locked")->key, keys.items[1].key);
    EXPECT_EQ(parsed->find("booklet.pdf.locked")->gate, protocol::gate_kind::pay);
    EXPECT_EQ(parsed->find("nothing"), nullptr);

    auto bad = json;
    bad["items"][0]["key"] = "c2hvcnQ=";
    EXPECT_FALSE(parse_item_keys(bad.dump()));
    bad = json;
    bad["items"][1]["path"] = "../x";
    EXPECT_FALSE(parse_item_keys(bad.dump()));
}

TEST(PublisherAtomicFile, NewFileRefusesToOverwrite) {
    sandbox_dir dir;
    std::error_code ec;
    fileio::write_new_file(dir / "a", "one", 0644, ec);
    ASSERT_FALSE(ec);
    fileio::write_new_file(dir / "a", "two", 0644, ec);
    EXPECT_EQ(ec, std::errc::file_exists);
    EXPECT_EQ(read(dir / "a"), "one");
}

TEST(PublisherAtomicFile, DoesNotWriteThroughASymlink) {
    sandbox_dir dir;
    std::ofstream(dir / "target") << "keep";
    fs::create_symlink(dir / "target", dir / "link");
    std::error_code ec;
    fileio::write_file_atomically(dir / "link", "secret", 0600, false, ec);
    EXPECT_EQ(ec, std::errc::file_exists);
    EXPECT_EQ(read(dir / "target"), "keep");
}

} // namespace
} // namespace sluice::publisher
