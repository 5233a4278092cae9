#include "file_helpers.hpp"
#include "sandbox_dir.hpp"
#include "sluice-bundle/bundle_plan.hpp"
#include "sluice-bundle/bundle_spec.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace sluice::publisher {
namespace {

namespace fs = std::filesystem;
using testing::sandbox_dir;

// A spec with every kind of item; tests change one thing in it and expect one message.
nlohmann::json good_spec() {
    return nlohmann::json::parse(R"({
        "format": "sluice-bundle-spec/1",
        "id": "night-watch",
        "version": 2,
        "title": "Night Watch",
        "creator": "Studio",
        "gateUrl": "https://gate.example.org/",
        "gateKeys": ["ed25519:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBE="],
        "translationKeys": ["ed25519:CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCE="],
        "items": [
            {"source": "film.webm", "access": "free",
             "subtitles": [{"lang": "en", "label": "English", "source": "film.en.vtt"}]},
            {"source": "ep/one.mp4", "access": "locked", "gate": "email"}
        ],
        "gates": {"email": {"doubleOptIn": true}},
        "trackers": ["udp://tracker.example.org:6969/announce"],
        "webSeeds": ["https://cdn.example.org/b"]
    })");
}

std::string error_of(nlohmann::json const& spec) {
    auto const parsed = parse_bundle_spec(spec.dump());
    EXPECT_FALSE(parsed) << "the spec was accepted";
    return parsed.error;
}

TEST(PublisherSpec, ReadsEveryMember) {
    auto const spec = parse_bundle_spec(good_spec().dump());
    ASSERT_TRUE(spec) << spec.error;
    EXPECT_EQ(spec->id, "night-watch");
    EXPECT_EQ(spec->version, 2u);
    ASSERT_EQ(spec->items.size(), 2u);
    EXPECT_EQ(spec->items[0].bundle_path(), "film.webm");
    EXPECT_EQ(spec->items[0].media_type, "video/webm"); // from the extension
    EXPECT_EQ(spec->items[1].bundle_path(), "ep/one.mp4.locked");
    EXPECT_EQ(spec->items[1].media_type, "video/mp4");
    EXPECT_EQ(spec->items[1].gate, protocol::gate_kind::email);
    ASSERT_EQ(spec->items[0].subtitles.size(), 1u);
    EXPECT_EQ(spec->items[0].subtitles[0].source, "film.en.vtt");
    ASSERT_TRUE(spec->gates.email);
    EXPECT_TRUE(spec->gates.email->double_opt_in);
    ASSERT_EQ(spec->web_seeds.size(), 1u);
    EXPECT_EQ(spec->web_seeds[0], "https://cdn.example.org/b/"); // BEP 19 base URL: the slash is added
    ASSERT_EQ(spec->translation_keys.size(), 1u);
    EXPECT_NE(spec->translation_keys[0], spec->gate_keys.at(0));
}

TEST(PublisherSpec, TheDocumentedExampleIsValid) {
    std::ifstream in(fs::path(SLUICE_SOURCE_DIR) / "publisher/examples/les-veilleurs/spec.json");
    std::string const text((std::istreambuf_iterator<char>(in)), {});
    ASSERT_FALSE(text.empty());
    auto const spec = parse_bundle_spec(text);
    ASSERT_TRUE(spec) << spec.error;
    EXPECT_EQ(spec->items.size(), 5u);
    ASSERT_TRUE(spec->gates.pledge);
    EXPECT_EQ(spec->gates.pledge->tiers.size(), 2u) << "the example shows a campaign's tiers";
}

TEST(PublisherSpec, UnknownMemberIsNamedWithItsPlace) {
    auto spec = good_spec();
    spec["items"][1]["acess"] = "free";
    auto const error = error_of(spec);
    EXPECT_NE(error.find("/items/1"), std::string::npos) << error;
    EXPECT_NE(error.find("unknown member \"acess\""), std::string::npos) << error;
    EXPECT_NE(error.find("access"), std::string::npos) << "the allowed members are listed: " << error;

    spec = good_spec();
    spec["tracker"] = nlohmann::json::array();
    EXPECT_NE(error_of(spec).find("unknown member \"tracker\""), std::string::npos);

    spec = good_spec();
    spec["gates"]["pledge"] = {{"campaign", "x"}};
    EXPECT_NE(error_of(spec).find("/gates/pledge: unknown member \"campaign\""), std::string::npos);
}

TEST(PublisherSpec, LockedItemNeedsAGateThatIsDefined) {
    auto spec = good_spec();
    spec["items"][1].erase("gate");
    auto error = error_of(spec);
    EXPECT_NE(error.find("/items/1"), std::string::npos) << error;
    EXPECT_NE(error.find("a locked item needs \"gate\""), std::string::npos) << error;

    spec = good_spec();
    spec["items"][1]["gate"] = "pay";
    error = error_of(spec);
    EXPECT_NE(error.find("/items/1/gate"), std::string::npos) << error;
    EXPECT_NE(error.find("pay gate, which \"gates\" does not define"), std::string::npos) << error;

    spec = good_spec();
    spec["items"][0]["gate"] = "email";
    EXPECT_NE(error_of(spec).find("a free item has no gate"), std::string::npos);
}

TEST(PublisherSpec, LockedItemsNeedAGateKeyAndAGateUrl) {
    auto spec = good_spec();
    spec.erase("gateKeys");
    EXPECT_NE(error_of(spec).find("/gateKeys"), std::string::npos);
    spec = good_spec();
    spec.erase("gateUrl");
    EXPECT_NE(error_of(spec).find("/gateUrl"), std::string::npos);
    spec = good_spec();
    spec["gateKeys"][0] = "ed25519:short";
    EXPECT_NE(error_of(spec).find("/gateKeys/0"), std::string::npos);
}

TEST(PublisherSpec, TranslationKeysArePublicKeysListedOnce) {
    auto spec = good_spec();
    spec["translationKeys"][0] = "ed25519:short";
    EXPECT_NE(error_of(spec).find("/translationKeys/0: must be a translation key's public key"),
              std::string::npos);
    spec = good_spec();
    spec["translationKeys"].push_back(spec["translationKeys"][0]);
    EXPECT_NE(error_of(spec).find("/translationKeys/1: is listed twice"), std::string::npos);
}

TEST(PublisherSpec, SourcesMustStayInsideTheFolder) {
    for (auto const* bad :
         {"../film.webm", "/etc/passwd", "a/../../b.webm", "a//b.webm", "a\\b.webm", "./a.webm"}) {
        auto spec = good_spec();
        spec["items"][0]["source"] = bad;
        auto const error = error_of(spec);
        EXPECT_NE(error.find("/items/0/source"), std::string::npos) << bad << ": " << error;
        EXPECT_NE(error.find("inside the source folder"), std::string::npos) << bad << ": " << error;
    }
    auto spec = good_spec();
    spec["items"][0]["subtitles"][0]["source"] = "../x.vtt";
    EXPECT_NE(error_of(spec).find("/items/0/subtitles/0/source"), std::string::npos);
    spec = good_spec();
    spec["items"][0]["source"] = "bundle.json";
    EXPECT_NE(error_of(spec).find("written by sluice-bundle"), std::string::npos);
}

TEST(PublisherSpec, UnknownExtensionNeedsAMediaType) {
    auto spec = good_spec();
    spec["items"][0]["source"] = "film.xyz";
    EXPECT_NE(error_of(spec).find("give one with \"mediaType\""), std::string::npos);
    spec["items"][0]["mediaType"] = "video/webm";
    EXPECT_TRUE(parse_bundle_spec(spec.dump()));
    spec["items"][0]["mediaType"] = "Video/WebM";
    EXPECT_NE(error_of(spec).find("/items/0/mediaType"), std::string::npos);
}

TEST(PublisherSpec, ChecksTheManifestRulesEarly) {
    auto spec = good_spec();
    spec["id"] = "Night Watch";
    EXPECT_NE(error_of(spec).find("at /id:"), std::string::npos);
    spec = good_spec();
    spec["version"] = 0;
    EXPECT_NE(error_of(spec).find("at /version:"), std::string::npos);
    spec = good_spec();
    spec["format"] = "sluice-bundle/1";
    EXPECT_NE(error_of(spec).find("at /format:"), std::string::npos);
    spec = good_spec();
    spec["items"][1]["source"] = "film.webm";
    spec["items"][1]["access"] = "free";
    spec["items"][1].erase("gate");
    EXPECT_NE(error_of(spec).find("same file as an earlier item"), std::string::npos);
    spec = good_spec();
    spec["gates"]["pledge"] =
        nlohmann::json::parse(R"({"campaignId": "s2", "deadline": "2027-02-30T00:00:00Z",
        "price": 1, "currency": "EUR", "expectedDelivery": "2027-09-01", "ifGoalMissed": "x", "goalBackers": 3})");
    EXPECT_NE(error_of(spec).find("/gates/pledge/deadline"), std::string::npos);
    spec = good_spec();
    spec["trackers"][0] = "ftp://tracker.example.org/";
    EXPECT_NE(error_of(spec).find("/trackers/0"), std::string::npos);
}

TEST(PublisherSpec, NotJsonIsSaidSo) {
    auto const parsed = parse_bundle_spec("{\"format\": ");
    ASSERT_FALSE(parsed);
    EXPECT_NE(parsed.error.find("not valid JSON"), std::string::npos);
}

// ---- plan_bundle_files: the spec against the source folder ----

using testing::write_file;

TEST(PublisherPlan, ListsItemsThenSubtitles) {
    sandbox_dir dir;
    write_file(dir / "film.webm", "film");
    write_file(dir / "film.en.vtt", "WEBVTT");
    write_file(dir / "ep/one.mp4", "one");
    auto const spec = parse_bundle_spec(good_spec().dump());
    auto const plan = plan_bundle_files(*spec, dir.path());
    ASSERT_TRUE(plan) << plan.error;
    ASSERT_EQ(plan->size(), 3u);
    EXPECT_EQ((*plan)[0].bundle_path, "film.webm");
    EXPECT_FALSE((*plan)[0].locked);
    EXPECT_EQ((*plan)[1].bundle_path, "ep/one.mp4.locked");
    EXPECT_TRUE((*plan)[1].locked);
    EXPECT_EQ((*plan)[1].size, 3u);
    EXPECT_EQ((*plan)[2].bundle_path, "film.en.vtt");
}

TEST(PublisherPlan, MissingSourceNamesTheFileAndTheMember) {
    sandbox_dir dir;
    write_file(dir / "film.webm", "film");
    write_file(dir / "film.en.vtt", "WEBVTT");
    auto const spec = parse_bundle_spec(good_spec().dump());
    auto const plan = plan_bundle_files(*spec, dir.path());
    ASSERT_FALSE(plan);
    EXPECT_NE(plan.error.find("/items/1/source"), std::string::npos) << plan.error;
    EXPECT_NE(plan.error.find("\"ep/one.mp4\" does not exist"), std::string::npos) << plan.error;
}

TEST(PublisherPlan, SymbolicLinkOutOfTheFolderIsRefused) {
    sandbox_dir outside;
    sandbox_dir dir;
    write_file(outside / "secret.mp4", "do not publish");
    write_file(dir / "film.webm", "film");
    write_file(dir / "film.en.vtt", "WEBVTT");
    fs::create_directories(dir / "ep");
    fs::create_symlink(outside / "secret.mp4", dir / "ep/one.mp4");
    auto const spec = parse_bundle_spec(good_spec().dump());
    auto const plan = plan_bundle_files(*spec, dir.path());
    ASSERT_FALSE(plan);
    EXPECT_NE(plan.error.find("leads out of the source folder"), std::string::npos) << plan.error;
}

TEST(PublisherPlan, FolderInsteadOfFileIsRefused) {
    sandbox_dir dir;
    write_file(dir / "film.webm/inner", "x");
    write_file(dir / "film.en.vtt", "WEBVTT");
    write_file(dir / "ep/one.mp4", "one");
    auto const spec = parse_bundle_spec(good_spec().dump());
    auto const plan = plan_bundle_files(*spec, dir.path());
    ASSERT_FALSE(plan);
    EXPECT_NE(plan.error.find("not a regular file"), std::string::npos) << plan.error;
}

TEST(PublisherPlan, TwoFilesForOnePathAreRefused) {
    sandbox_dir dir;
    write_file(dir / "film.webm", "film");
    write_file(dir / "ep/one.mp4", "one");
    write_file(dir / "ep/one.mp4.locked", "not the same file");
    auto json = good_spec();
    json["items"][0]["subtitles"][0]["source"] = "ep/one.mp4.locked";
    json["items"][0]["subtitles"][0]["lang"] = "en";
    auto const spec = parse_bundle_spec(json.dump());
    ASSERT_TRUE(spec) << spec.error;
    auto const plan = plan_bundle_files(*spec, dir.path());
    ASSERT_FALSE(plan);
    EXPECT_NE(plan.error.find("stored in the bundle twice"), std::string::npos) << plan.error;
}

} // namespace
} // namespace sluice::publisher
