#include "file_helpers.hpp"
#include "sandbox_dir.hpp"
#include "torrent/add_source.hpp"
#include "torrent_fixture.hpp"

#include <gtest/gtest.h>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/torrent_info.hpp>

#include <sys/stat.h>

namespace sluice::torrent {
namespace {

using protocol::error_code;

std::string const hash = "c9e15763f722f23e98a29decdfae341b98d53056";

error_code code_of(add_source const& s) {
    if (auto const* e = std::get_if<protocol::rpc_error>(&s)) {
        return e->code;
    }
    return error_code::internal_error; // "no error" stands out in failure messages
}

TEST(AddSource, AcceptsAMagnetWithPeersTrackersAndWebSeeds) {
    auto const s = parse_magnet("magnet:?xt=urn:btih:" + hash +
                                "&dn=demo&tr=http%3A%2F%2F127.0.0.1%3A1%2Fannounce&x.pe=127.0.0.1:6881&ws="
                                "http%3A%2F%2F127.0.0.1%3A8080%2F");
    auto const* p = std::get_if<lt::add_torrent_params>(&s);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->name, "demo");
    EXPECT_EQ(p->trackers.size(), 1u);
    EXPECT_EQ(p->peers.size(), 1u);
    EXPECT_EQ(p->url_seeds.size(), 1u);
}

TEST(AddSource, RefusesBadMagnets) {
    for (auto const& bad :
         {"magnet:?xt=urn:btih:" + hash + "\n", "magnet:?xt=urn:btih:" + hash + " ",
          "magnet:?xt=urn:btih:" + std::string(40, '0'), std::string("magnet:?dn=nothing"),
          "magnet:?xt=urn:btih:" + hash.substr(0, 39), "magnet:?xt=urn:btih:" + hash + "&so=0-2000000000",
          "magnet:?xt=urn:btih:" + hash + "&so=1,x",
          std::string("magnet:?xt=urn:btih:") + std::string(9000, 'a')}) {
        EXPECT_EQ(code_of(parse_magnet(bad)), error_code::invalid_magnet) << bad;
    }
}

TEST(AddSource, KeepsReasonableSelections) {
    auto const s = parse_magnet("magnet:?xt=urn:btih:" + hash + "&so=0,2-3");
    auto const* p = std::get_if<lt::add_torrent_params>(&s);
    ASSERT_TRUE(p);
    EXPECT_GE(p->file_priorities.size(), 4u);
}

TEST(AddSource, RefusesBadTorrentData) {
    EXPECT_EQ(code_of(parse_torrent_data("not bencode")), error_code::invalid_torrent);
    EXPECT_EQ(code_of(parse_torrent_data("d4:infod4:name4:demoee")), error_code::invalid_torrent);
    EXPECT_EQ(code_of(parse_torrent_data(std::string(100, 'l'))), error_code::invalid_torrent);
    add_limits small;
    small.max_torrent_bytes = 10;
    auto const too_big = parse_torrent_data(std::string(11, 'x'), small);
    ASSERT_EQ(code_of(too_big), error_code::invalid_torrent);
    EXPECT_NE(std::get<protocol::rpc_error>(too_big).data.dump().find("larger than"), std::string::npos);
}

TEST(AddSource, ParamsChooseTheSource) {
    EXPECT_TRUE(
        std::holds_alternative<fetch_request>(parse_add_params({{"uri", "https://example.org/a.torrent"}})));
    EXPECT_EQ(code_of(parse_add_params({{"uri", "ftp://example.org/a.torrent"}})),
              error_code::invalid_params);
    EXPECT_EQ(code_of(parse_add_params({{"uri", "relative/a.torrent"}})), error_code::invalid_params);
    EXPECT_EQ(code_of(parse_add_params({{"uri", "/nonexistent/a.torrent"}})), error_code::invalid_torrent);
    EXPECT_EQ(code_of(parse_add_params(nlohmann::json::object())), error_code::invalid_params);
    EXPECT_EQ(code_of(parse_add_params({{"uri", "magnet:?xt=urn:btih:" + hash}, {"torrent", "ZGU="}})),
              error_code::invalid_params);
    EXPECT_EQ(code_of(parse_add_params({{"torrent", "not base64!"}})), error_code::invalid_params);
    EXPECT_EQ(code_of(parse_add_params({{"uri", 42}})), error_code::invalid_params);
}

std::string detail_of(add_source const& s) {
    auto const* e = std::get_if<protocol::rpc_error>(&s);
    return e ? e->data.dump() : std::string("no error");
}

TEST(AddSource, ReadsALocalTorrentFile) {
    testing::sandbox_dir dir;
    testing::make_file(dir / "content.bin", 1000);
    auto const made = testing::make_torrent(dir / "content.bin");
    testing::write_file(dir / "a.torrent", made.bytes);
    auto const s = parse_add_params({{"uri", (dir / "a.torrent").string()}});
    auto const* p = std::get_if<lt::add_torrent_params>(&s);
    ASSERT_TRUE(p) << detail_of(s);
    EXPECT_EQ(p->ti->name(), "content.bin");
}

// A special file is not a .torrent: it is refused before anything reads it, and never blocks or throws.
TEST(AddSource, RefusesSpecialFilesAsInvalidTorrents) {
    testing::sandbox_dir dir;
    ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
    for (auto const& path : std::vector<std::string>{"/proc/self/mem", "/proc/self/status", "/dev/zero",
                                                     "/dev/null", (dir / "fifo").string()}) {
        auto const s = parse_add_params({{"uri", path}});
        EXPECT_EQ(code_of(s), error_code::invalid_torrent) << path;
        EXPECT_NE(detail_of(s).find("not a regular file"), std::string::npos) << path << ": " << detail_of(s);
    }
    auto const folder = parse_add_params({{"uri", dir.path().string()}});
    EXPECT_EQ(code_of(folder), error_code::invalid_torrent);
    EXPECT_NE(detail_of(folder).find("folder"), std::string::npos) << detail_of(folder);
    testing::write_file(dir / "empty.torrent", "");
    EXPECT_EQ(code_of(parse_add_params({{"uri", (dir / "empty.torrent").string()}})),
              error_code::invalid_torrent);
}

TEST(AddSource, Base64) {
    EXPECT_EQ(decode_base64("aGVsbG8="), "hello");
    EXPECT_EQ(decode_base64("aGVsbG8"), "hello");
    EXPECT_EQ(decode_base64(""), "");
    EXPECT_FALSE(decode_base64("aGVs bG8="));
    EXPECT_FALSE(decode_base64("a"));
}

} // namespace
} // namespace sluice::torrent
