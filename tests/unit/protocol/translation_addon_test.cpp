#include <sluice/protocol/translation_addon.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <gtest/gtest.h>

#include <string>

namespace sluice::protocol {
namespace {

std::string const track =
    "WEBVTT\n\n00:00.500 --> 00:02.000\nEsta noche\n\n00:02.000 --> 00:04.000\n¿Quién vela?\n";

class TranslationAddon : public ::testing::Test {
protected:
    void SetUp() override {
        manifest.id = "les-veilleurs";
        manifest.version = 3;
        manifest.publisher_key = publisher.public_key;
        manifest.translation_keys = {translator.public_key};
        bundle_item pilot;
        pilot.path = "pilot.webm";
        manifest.items.push_back(pilot);
        addon = {"les-veilleurs",
                 3,
                 "pilot.webm",
                 "es",
                 "Español",
                 "Ana & Luis",
                 sha256_of(track),
                 track.size(),
                 "2026-12-07T10:00:00Z",
                 {}};
    }

    signing_keypair publisher = generate_signing_keypair();
    signing_keypair translator = generate_signing_keypair();
    bundle_manifest manifest;
    translation_addon addon;
};

TEST_F(TranslationAddon, SignedByThePublisherOrAListedTranslationKeyItVerifiesWithItsTrack) {
    for (auto const* signer : {&publisher, &translator}) {
        auto const result = verify_translation_addon(sign_translation_addon(addon, *signer), manifest, track);
        ASSERT_TRUE(result) << result.detail;
        EXPECT_EQ(result.addon.key, signer->public_key);
        EXPECT_EQ(result.addon.lang, "es");
        EXPECT_EQ(result.addon.credit, "Ana & Luis");
        EXPECT_EQ(result.addon.sha256, sha256_of(track));
        EXPECT_EQ(result.addon.size, track.size());
    }
}

TEST_F(TranslationAddon, AnAddOnThatDoesNotFitItsBundleOrItsTrackIsRefusedWithWhy) {
    auto const refused = [&](std::string const& text, std::string_view with_track = track) {
        auto const result = verify_translation_addon(text, manifest, with_track);
        EXPECT_FALSE(result);
        return result.detail;
    };
    auto const stranger = generate_signing_keypair();
    EXPECT_NE(refused(sign_translation_addon(addon, stranger))
                  .find("neither the bundle's publisher key nor a translation key its manifest lists"),
              std::string::npos);

    auto other = addon;
    other.bundle_id = "autre";
    EXPECT_EQ(refused(sign_translation_addon(other, publisher)),
              "the add-on is for autre version 3, not les-veilleurs version 3");
    other = addon;
    other.version = 2;
    EXPECT_EQ(refused(sign_translation_addon(other, publisher)),
              "the add-on is for les-veilleurs version 2, not les-veilleurs version 3");
    other = addon;
    other.item = "episode-9.webm";
    EXPECT_EQ(refused(sign_translation_addon(other, publisher)),
              "the add-on names episode-9.webm, which the bundle does not hold");

    auto const signed_addon = sign_translation_addon(addon, translator);
    auto changed = track;
    changed[track.size() - 2] = '!';
    EXPECT_EQ(refused(signed_addon, changed),
              "the track is not the one the add-on signs (its SHA-256 differs)");

    // A track with a script is refused even with a good signature over its hash.
    std::string const bad = "WEBVTT\n\n00:01.000 --> 00:02.000\n<script>alert(1)</script>\n";
    other = addon;
    other.sha256 = sha256_of(bad);
    other.size = bad.size();
    EXPECT_EQ(refused(sign_translation_addon(other, publisher), bad),
              "the track is not strict WebVTT: line 4: <script> is not a WebVTT tag");

    // The envelope: its signature, format and size.
    auto envelope = nlohmann::json::parse(signed_addon);
    auto payload = *from_base64(envelope.at("payload").get<std::string>());
    payload.replace(payload.find("Ana"), 3, "Eve");
    envelope["payload"] = to_base64(payload);
    EXPECT_EQ(refused(dump_compact(envelope)), "the add-on's signature does not match its contents");
    envelope = nlohmann::json::parse(signed_addon);
    envelope["format"] = "sluice-translation/0";
    EXPECT_NE(refused(dump_compact(envelope)).find("must be \"sluice-translation/1\""), std::string::npos);
    EXPECT_NE(refused(std::string(max_translation_addon_bytes + 1, ' ')).find("larger than"),
              std::string::npos);
    EXPECT_NE(refused("{").find("not JSON"), std::string::npos);
}

} // namespace
} // namespace sluice::protocol
