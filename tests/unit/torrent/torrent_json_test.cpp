#include "torrent/human_errors.hpp"
#include "torrent/torrent_json.hpp"
#include "torrent/torrent_sources.hpp"

#include <gtest/gtest.h>

namespace sluice::torrent {
namespace {

TEST(TorrentJson, OnlyChangedFieldsAreReported) {
    nlohmann::json const before = {{"progress", 0.5}, {"peers", 3}, {"name", "x"}};
    nlohmann::json const now = {{"progress", 0.6}, {"peers", 3}, {"name", "x"}, {"error", "e"}};
    EXPECT_EQ(changed_fields(before, now), (nlohmann::json{{"progress", 0.6}, {"error", "e"}}));
    EXPECT_EQ(changed_fields(nullptr, now), now);
    EXPECT_TRUE(changed_fields(now, now).empty());
}

TEST(HumanErrors, StorageErrorsSayWhatToDo) {
    auto const full =
        describe_storage_error(std::make_error_code(std::errc::no_space_on_device), "/data/film.webm");
    EXPECT_NE(full.find("disk is full"), std::string::npos);
    EXPECT_NE(full.find("/data/film.webm"), std::string::npos);
    auto const denied = describe_storage_error(std::make_error_code(std::errc::permission_denied), "/data");
    EXPECT_NE(denied.find("not allowed to write"), std::string::npos);
    auto const readonly = describe_storage_error(std::make_error_code(std::errc::read_only_file_system), "");
    EXPECT_NE(readonly.find("download folder"), std::string::npos);
}

TEST(HumanErrors, TrackerErrorsNameTheTracker) {
    auto const refused = describe_tracker_error("http://t.example/announce", {}, "torrent not registered");
    EXPECT_NE(refused.find("http://t.example/announce"), std::string::npos);
    EXPECT_NE(refused.find("torrent not registered"), std::string::npos);
    auto const unreachable =
        describe_tracker_error("udp://t.example:80", std::make_error_code(std::errc::connection_refused), "");
    EXPECT_NE(unreachable.find("could not be reached"), std::string::npos);
}

TEST(TorrentSources, ListsTrackersUpToTheCapAndCountsTheRest) {
    std::vector<lt::announce_entry> trackers;
    for (int i = 0; i < 25; ++i) {
        trackers.emplace_back("http://t" + std::to_string(i) + ".example/announce");
    }
    auto const j = sources_json(trackers, 100, 2, 7, std::nullopt);
    ASSERT_EQ(j["trackers"].size(), 8u);
    EXPECT_EQ(j["trackersTotal"], 25);
    EXPECT_EQ(j["webSeeds"], 2);
    EXPECT_EQ(j["peersKnown"], 7);
    EXPECT_TRUE(j["dhtNodes"].is_null());
    // Never announced to: no endpoint has a state yet, and no scrape counts are made up.
    EXPECT_EQ(j["trackers"][0],
              (nlohmann::json{
                  {"url", "http://t0.example/announce"}, {"status", "not-contacted"}, {"message", ""}}));
    EXPECT_EQ(sources_json({}, 8, 0, 0, 143)["dhtNodes"], 143);
    // A finished torrent counts its trackers but lists none.
    auto const finished = sources_json(trackers, 0, 0, 0, std::nullopt);
    EXPECT_TRUE(finished["trackers"].empty());
    EXPECT_EQ(finished["trackersTotal"], 25);
}

} // namespace
} // namespace sluice::torrent
