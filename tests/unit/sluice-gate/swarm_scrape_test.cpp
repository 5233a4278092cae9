#include "sluice-gate/swarm_scrape.hpp"

#include <gtest/gtest.h>

namespace sluice::gate {
namespace {

TEST(SwarmScrape, TheHashesATrackerKnowsAMagnetBy) {
    auto const v1 = std::string("0123456789abcdef0123456789abcdef01234567");
    auto const v2 = std::string("1220") + std::string(64, 'c');
    EXPECT_EQ(tracker_hashes("magnet:?xt=urn:btih:" + v1 + "&dn=x"), std::vector<std::string>{v1});
    EXPECT_EQ(tracker_hashes("magnet:?xt=urn:btih:" + v1 + "&xt=urn:btmh:" + v2),
              (std::vector<std::string>{v1, std::string(40, 'c')}));
    EXPECT_TRUE(tracker_hashes("").empty());
    EXPECT_TRUE(tracker_hashes("magnet:?dn=nothing").empty());
    EXPECT_TRUE(tracker_hashes("https://example.org/").empty());
}

TEST(SwarmScrape, TheScrapeUrlFollowsTheAnnounceUrl) {
    EXPECT_EQ(scrape_url_of("http://127.0.0.1:6969/announce"), "http://127.0.0.1:6969/scrape");
    EXPECT_EQ(scrape_url_of("https://t.example.org/x/announce.php?passkey=k"),
              "https://t.example.org/x/scrape.php?passkey=k");
    EXPECT_EQ(scrape_url_of("http://t.example.org/a/announce"), "http://t.example.org/a/scrape");
    EXPECT_EQ(scrape_url_of("http://t.example.org/a"), std::nullopt);
    EXPECT_EQ(scrape_url_of("http://t.example.org/announce/x"), std::nullopt);
    EXPECT_EQ(scrape_url_of("udp://t.example.org:6969/announce"), std::nullopt);
    EXPECT_EQ(scrape_url_of("http://announce"), std::nullopt);
    std::string zeros;
    for (int i = 0; i < 18; ++i) {
        zeros += "%00";
    }
    EXPECT_EQ(scrape_request("http://t/scrape", {"01ff" + std::string(36, '0')}),
              "http://t/scrape?info_hash=%01%ff" + zeros);
    EXPECT_EQ(scrape_request("http://t/scrape.php?k=1", {std::string(40, 'a'), std::string(40, 'b')})
                  .find("?k=1&info_hash=%aa"),
              std::string("http://t/scrape.php").size());
}

TEST(SwarmScrape, ReadsAScrapeAndRefusesWhatIsNot) {
    std::string error;
    auto const hash =
        std::string("\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67", 20);
    auto const counts =
        parse_scrape("d5:filesd20:" + hash + "d8:completei3e10:downloadedi7e10:incompletei2eeee", error);
    ASSERT_TRUE(counts) << error;
    ASSERT_EQ(counts->size(), 1u);
    auto const& c = counts->at("0123456789abcdef0123456789abcdef01234567");
    EXPECT_EQ(c.seeds, 3u);
    EXPECT_EQ(c.leechers, 2u);
    EXPECT_EQ(c.downloaded, 7u);
    EXPECT_TRUE(parse_scrape("d5:filesdee", error)->empty());
    // A key that is not a hash, a negative count: left out, or read as none.
    auto const odd = parse_scrape("d5:filesd3:abcd8:completei1ee20:" + hash + "d8:completei-5eeee", error);
    ASSERT_TRUE(odd);
    EXPECT_EQ(odd->size(), 1u);
    EXPECT_EQ(odd->begin()->second.seeds, 0u);
    for (auto const* bad : {"", "<html>", "d5:files", "le", "d4:spam3:egge", "i3e"}) {
        error.clear();
        EXPECT_FALSE(parse_scrape(bad, error)) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
    EXPECT_FALSE(parse_scrape("d14:failure reason9:forbiddene", error));
    EXPECT_NE(error.find("forbidden"), std::string::npos);
}

} // namespace
} // namespace sluice::gate
