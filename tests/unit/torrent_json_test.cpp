#include "torrent/human_errors.hpp"
#include "torrent/torrent_json.hpp"

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

} // namespace
} // namespace sluice::torrent
