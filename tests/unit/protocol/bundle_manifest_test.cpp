#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/keys.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace sluice::protocol {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json example(std::string const& folder, std::string const& name) {
    std::ifstream in(fs::path(SLUICE_SOURCE_DIR) / "protocol" / "examples" / "bundles" / folder / name);
    return json::parse(in).at("manifest");
}

json full() {
    return example("valid", "full.json");
}

manifest_result parse(json const& j) {
    return parse_bundle_manifest(j.dump());
}

std::string error_of(json const& j) {
    auto const r = parse(j);
    EXPECT_FALSE(r) << "accepted: " << j.dump().substr(0, 200);
    return r.error;
}

TEST(BundleManifest, ReadsEveryMemberOfTheFullExample) {
    auto const r = parse(full());
    ASSERT_TRUE(r) << r.error;
    auto const& m = *r.manifest;
    EXPECT_EQ(m.id, "les-veilleurs");
    EXPECT_EQ(m.version, 3u);
    EXPECT_EQ(m.title, "Les Veilleurs");
    ASSERT_TRUE(m.cover);
    EXPECT_EQ(m.cover->path, "cover.jpg");
    EXPECT_EQ(m.cover->size, 48213u);
    EXPECT_EQ(m.items[1].stored_size, 7341888u);
    EXPECT_EQ(m.items[0].stored_size, m.items[0].size);
    EXPECT_EQ(m.items[0].root[0], 0x11);
    EXPECT_EQ(m.items[0].subtitles[1].root[0], 0x55);
    EXPECT_EQ(m.stored_files().size(), 8u);
    ASSERT_EQ(m.gate_keys.size(), 1u);
    EXPECT_EQ(m.gate_url, "https://gate.example.org/");
    ASSERT_EQ(m.items.size(), 4u);
    EXPECT_FALSE(m.items[0].locked());
    ASSERT_EQ(m.items[0].subtitles.size(), 3u);
    EXPECT_EQ(m.items[0].subtitles[1].label, "English");
    EXPECT_EQ(m.items[0].subtitles[1].credit, "") << "the creator's own track";
    EXPECT_EQ(m.items[0].subtitles[2].credit, "Ana, Luis") << "a viewers' translation carried in";
    EXPECT_EQ(m.items[0].sha256[0], 0xaa);
    EXPECT_EQ(m.items[2].gate, gate_kind::pledge);
    EXPECT_EQ(m.find_item("booklet.pdf.locked")->gate, gate_kind::pay);
    EXPECT_EQ(m.find_item("missing"), nullptr);
    ASSERT_TRUE(m.gates.pledge);
    EXPECT_EQ(m.gates.pledge->goal_backers, 250000u);
    EXPECT_EQ(m.gates.pledge->deadline_unix, 1803859200); // 2027-03-01T00:00:00Z
    ASSERT_TRUE(m.gates.pay);
    EXPECT_EQ(m.gates.pay->suggested, 800u);
}

TEST(BundleManifest, TheFirstFormatIsRefusedWithAReason) {
    auto const error = error_of(example("invalid", "format-1.json"));
    EXPECT_NE(error.find("does not sign every file"), std::string::npos) << error;
}

TEST(BundleManifest, ListsEveryStoredFileOnceAndAFileMentionedTwiceAlike) {
    auto j = full();
    // The pilot's French subtitles are also a free item: one file, described alike by both.
    j["items"].push_back({{"path", "pilot.fr.vtt"},
                          {"size", 2048},
                          {"mediaType", "text/vtt"},
                          {"sha256", std::string(64, 'f')},
                          {"root", std::string(64, '2')},
                          {"access", "free"}});
    auto const r = parse(j);
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.manifest->stored_files().size(), 8u);
    j["items"].back()["root"] = std::string(64, '3');
    EXPECT_NE(error_of(j).find("otherwise than"), std::string::npos);
}

TEST(BundleManifest, ComparesATorrentsFilesWithTheSignedOnes) {
    auto const m = *parse(full()).manifest;
    auto files = m.stored_files();
    files.push_back({"bundle.json", 900, {}});
    files.push_back({"bundle.sig", 64, {}});
    EXPECT_TRUE(compare_with_torrent(m, files, true).empty());
    EXPECT_EQ(compare_with_torrent(m, files, false).size(), 1u);

    auto altered = files;
    altered[0].root[5] ^= 1;
    auto problems = compare_with_torrent(m, altered, true);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find(files[0].path), std::string::npos);
    EXPECT_NE(problems[0].find("pieces root differs"), std::string::npos);

    auto extra = files;
    extra.push_back({"bonus.webm", 10, {}});
    problems = compare_with_torrent(m, extra, true);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("bonus.webm, which bundle.json does not sign"), std::string::npos);

    auto missing = files;
    missing.erase(missing.begin());
    problems = compare_with_torrent(m, missing, true);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("which the torrent does not hold"), std::string::npos);

    auto resized = files;
    resized[1].size += 1;
    EXPECT_EQ(compare_with_torrent(m, resized, true).size(), 1u);
}

TEST(BundleManifest, AgreesWithTheSchemaOnEveryExample) {
    for (auto const& folder : {"valid", "invalid"}) {
        for (auto const& e :
             fs::directory_iterator(fs::path(SLUICE_SOURCE_DIR) / "protocol/examples/bundles" / folder)) {
            auto const r = parse(example(folder, e.path().filename().string()));
            EXPECT_EQ(static_cast<bool>(r), std::string(folder) == "valid") << e.path() << ": " << r.error;
        }
    }
}

TEST(BundleManifest, JsonFormParsesBackToTheSameManifest) {
    auto const first = parse(full());
    ASSERT_TRUE(first);
    auto const again = parse(to_json(*first.manifest));
    ASSERT_TRUE(again) << again.error;
    EXPECT_EQ(to_json(*again.manifest), to_json(*first.manifest));
    EXPECT_EQ(to_json(*again.manifest), full());
}

TEST(BundleManifest, ASinglePriceCampaignOffersOneTierOfEverything) {
    auto const r = parse(full());
    ASSERT_TRUE(r) << r.error;
    auto const& pledge = *r.manifest->gates.pledge;
    EXPECT_TRUE(pledge.tiers.empty());
    auto const offered = pledge.offered_tiers();
    ASSERT_EQ(offered.size(), 1u);
    EXPECT_EQ(offered[0].id, single_tier_id);
    EXPECT_EQ(offered[0].price, 1500u);
    EXPECT_TRUE(offered[0].unlocks("season/episode-2.webm.locked"));
    EXPECT_TRUE(offered[0].receives("any-later-bundle"));
    EXPECT_FALSE(offered[0].limit);
}

TEST(BundleManifest, TiersSayWhatEachPriceBrings) {
    auto const j = example("valid", "tiers.json");
    auto const r = parse(j);
    ASSERT_TRUE(r) << r.error;
    auto const& pledge = *r.manifest->gates.pledge;
    ASSERT_EQ(pledge.tiers.size(), 2u);
    EXPECT_EQ(pledge.price, 1500u); // the lowest tier's
    auto const& season = pledge.tiers[0];
    auto const& collector = pledge.tiers[1];
    EXPECT_TRUE(season.unlocks("season/episode-2.webm.locked"));
    EXPECT_FALSE(season.unlocks("season/making-of.webm.locked"));
    EXPECT_TRUE(season.receives("saison-2-complete"));
    EXPECT_TRUE(collector.unlocks("season/making-of.webm.locked"));
    EXPECT_FALSE(collector.receives("saison-3"));
    EXPECT_EQ(collector.limit, 500u);
    EXPECT_EQ(pledge.offered_tiers().size(), 2u);
    EXPECT_EQ(to_json(*r.manifest), j);
}

TEST(BundleManifest, TiersAreRefusedWhenTheyCannotBeHonoured) {
    auto const base = example("valid", "tiers.json");
    auto const with = [&](auto&& change) {
        auto j = base;
        change(j["gates"]["pledge"]);
        return error_of(j);
    };
    EXPECT_NE(with([](json& p) { p["tiers"][1]["id"] = "season"; }).find("/tiers/1/id"), std::string::npos);
    // A free item, another gate's item, an item that is not there.
    for (auto const* path : {"pilot.webm", "booklet.pdf.locked", "season/episode-9.webm.locked"}) {
        auto const error = with([&](json& p) { p["tiers"][0]["items"] = json::array({path}); });
        EXPECT_NE(error.find("/gates/pledge/tiers/0/items/0"), std::string::npos) << path << ": " << error;
    }
    EXPECT_NE(with([](json& p) {
                  p["tiers"][0]["items"].push_back("season/episode-2.webm.locked");
              }).find("listed twice"),
              std::string::npos);
    EXPECT_NE(
        with([](json& p) { p["tiers"][0]["deliveries"] = json::array({"Not A Slug"}); }).find("deliveries/0"),
        std::string::npos);
    EXPECT_NE(with([](json& p) { p["tiers"][1]["limit"] = 0; }).find("limit"), std::string::npos);
    EXPECT_NE(with([](json& p) { p["tiers"] = json::array(); }).find("tiers"), std::string::npos);
    EXPECT_NE(with([](json& p) { p.erase("tiers"); }).find("either one price or tiers"), std::string::npos);
    json many = json::array();
    for (int i = 0; i < 21; ++i) {
        many.push_back({{"id", "t" + std::to_string(i)}, {"title", "T"}, {"price", 100}});
    }
    EXPECT_NE(with([&](json& p) { p["tiers"] = many; }).find("tiers"), std::string::npos);
}

TEST(BundleManifest, ErrorsSayWhereAndWhat) {
    auto j = full();
    j["items"][1]["path"] = "a/../../etc/passwd";
    auto const error = error_of(j);
    EXPECT_NE(error.find("/items/1/path"), std::string::npos) << error;
    EXPECT_NE(error.find("inside the bundle"), std::string::npos) << error;
}

TEST(BundleManifest, RefusesPathsThatLeaveTheBundle) {
    for (auto const* path :
         {"../x", "a/../../x", "/etc/passwd", "a\\..\\x", "a//b", "./a", "a/.", "", "c:\\x", "a\nb"}) {
        auto j = full();
        j["items"][0]["path"] = path;
        EXPECT_FALSE(parse(j)) << path;
        EXPECT_FALSE(is_safe_item_path(path)) << path;
    }
    auto j = full();
    j["items"][0]["subtitles"][0]["path"] = "../subs.vtt";
    EXPECT_FALSE(parse(j));
    j = full();
    j["cover"] = "/cover.jpg";
    EXPECT_FALSE(parse(j));
    EXPECT_TRUE(is_safe_item_path("season/episode 2.webm"));
    EXPECT_TRUE(is_safe_item_path("c:x")); // an ordinary name on the systems bundles are written to
}

TEST(BundleManifest, RefusesItemsNamedLikeTheManifestOrItsSignature) {
    auto j = full();
    j["items"][0]["path"] = "bundle.sig";
    EXPECT_FALSE(parse(j));
}

TEST(BundleManifest, LockedItemsNeedADefinedGateAndTrustedKeys) {
    auto j = full();
    j["items"][1].erase("gate");
    EXPECT_NE(error_of(j).find("which gate"), std::string::npos);

    j = full();
    j["items"][0]["gate"] = "email";
    EXPECT_NE(error_of(j).find("free item has no gate"), std::string::npos);

    j = full();
    j["gates"].erase("pay");
    EXPECT_NE(error_of(j).find("does not define"), std::string::npos);

    j = full();
    j.erase("gateKeys");
    EXPECT_NE(error_of(j).find("gate key"), std::string::npos);

    j = full();
    j["gates"]["pledge"].erase("goalBackers");
    EXPECT_NE(error_of(j).find("needs a goal"), std::string::npos);
}

TEST(BundleManifest, RefusesDuplicatesAndBadValues) {
    auto j = full();
    j["items"][1]["path"] = j["items"][0]["path"];
    EXPECT_NE(error_of(j).find("same file"), std::string::npos);

    j = full();
    j["gateKeys"].push_back(j["gateKeys"][0]);
    EXPECT_NE(error_of(j).find("twice"), std::string::npos);

    auto bad = [](json j, std::string const& pointer, json value) {
        j[json::json_pointer(pointer)] = std::move(value);
        return parse(j).manifest.has_value();
    };
    EXPECT_FALSE(bad(full(), "/version", 0));
    EXPECT_FALSE(bad(full(), "/version", -3));
    EXPECT_FALSE(bad(full(), "/version", 2.5));
    EXPECT_FALSE(bad(full(), "/version", "3"));
    EXPECT_FALSE(bad(full(), "/id", "Les Veilleurs"));
    EXPECT_FALSE(bad(full(), "/format", "sluice-bundle/3"));
    EXPECT_FALSE(bad(full(), "/items/1/storedSize", 7340032));
    EXPECT_FALSE(bad(full(), "/items/0/root", "11"));
    EXPECT_FALSE(bad(full(), "/cover/root", std::string(64, 'A')));
    EXPECT_FALSE(bad(full(), "/title", std::string(201, 'x')));
    EXPECT_FALSE(bad(full(), "/items/0/size", (1ull << 40) + 1));
    EXPECT_FALSE(bad(full(), "/items/0/mediaType", "video"));
    EXPECT_FALSE(bad(full(), "/items/0/sha256", std::string(64, 'A')));
    EXPECT_FALSE(bad(full(), "/items/0/access", "open"));
    EXPECT_FALSE(bad(full(), "/items/0/subtitles/0/lang", "french"));
    EXPECT_FALSE(bad(full(), "/gates/pay/suggested", 100)); // below the minimum
    EXPECT_FALSE(bad(full(), "/gates/pay/currency", "eur"));
    EXPECT_FALSE(bad(full(), "/gates/pledge/deadline", "2027-02-30T00:00:00Z"));
    EXPECT_FALSE(bad(full(), "/gates/pledge/deadline", "2027-03-01 00:00:00Z"));
    EXPECT_FALSE(bad(full(), "/gates/pledge/expectedDelivery", "2027-13-01"));
    EXPECT_FALSE(bad(full(), "/gateUrl", "ftp://gate.example.org/"));
    EXPECT_FALSE(bad(full(), "/publisherKey", "ed25519:AAAA"));
    EXPECT_FALSE(bad(full(), "/gates/email/unknown", true));
}

TEST(BundleManifest, RefusesOversizedAndDeeplyNestedInput) {
    auto j = full();
    j["description"] = std::string(bundle_manifest::max_bytes, 'x');
    EXPECT_NE(error_of(j).find("larger than"), std::string::npos);

    std::string deep = R"({"format":)" + std::string(100, '[') + std::string(100, ']') + "}";
    auto const r = parse_bundle_manifest(deep);
    EXPECT_FALSE(r);
    EXPECT_NE(r.error.find("not valid JSON"), std::string::npos) << r.error;

    j = full();
    auto const item = j["items"][0];
    j["items"] = json::array();
    for (int i = 0; i <= 1000; ++i) {
        auto copy = item;
        copy["path"] = "item-" + std::to_string(i);
        copy.erase("subtitles");
        j["items"].push_back(copy);
    }
    EXPECT_NE(error_of(j).find("1 to 1000"), std::string::npos);
    EXPECT_FALSE(parse_bundle_manifest("\xff\xfe{}"));
    EXPECT_FALSE(parse_bundle_manifest(""));
    EXPECT_FALSE(parse_bundle_manifest("[]"));
}

TEST(BundleManifest, UtcTimestampsRoundTripAndRefuseOtherSpellings) {
    EXPECT_EQ(parse_utc_timestamp("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(parse_utc_timestamp("2024-02-29T12:34:56Z"), 1709210096);
    EXPECT_EQ(format_utc_timestamp(1709210096), "2024-02-29T12:34:56Z");
    EXPECT_FALSE(parse_utc_timestamp("2023-02-29T00:00:00Z"));
    EXPECT_FALSE(parse_utc_timestamp("2024-02-29T24:00:00Z"));
    EXPECT_FALSE(parse_utc_timestamp("2024-02-29T12:34:56+01:00"));
    EXPECT_FALSE(parse_utc_timestamp("+024-02-29T12:34:56Z"));
}

class SignedManifest : public ::testing::Test {
protected:
    void SetUp() override {
        auto j = full();
        j["publisherKey"] = encode_public_key("ed25519", keys_.public_key);
        bytes_ = j.dump(4);
        auto const sig = sign(bytes_, keys_);
        signature_.assign(sig.begin(), sig.end());
    }

    signing_keypair keys_ = generate_signing_keypair();
    std::string bytes_;
    std::string signature_;
};

TEST_F(SignedManifest, VerifiesAgainstTheKeyItNames) {
    auto const r = verify_bundle_manifest(bytes_, signature_);
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.manifest->publisher_key, keys_.public_key);
}

TEST_F(SignedManifest, RefusesAnyChangedByte) {
    // Whitespace counts too: the signature covers the exact bytes, not the JSON value.
    for (std::size_t at : {std::size_t{0}, bytes_.size() / 2, bytes_.size() - 1}) {
        auto changed = bytes_;
        changed[at] = changed[at] == ' ' ? '\t' : ' ';
        auto const r = verify_bundle_manifest(changed, signature_);
        EXPECT_FALSE(r) << at;
    }
    auto changed_sig = signature_;
    changed_sig[10] ^= 1;
    auto const r = verify_bundle_manifest(bytes_, changed_sig);
    EXPECT_FALSE(r);
    EXPECT_NE(r.error.find("changed after it was signed"), std::string::npos) << r.error;
}

TEST_F(SignedManifest, RefusesASignatureOfTheWrongSizeOrByAnotherKey) {
    EXPECT_NE(verify_bundle_manifest(bytes_, signature_ + "\n").error.find("exactly 64 bytes"),
              std::string::npos);
    EXPECT_FALSE(verify_bundle_manifest(bytes_, ""));
    auto const other = generate_signing_keypair();
    auto const sig = sign(bytes_, other);
    EXPECT_FALSE(verify_bundle_manifest(bytes_, std::string(sig.begin(), sig.end())));
}

} // namespace
} // namespace sluice::protocol
