#include "bundle/bundle_library.hpp"
#include "file_helpers.hpp"
#include "host_parts.hpp"

#include <gtest/gtest.h>
#include <libtorrent/torrent_info.hpp>

namespace sluice::bundle {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using protocol::token_problem;

class BundleLibrary : public ::testing::Test {
protected:
    // The index of `path` (below the bundle's folder) among the torrent's files, read from libtorrent.
    int file_index(std::string const& torrent, std::string const& path) const {
        auto const handle = host.engine.find(torrent);
        auto const ti = handle ? handle->torrent_file() : nullptr;
        if (!ti) {
            return -1;
        }
        auto const& fs = ti->files();
        for (auto const f : fs.file_range()) {
            if (fs.file_path(f) == bundle.folder.filename().string() + "/" + path) {
                return static_cast<int>(f);
            }
        }
        return -1;
    }

    // Adds the bundle and waits for the library to refuse it; the reason.
    std::string refusal(std::string* id = nullptr) {
        auto const torrent = host.add_bundle_torrent(bundle);
        if (id != nullptr) {
            *id = torrent;
        }
        if (!host.run_until([&] { return !host.events_named("torrent.error").empty(); })) {
            return "(not refused)";
        }
        auto const error = host.events_named("torrent.error").at(0);
        EXPECT_EQ(error.at("infoHash"), torrent);
        EXPECT_EQ(error.at("kind"), "bundle");
        EXPECT_EQ(host.library.manifest(torrent), nullptr);
        return error.at("message").get<std::string>();
    }

    std::array<unsigned char, 32> device() const { return host.keys.device().public_key; }

    testing::host_parts host;
    testing::test_bundle bundle =
        testing::test_bundle::make(host.dir.path(), "night-watch", 1, 100 * 1024 + 7);
};

TEST_F(BundleLibrary, VerifiesABundleAndDescribesIt) {
    std::string id;
    ASSERT_TRUE(host.add_verified_bundle(bundle, &id));
    EXPECT_TRUE(host.library.is_bundle(id));
    auto const verified = host.events_named("bundle.verified");
    ASSERT_EQ(verified.size(), 1u);
    EXPECT_EQ(
        verified[0],
        json({{"infoHash", id}, {"bundleId", "night-watch"}, {"version", 1}, {"title", "Night Watch"}}));

    auto const d = host.library.describe(id);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->at("status"), "verified");
    EXPECT_EQ(d->at("signature"), "valid");
    EXPECT_EQ(d->at("bundleId"), "night-watch");
    EXPECT_EQ(d->at("gateUrl"), "http://127.0.0.1:9/");
    EXPECT_EQ(d->at("publisherKey"), protocol::encode_public_key("ed25519", bundle.publisher.public_key));
    ASSERT_EQ(d->at("items").size(), 3u);
    auto const& episode = d->at("items")[1];
    EXPECT_EQ(episode.at("path"), "episode-1.webm.locked");
    EXPECT_EQ(episode.at("fileIndex"), file_index(id, "episode-1.webm.locked"));
    EXPECT_EQ(episode.at("access"), "locked");
    EXPECT_EQ(episode.at("gate"), "email");
    EXPECT_EQ(episode.at("unlocked"), false);
    EXPECT_EQ(d->at("items")[0].at("subtitles")[0].at("fileIndex"), file_index(id, "pilot.en.vtt"));
    // A bundle id is pinned to its publisher and version once verified.
    auto const known = host.keys.bundle("night-watch");
    ASSERT_TRUE(known);
    EXPECT_EQ(known->publisher_key, bundle.publisher.public_key);
    EXPECT_EQ(known->highest_version, 1u);
}

TEST_F(BundleLibrary, SaysHowEachFileMayBeServed) {
    std::string id;
    ASSERT_TRUE(host.add_verified_bundle(bundle, &id));
    auto const free = host.library.access(id, *host.library.item_file(id, "pilot.webm"));
    EXPECT_EQ(free.what, file_access::kind::plain);
    EXPECT_EQ(free.media_type, "video/webm");
    EXPECT_EQ(free.plaintext_size, bundle.plaintext.at("pilot.webm").size());
    auto const locked = host.library.access(id, *host.library.item_file(id, "booklet.pdf.locked"));
    EXPECT_EQ(locked.what, file_access::kind::locked);
    EXPECT_EQ(locked.media_type, "application/pdf");
    EXPECT_EQ(locked.key, protocol::item_key{});             // nothing of a key before an unlock
    EXPECT_FALSE(host.library.item_file(id, "bundle.json")); // a file of the torrent, no item
    EXPECT_FALSE(host.library.item_file(id, "absent.webm"));
    EXPECT_EQ(host.library.item(id, "booklet.pdf.locked")->media_type, "application/pdf");
    EXPECT_EQ(host.library.item("0000", "booklet.pdf.locked"), nullptr);
}

TEST_F(BundleLibrary, ALockedLookingFileIsNotServedBeforeTheManifestIsVerified) {
    auto const id = host.add_bundle_torrent(bundle);
    ASSERT_FALSE(id.empty());
    ASSERT_TRUE(host.library.is_bundle(id)); // known as one from its metadata, before its manifest is read
    EXPECT_EQ(host.library.manifest(id), nullptr);
    EXPECT_EQ(host.library.access(id, file_index(id, "episode-1.webm.locked")).what,
              file_access::kind::locked);
    EXPECT_EQ(host.library.access(id, file_index(id, "pilot.webm")).what, file_access::kind::plain);
    auto const d = host.library.describe(id);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->at("status"), "fetching");
    EXPECT_EQ(d->at("signature"), "pending");
    EXPECT_FALSE(d->contains("items"));
}

TEST_F(BundleLibrary, ATorrentWithoutAManifestIsNoBundle) {
    auto const folder = host.dir / "plain";
    testing::write_file(folder / "readme.txt", "hello");
    testing::write_file(folder / "movie.webm.locked", "not really locked");
    auto source = torrent::parse_torrent_data(testing::make_torrent(folder).bytes);
    auto added =
        host.engine.add(std::move(std::get<lt::add_torrent_params>(source)), host.dir.path().string());
    auto const id = std::get<json>(added).at("infoHash").get<std::string>();
    EXPECT_FALSE(host.library.is_bundle(id));
    EXPECT_FALSE(host.library.describe(id));
    EXPECT_EQ(host.library.access(id, 0).what, file_access::kind::plain);
    EXPECT_EQ(host.library.access(id, 1).what, file_access::kind::plain);
}

TEST_F(BundleLibrary, ABadSignatureIsRefused) {
    bundle.write_signature(std::string(64, 'x'));
    std::string id;
    EXPECT_NE(refusal(&id).find("cannot be trusted"), std::string::npos);
    auto const d = host.library.describe(id);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->at("status"), "refused");
    EXPECT_EQ(d->at("signature"), "refused");
    EXPECT_FALSE(host.keys.bundle("night-watch"));
    EXPECT_EQ(host.library.access(id, file_index(id, "episode-1.webm.locked")).what,
              file_access::kind::locked);
}

TEST_F(BundleLibrary, AnOlderVersionThanOneSeenIsRefused) {
    std::error_code ec;
    host.keys.remember_bundle("night-watch", {bundle.publisher.public_key, 5}, ec);
    ASSERT_FALSE(ec);
    EXPECT_NE(refusal().find("older than version 5"), std::string::npos);
}

TEST_F(BundleLibrary, AnotherPublisherForAKnownIdIsRefused) {
    std::error_code ec;
    host.keys.remember_bundle("night-watch", {protocol::generate_signing_keypair().public_key, 1}, ec);
    ASSERT_FALSE(ec);
    EXPECT_NE(refusal().find("another publisher key"), std::string::npos);
}

TEST_F(BundleLibrary, ATokenUnlocksItsItemsAndIsKept) {
    std::string id;
    ASSERT_TRUE(host.add_verified_bundle(bundle, &id));
    auto const token = bundle.token_for(device(), {"episode-1.webm.locked"});
    auto const outcome = host.library.redeem(token);
    EXPECT_EQ(outcome.problem, token_problem::none) << outcome.detail;
    EXPECT_EQ(outcome.bundle_id, "night-watch");
    EXPECT_EQ(outcome.items, std::vector<std::string>{"episode-1.webm.locked"});
    auto const unlocked = host.events_named("bundle.unlocked");
    ASSERT_EQ(unlocked.size(), 1u);
    EXPECT_EQ(unlocked[0],
              json({{"infoHash", id}, {"bundleId", "night-watch"}, {"items", {"episode-1.webm.locked"}}}));

    auto const episode = host.library.access(id, *host.library.item_file(id, "episode-1.webm.locked"));
    EXPECT_EQ(episode.what, file_access::kind::unlocked);
    EXPECT_EQ(episode.key, bundle.keys.at("episode-1.webm.locked"));
    EXPECT_EQ(episode.identity, protocol::item_identity("night-watch", "episode-1.webm.locked"));
    EXPECT_EQ(host.library.access(id, *host.library.item_file(id, "booklet.pdf.locked")).what,
              file_access::kind::locked);
    EXPECT_EQ(host.library.describe(id)->at("items")[1].at("unlocked"), true);
    ASSERT_EQ(host.keys.tokens_for("night-watch").size(), 1u);
    EXPECT_EQ(host.keys.tokens_for("night-watch")[0].text, token);
}

TEST_F(BundleLibrary, TokensThatDoNotFitAreRefused) {
    ASSERT_TRUE(host.add_verified_bundle(bundle));
    auto const stranger = protocol::generate_signing_keypair();
    EXPECT_EQ(host.library.redeem(bundle.token_for(device(), {}, std::nullopt, &stranger)).problem,
              token_problem::untrusted_gate_key);
    EXPECT_EQ(host.library.redeem(bundle.token_for(protocol::generate_box_keypair().public_key)).problem,
              token_problem::wrong_device);
    auto const past = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) - 1h;
    EXPECT_EQ(host.library.redeem(bundle.token_for(device(), {}, past)).problem, token_problem::expired);
    EXPECT_EQ(host.library.redeem("not a token").problem, token_problem::malformed);
    EXPECT_EQ(host.library.redeem(bundle.token_for(device()), "another-bundle").no_bundle, true);
    EXPECT_TRUE(host.keys.tokens_for("night-watch").empty());
    EXPECT_TRUE(host.events_named("bundle.unlocked").empty());
}

TEST_F(BundleLibrary, WithoutAVerifiedBundleThereIsNothingToRedeemAgainst) {
    auto const outcome = host.library.redeem(bundle.token_for(device()));
    EXPECT_TRUE(outcome.no_bundle);
    EXPECT_TRUE(host.keys.tokens_for("night-watch").empty());
}

TEST_F(BundleLibrary, ATokenKeptEarlierUnlocksTheBundleOnceVerified) {
    std::error_code ec;
    auto const token = bundle.token_for(device(), {"booklet.pdf.locked"});
    host.keys.add_token({"night-watch", "t-1", token}, ec);
    ASSERT_FALSE(ec);
    std::string id;
    ASSERT_TRUE(host.add_verified_bundle(bundle, &id));
    EXPECT_EQ(host.library.access(id, *host.library.item_file(id, "booklet.pdf.locked")).what,
              file_access::kind::unlocked);
    EXPECT_EQ(host.library.access(id, *host.library.item_file(id, "episode-1.webm.locked")).what,
              file_access::kind::locked);
}

TEST_F(BundleLibrary, AGatesTokenForABundleNotInTheSessionIsHeldForIt) {
    auto const token = bundle.token_for(device());
    auto const held = host.library.redeem_or_hold(token, {bundle.gate.public_key}, "night-watch");
    EXPECT_TRUE(held.held);
    EXPECT_EQ(held.redeemed.problem, token_problem::none);
    EXPECT_EQ(held.redeemed.items.size(), 2u);
    EXPECT_EQ(host.keys.tokens_for("night-watch").size(), 1u);

    std::string id;
    ASSERT_TRUE(host.add_verified_bundle(bundle, &id));
    EXPECT_EQ(host.library.access(id, *host.library.item_file(id, "episode-1.webm.locked")).what,
              file_access::kind::unlocked);
}

TEST_F(BundleLibrary, AHeldTokenMustComeFromTheGateAndBeForTheBundleAskedAbout) {
    auto const stranger = protocol::generate_signing_keypair();
    EXPECT_EQ(host.library
                  .redeem_or_hold(bundle.token_for(device(), {}, std::nullopt, &stranger),
                                  {bundle.gate.public_key}, "night-watch")
                  .redeemed.problem,
              token_problem::untrusted_gate_key);
    EXPECT_EQ(
        host.library.redeem_or_hold(bundle.token_for(device()), {bundle.gate.public_key}, "another-bundle")
            .redeemed.problem,
        token_problem::wrong_bundle);
    EXPECT_TRUE(host.keys.tokens_for("night-watch").empty());
}

} // namespace
} // namespace sluice::bundle
