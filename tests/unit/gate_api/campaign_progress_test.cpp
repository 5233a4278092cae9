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

TEST(CampaignProgress, TheRequiredMembersStillDecide) {
    auto answer = progress({{"updates", json::array({update(1)})}});
    answer.erase("backers");
    EXPECT_FALSE(campaign_progress(answer));
    EXPECT_FALSE(campaign_progress(progress({{"state", "closed"}})));
    EXPECT_FALSE(campaign_progress(json::array()));
}

} // namespace
} // namespace sluice::gate_api
