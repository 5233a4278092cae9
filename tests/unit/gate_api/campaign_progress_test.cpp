#include "gate_api/campaign_progress.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::gate_api {
namespace {

using nlohmann::json;

// The answers are written here from protocol/gate-api.md ("GET /v1/campaigns/{campaign}"), as the gate sends
// them.

json progress(json extra = json::object()) {
    json body = {{"campaignId", "saison-2"},
                 {"bundleId", "les-veilleurs"},
                 {"state", "open"},
                 {"backers", 812},
                 {"amount", 1218000},
                 {"goalBackers", 2500},
                 {"price", 1500},
                 {"currency", "EUR"},
                 {"deadline", "2027-03-01T00:00:00Z"},
                 {"secondsLeft", 8035200},
                 {"deliveries", json::array()},
                 {"updates", json::array()}};
    body.update(extra);
    return body;
}

std::string id_of(int n) {
    auto id = std::string(22, 'A');
    auto const digits = std::to_string(n);
    id.replace(id.size() - digits.size(), digits.size(), digits);
    return id;
}

json update(int n, json extra = json::object()) {
    json u = {{"id", id_of(n)},
              {"title", "Update " + std::to_string(n)},
              {"text", "Line one.\nLine two."},
              {"postedAt", "2027-03-10T09:00:00Z"}};
    u.update(extra);
    return u;
}

json updates_of(json const& answer) {
    auto const out = campaign_progress(answer);
    EXPECT_TRUE(out.has_value());
    return out ? out->at("updates") : json();
}

TEST(CampaignProgress, UpdatesComeThroughInTheOrderPosted) {
    json const posted = json::array(
        {update(1), update(2, {{"title", "Shooting starts"}, {"text", "Day one.\n\n\tDay two."}})});
    auto const out = campaign_progress(progress({{"updates", posted}}));
    ASSERT_TRUE(out);
    EXPECT_EQ(out->at("updates"), posted);
    EXPECT_EQ(out->at("campaignId"), "saison-2");
}

TEST(CampaignProgress, AGateWithoutUpdatesGivesAnEmptyList) {
    auto answer = progress();
    answer.erase("updates");
    EXPECT_EQ(updates_of(answer), json::array());
    for (json const& odd : {json(nullptr), json("none"), json::object(), json(3)}) {
        EXPECT_EQ(updates_of(progress({{"updates", odd}})), json::array()) << odd.dump();
    }
}

TEST(CampaignProgress, OnlyTheMembersTheApiDefinesAreKept) {
    auto const out = updates_of(
        progress({{"updates", json::array({update(1, {{"html", "<b>x</b>"}, {"author", "a"}})})}}));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out.at(0), update(1));
}

TEST(CampaignProgress, AMalformedUpdateIsDroppedAndTheOthersKept) {
    json const bad = json::array({
        json("not an object"),
        json::array(),
        update(10, {{"id", "short"}}),
        update(11, {{"id", std::string(23, 'A')}}),
        update(12, {{"id", std::string(21, 'A') + "="}}),
        update(13, {{"id", std::string(21, 'A') + "+"}}),
        update(14, {{"id", 14}}),
        update(15, {{"title", ""}}),
        update(16, {{"title", std::string(201, 't')}}),
        update(17, {{"title", "two\nlines"}}),
        update(18, {{"title", "a\ttab"}}),
        update(19, {{"title", 19}}),
        update(20, {{"text", ""}}),
        update(21, {{"text", std::string(10001, 'x')}}),
        update(22, {{"text", "a carriage\r\nreturn"}}),
        update(23, {{"text", "a bell\a"}}),
        update(24, {{"text", "delete\x7f"}}),
        update(25, {{"text", "next line\xc2\x85"}}),
        update(26, {{"title", "escape \x1b[31m"}}),
        update(27, {{"text", json::array({"a"})}}),
        update(28, {{"postedAt", "2027-03-10"}}),
        update(29, {{"postedAt", "2027-03-10T09:00:00+01:00"}}),
        update(30, {{"postedAt", "2027-13-10T09:00:00Z"}}),
        update(31, {{"postedAt", 1700000000}}),
        [] {
            auto u = update(32);
            u.erase("postedAt");
            return u;
        }(),
        [] {
            auto u = update(33);
            u.erase("title");
            return u;
        }(),
    });
    json mixed = json::array({update(1)});
    for (auto const& b : bad) {
        mixed.push_back(b);
    }
    mixed.push_back(update(2));
    auto const out = campaign_progress(progress({{"updates", mixed}}));
    ASSERT_TRUE(out) << "a bad update must not cost the whole progress";
    EXPECT_EQ(out->at("updates"), json::array({update(1), update(2)}));
}

TEST(CampaignProgress, TheLimitsThemselvesAreAllowed) {
    // 200 bytes of title in two-byte characters, 10000 of text with new lines, base64url's two extra signs.
    std::string title;
    for (int i = 0; i < 100; ++i) {
        title += "\xc3\xa9";
    }
    std::string text(9999, 'x');
    text += '\n';
    json const limit = update(1, {{"id", "abcdefghij-_0123456789"}, {"title", title}, {"text", text}});
    EXPECT_EQ(updates_of(progress({{"updates", json::array({limit})}})), json::array({limit}));
    // One byte over, in the middle of a character, is over.
    EXPECT_EQ(updates_of(progress({{"updates", json::array({update(2, {{"title", title + "a"}})})}})),
              json::array());
}

TEST(CampaignProgress, AnUpdateNamedTwiceIsKeptOnce) {
    auto const out = updates_of(
        progress({{"updates", json::array({update(1), update(1, {{"title", "again"}}), update(2)})}}));
    EXPECT_EQ(out, json::array({update(1), update(2)}));
}

TEST(CampaignProgress, OnlyTheLastTwentyAreKept) {
    json posted = json::array();
    for (int n = 1; n <= 25; ++n) {
        posted.push_back(update(n));
    }
    auto const out = updates_of(progress({{"updates", posted}}));
    ASSERT_EQ(out.size(), max_campaign_updates);
    EXPECT_EQ(out.front(), update(6));
    EXPECT_EQ(out.back(), update(25));
}

TEST(CampaignProgress, TheLastTwentyAreCountedAmongTheWellFormed) {
    json posted = json::array();
    for (int n = 1; n <= 20; ++n) {
        posted.push_back(update(n));
    }
    posted.push_back(update(21, {{"postedAt", "yesterday"}}));
    auto const out = updates_of(progress({{"updates", posted}}));
    ASSERT_EQ(out.size(), 20u);
    EXPECT_EQ(out.front(), update(1));
    EXPECT_EQ(out.back(), update(20));
}

json tier(std::string const& id, json extra = json::object()) {
    json t = {{"id", id}, {"title", "Tier " + id}, {"price", 1500}, {"backers", 12}};
    t.update(extra);
    return t;
}

json tiers_of(json const& answer) {
    auto const out = campaign_progress(answer);
    EXPECT_TRUE(out.has_value());
    return out ? out->at("tiers") : json();
}

TEST(CampaignProgress, TiersComeThroughWithWhatTheyBring) {
    json const season = tier("season", {{"title", "The season"},
                                        {"description", "Episode two.\n\tAnd its subtitles."},
                                        {"items", json::array({"season/episode-2.webm.locked"})}});
    json const collector =
        tier("collector", {{"title", "The season and its making-of"},
                           {"price", 4000},
                           {"backers", 12},
                           {"limit", 500},
                           {"left", 488},
                           {"items", json::array({"season/episode-2.webm.locked", "making-of.webm.locked"})},
                           {"deliveries", json::array({"saison-2-complete"})}});
    auto const out = campaign_progress(progress({{"tiers", json::array({season, collector})}}));
    ASSERT_TRUE(out);
    EXPECT_EQ(out->at("tiers"), json::array({season, collector}));
    // The lowest tier's price is still the campaign's.
    EXPECT_EQ(out->at("price"), 1500);
}

TEST(CampaignProgress, ASinglePriceCampaignHasItsOneTier) {
    json const one = {{"id", "pledge"}, {"title", "Pledge"}, {"price", 1500}, {"backers", 812}};
    EXPECT_EQ(tiers_of(progress({{"tiers", json::array({one})}})), json::array({one}));
}

TEST(CampaignProgress, AGateWithoutTiersGivesAnEmptyList) {
    EXPECT_EQ(tiers_of(progress()), json::array());
    for (json const& odd : {json(nullptr), json("season"), json::object(), json(3)}) {
        EXPECT_EQ(tiers_of(progress({{"tiers", odd}})), json::array()) << odd.dump();
    }
}

TEST(CampaignProgress, OnlyTheTierMembersTheApiDefinesAreKept) {
    auto const out = tiers_of(
        progress({{"tiers", json::array({tier("season", {{"stripePrice", "price_1"}, {"html", "<b>"}})})}}));
    EXPECT_EQ(out, json::array({tier("season")}));
    // An empty description is none.
    EXPECT_EQ(tiers_of(progress({{"tiers", json::array({tier("season", {{"description", ""}})})}})),
              json::array({tier("season")}));
}

TEST(CampaignProgress, AMalformedTierIsDroppedAndTheOthersKept) {
    auto without = [](std::string const& key) {
        auto t = tier("gone");
        t.erase(key);
        return t;
    };
    json const bad = json::array({
        json("season"),
        json::array(),
        tier("Season"),
        tier("-season"),
        tier(std::string(65, 's')),
        tier("a/b"),
        tier("n1", {{"id", 7}}),
        without("id"),
        without("title"),
        without("price"),
        without("backers"),
        tier("t1", {{"title", ""}}),
        tier("t2", {{"title", std::string(101, 't')}}),
        tier("t3", {{"title", "two\nlines"}}),
        tier("t4", {{"title", "escape \x1b[31m"}}),
        tier("t5", {{"title", "next line\xc2\x85"}}),
        tier("t6", {{"title", "not utf-8 \xff"}}),
        tier("d1", {{"description", std::string(1001, 'd')}}),
        tier("d2", {{"description", "a bell\a"}}),
        tier("d3", {{"description", 3}}),
        tier("d4", {{"description", nullptr}}),
        tier("p1", {{"price", -1}}),
        tier("p2", {{"price", 15.5}}),
        tier("p3", {{"price", "1500"}}),
        tier("b1", {{"backers", -2}}),
        tier("l1", {{"limit", 500}}),
        tier("l2", {{"left", 12}}),
        tier("l3", {{"limit", 0}, {"left", 0}}),
        tier("l4", {{"limit", 10}, {"left", 11}}),
        tier("l5", {{"limit", "10"}, {"left", 1}}),
        tier("i1", {{"items", json::array()}}),
        tier("i2", {{"items", json::array({"../etc/passwd"})}}),
        tier("i3", {{"items", json::array({"/abs.webm"})}}),
        tier("i4", {{"items", json::array({"a.webm", "a.webm"})}}),
        tier("i5", {{"items", json::array({7})}}),
        tier("i6", {{"items", "a.webm"}}),
        tier("v1", {{"deliveries", json::array({"Saison-2"})}}),
        tier("v2", {{"deliveries", json::array({"a", "a"})}}),
        tier("v3", {{"deliveries", "a"}}),
    });
    json mixed = json::array({tier("first")});
    for (auto const& b : bad) {
        mixed.push_back(b);
    }
    mixed.push_back(tier("last", {{"deliveries", json::array()}}));
    auto const out = campaign_progress(progress({{"tiers", mixed}}));
    ASSERT_TRUE(out) << "a bad tier must not cost the whole progress";
    EXPECT_EQ(out->at("tiers"), json::array({tier("first"), tier("last", {{"deliveries", json::array()}})}));
}

TEST(CampaignProgress, TheTierLimitsThemselvesAreAllowed) {
    json items = json::array();
    for (int i = 0; i < 1000; ++i) {
        items.push_back("item-" + std::to_string(i) + ".webm.locked");
    }
    json deliveries = json::array();
    for (int i = 0; i < 100; ++i) {
        deliveries.push_back("delivery-" + std::to_string(i));
    }
    std::string description(999, 'd');
    description += '\n';
    json const largest = tier(std::string(64, 'z'), {{"title", std::string(100, 't')},
                                                     {"description", description},
                                                     {"limit", 1},
                                                     {"left", 0},
                                                     {"items", items},
                                                     {"deliveries", deliveries}});
    EXPECT_EQ(tiers_of(progress({{"tiers", json::array({largest})}})), json::array({largest}));

    auto one_more_item = largest;
    one_more_item["items"].push_back("item-1000.webm.locked");
    auto one_more_delivery = largest;
    one_more_delivery["deliveries"].push_back("delivery-100");
    EXPECT_EQ(tiers_of(progress({{"tiers", json::array({one_more_item})}})), json::array());
    EXPECT_EQ(tiers_of(progress({{"tiers", json::array({one_more_delivery})}})), json::array());
}

TEST(CampaignProgress, ATierNamedTwiceIsKeptOnceAndTwentyAtMost) {
    EXPECT_EQ(tiers_of(progress({{"tiers", json::array({tier("a"), tier("a", {{"price", 1}}), tier("b")})}})),
              json::array({tier("a"), tier("b")}));
    json offered = json::array();
    for (int n = 1; n <= 25; ++n) {
        offered.push_back(tier("t" + std::to_string(n)));
    }
    auto const out = tiers_of(progress({{"tiers", offered}}));
    ASSERT_EQ(out.size(), max_campaign_tiers);
    EXPECT_EQ(out.front(), tier("t1"));
    EXPECT_EQ(out.back(), tier("t20"));
    // Counted among the well-formed: a bad one does not take a place.
    offered.erase(offered.begin() + 20, offered.end());
    offered.insert(offered.begin(), tier("bad", {{"price", -1}}));
    EXPECT_EQ(tiers_of(progress({{"tiers", offered}})).size(), 20u);
}

TEST(CampaignProgress, TheRequiredMembersStillDecide) {
    auto answer = progress({{"updates", json::array({update(1)})}});
    answer.erase("backers");
    EXPECT_FALSE(campaign_progress(answer));
    EXPECT_FALSE(campaign_progress(progress({{"state", "closed"}})));
    EXPECT_FALSE(campaign_progress(json::array()));
}

} // namespace
} // namespace sluice::gate_api
