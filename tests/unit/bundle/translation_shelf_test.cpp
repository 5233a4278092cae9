#include "bundle/translation_shelf.hpp"
#include "sandbox_dir.hpp"

#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/webvtt_check.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace sluice::bundle {
namespace {

namespace fs = std::filesystem;

std::string const track = "WEBVTT\n\n00:00.500 --> 00:02.000\nEsta noche\n";

class TranslationShelf : public ::testing::Test {
protected:
    void SetUp() override {
        manifest.id = "les-veilleurs";
        manifest.version = 3;
        manifest.publisher_key = publisher.public_key;
        manifest.translation_keys = {translator.public_key};
        for (auto const* path : {"pilot.webm", "episode-1.webm"}) {
            protocol::bundle_item item;
            item.path = path;
            manifest.items.push_back(item);
        }
    }

    protocol::translation_addon addon_for(std::string const& text, std::string item = "pilot.webm",
                                          std::string lang = "es") const {
        return {manifest.id, manifest.version,          std::move(item), std::move(lang),        "Español",
                "Ana",       protocol::sha256_of(text), text.size(),     "2026-12-07T10:00:00Z", {}};
    }

    std::size_t files_kept() const {
        std::size_t n = 0;
        std::error_code ec;
        for (fs::recursive_directory_iterator it(dir.path(), ec), end; !ec && it != end; it.increment(ec)) {
            n += it->is_regular_file() ? 1 : 0;
        }
        return n;
    }

    sluice::testing::sandbox_dir dir;
    protocol::signing_keypair publisher = protocol::generate_signing_keypair();
    protocol::signing_keypair translator = protocol::generate_signing_keypair();
    protocol::bundle_manifest manifest;
};

TEST_F(TranslationShelf, AVerifiedTranslationIsKeptAndOffersItsTrackToTheVersionItFits) {
    translation_shelf shelf(dir.path());
    auto const addon = protocol::sign_translation_addon(addon_for(track), translator);
    EXPECT_FALSE(shelf.has(manifest.id, addon));
    ASSERT_EQ(shelf.keep(manifest, addon, track), "");
    EXPECT_TRUE(shelf.has(manifest.id, addon));

    // Read back by a shelf that starts afresh, as after a restart.
    translation_shelf again(dir.path());
    auto const kept = again.fitting(manifest);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0].addon.lang, "es");
    EXPECT_EQ(kept[0].addon.credit, "Ana");
    EXPECT_EQ(kept[0].track_sha256, protocol::to_hex(protocol::sha256_of(track)));
    EXPECT_EQ(again.track(manifest, kept[0].track_sha256), track);

    auto next = manifest;
    next.version = 4;
    EXPECT_TRUE(again.fitting(next).empty()) << "an add-on fits one version";
    EXPECT_FALSE(again.track(next, kept[0].track_sha256));
}

TEST_F(TranslationShelf, WhatDoesNotVerifyIsNeitherKeptNorShown) {
    translation_shelf shelf(dir.path());
    auto const stranger = protocol::generate_signing_keypair();
    EXPECT_NE(shelf.keep(manifest, protocol::sign_translation_addon(addon_for(track), stranger), track)
                  .find("neither the bundle's publisher key nor a translation key"),
              std::string::npos);
    auto const addon = protocol::sign_translation_addon(addon_for(track), publisher);
    EXPECT_NE(shelf.keep(manifest, addon, track + "\n").find("SHA-256"), std::string::npos);
    auto other = addon_for(track);
    other.bundle_id = "autre";
    EXPECT_NE(shelf.keep(manifest, protocol::sign_translation_addon(other, publisher), track).find("autre"),
              std::string::npos);
    other = addon_for(track);
    other.version = 2;
    EXPECT_NE(
        shelf.keep(manifest, protocol::sign_translation_addon(other, publisher), track).find("version 2"),
        std::string::npos);
    std::string const script = "WEBVTT\n\n00:01.000 --> 00:02.000\n<script>alert(1)</script>\n";
    EXPECT_NE(shelf.keep(manifest, protocol::sign_translation_addon(addon_for(script), publisher), script)
                  .find("<script> is not a WebVTT tag"),
              std::string::npos);
    std::string const huge =
        "WEBVTT\n\n00:01.000 --> 00:02.000\n" + std::string(protocol::max_webvtt_bytes, 'a');
    EXPECT_FALSE(
        shelf.keep(manifest, protocol::sign_translation_addon(addon_for(huge), publisher), huge).empty());
    EXPECT_EQ(files_kept(), 0u);
    EXPECT_TRUE(shelf.fitting(manifest).empty());
}

TEST_F(TranslationShelf, ALaterApprovalTakesTheEarliersPlaceAndATrackChangedOnDiskIsNotServed) {
    translation_shelf shelf(dir.path());
    std::string const better = "WEBVTT\n\n00:00.500 --> 00:02.000\nEsta noche, no.\n";
    auto later = addon_for(better);
    later.approved_at = "2026-12-08T10:00:00Z";
    later.credit = "Ana, Luis";
    ASSERT_EQ(shelf.keep(manifest, protocol::sign_translation_addon(later, publisher), better), "");
    ASSERT_EQ(shelf.keep(manifest, protocol::sign_translation_addon(addon_for(track), publisher), track), "");
    ASSERT_EQ(
        shelf.keep(manifest,
                   protocol::sign_translation_addon(addon_for(track, "episode-1.webm", "de"), publisher),
                   track),
        "");
    auto const kept = shelf.fitting(manifest);
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_EQ(kept[0].addon.credit, "Ana, Luis");
    EXPECT_EQ(kept[1].addon.item, "episode-1.webm") << "in the order of the items";

    // Another program rewrote the track: it no longer matches its add-on.
    auto const sha = protocol::to_hex(protocol::sha256_of(better));
    std::ofstream(dir.path() / manifest.id / (sha + ".vtt"), std::ios::trunc) << "WEBVTT\n\nchanged";
    translation_shelf fresh(dir.path());
    EXPECT_FALSE(fresh.track(manifest, sha));
    auto const now_kept = fresh.fitting(manifest);
    ASSERT_EQ(now_kept.size(), 2u);
    EXPECT_EQ(now_kept[0].addon.credit, "Ana") << "the earlier approval, whose track is whole, is shown";
}

} // namespace
} // namespace sluice::bundle
