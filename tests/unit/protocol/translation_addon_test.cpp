#include "file_helpers.hpp"
#include "json_schema.hpp"

#include <sluice/protocol/translation_addon.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

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

// --- The known-answer vectors in protocol/examples/translations ---

namespace fs = std::filesystem;
using nlohmann::json;

fs::path vectors_dir() {
    return testing::protocol_dir() / "examples" / "translations";
}

struct addon_vector {
    std::string name;
    json file;
};

std::vector<addon_vector> addon_vectors() {
    std::vector<addon_vector> out;
    for (auto const* folder : {"valid", "invalid"}) {
        for (auto const& e : fs::directory_iterator(vectors_dir() / folder)) {
            out.push_back(
                {std::string(folder) + "/" + e.path().filename().string(), testing::read_json(e.path())});
        }
    }
    return out;
}

bundle_manifest vectors_manifest() {
    auto const parsed = parse_bundle_manifest(testing::read_file(vectors_dir() / "manifest.json"));
    EXPECT_TRUE(parsed) << parsed.error;
    return parsed ? *parsed.manifest : bundle_manifest{};
}

TEST(TranslationAddonVectors, EachHasTheExpectedOutcome) {
    auto const manifest = vectors_manifest();
    auto const keys = testing::read_json(vectors_dir() / "keys.json");
    ASSERT_EQ(encode_public_key("ed25519", manifest.publisher_key), keys.at("publisher").at("publicKey"));
    auto const all = addon_vectors();
    ASSERT_GE(all.size(), 14u);
    std::set<std::string> problems_seen;
    for (auto const& [name, file] : all) {
        auto const& expected = file.at("expected");
        bool const accepted = expected.at("accepted").get<bool>();
        EXPECT_EQ(accepted, name.rfind("valid/", 0) == 0) << name << " is in the wrong folder";
        std::optional<std::string> track;
        if (!file.at("track").is_null()) {
            track = testing::read_file(vectors_dir() / "tracks" / file.at("track").get<std::string>());
        }
        auto const r = verify_translation_addon(file.at("addon").get<std::string>(), manifest, track);
        EXPECT_EQ(to_string(r.problem), accepted ? "none" : expected.at("problem").get<std::string>())
            << name << ": " << r.detail;
        EXPECT_EQ(r.detail.empty(), accepted) << name;
        if (!accepted) {
            problems_seen.insert(std::string(to_string(r.problem)));
            continue;
        }
        EXPECT_EQ(r.addon.bundle_id, expected.at("bundleId")) << name;
        EXPECT_EQ(r.addon.version, expected.at("version")) << name;
        EXPECT_EQ(r.addon.item, expected.at("item")) << name;
        EXPECT_EQ(r.addon.lang, expected.at("lang")) << name;
        EXPECT_EQ(r.addon.label, expected.at("label")) << name;
        EXPECT_EQ(r.addon.credit, expected.at("credit")) << name;
        EXPECT_EQ(to_hex(r.addon.sha256), expected.at("sha256")) << name;
        EXPECT_EQ(r.addon.size, expected.at("size")) << name;
        EXPECT_EQ(r.addon.approved_at, expected.at("approvedAt")) << name;
        EXPECT_EQ(encode_public_key("ed25519", r.addon.key), expected.at("key")) << name;
        if (track) {
            EXPECT_EQ(sha256_of(*track), r.addon.sha256) << name;
        }
    }
    EXPECT_EQ(problems_seen,
              (std::set<std::string>{"malformed", "untrusted_key", "bad_signature", "wrong_bundle",
                                     "unknown_item", "track_mismatch", "track_invalid"}));
}

// The schema judges shape only: it rejects exactly the malformed vectors, in the envelope or in the decoded
// body, and accepts the rest, whose faults (keys, signatures, versions, tracks) no schema can see.
TEST(TranslationAddonVectors, SchemaRejectsExactlyTheMalformedOnes) {
    testing::json_schema const schema(
        testing::read_json(testing::protocol_dir() / "schema" / "translation-addon.json"));
    std::size_t checked = 0;
    for (auto const& [name, file] : addon_vectors()) {
        auto const text = file.at("addon").get<std::string>();
        bool const malformed = file.at("expected").value("problem", "") == "malformed";
        if (text.size() > max_translation_addon_bytes) {
            EXPECT_TRUE(malformed) << name;
            continue;
        }
        auto const errors = testing::signed_envelope_problems(schema, text);
        EXPECT_EQ(!errors.empty(), malformed) << name << ": " << (errors.empty() ? "valid" : errors.front());
        ++checked;
    }
    EXPECT_GE(checked, 13u);
}

TEST_F(TranslationAddon, SignedAddOnsMatchTheSchema) {
    testing::json_schema const schema(
        testing::read_json(testing::protocol_dir() / "schema" / "translation-addon.json"));
    auto const envelope = json::parse(sign_translation_addon(addon, translator));
    auto const errors = schema.validate(envelope);
    EXPECT_TRUE(errors.empty()) << errors.front();
    auto const body_errors =
        schema.validate(json::parse(*from_base64(envelope.at("payload").get<std::string>())), "/$defs/body");
    EXPECT_TRUE(body_errors.empty()) << body_errors.front();
}

} // namespace
} // namespace sluice::protocol
