// Each torrent's bytes are its own: two torrents with the same name (two versions of one bundle, a re-made
// torrent of one folder) never share a file on disk, whichever way they are added, across restarts; and a
// file that changes under the host after its pieces were verified is checked again, not streamed.

#include "file_helpers.hpp"
#include "host_process.hpp"
#include "http_client.hpp"
#include "torrent_fixture.hpp"
#include "torrent_queries.hpp"
#include "wait_until.hpp"

#include <sluice/protocol/keys.hpp>

#include <gtest/gtest.h>

#include <fstream>

namespace sluice::testing {
namespace {

using nlohmann::json;

constexpr std::size_t film_size = 8 * 1024 * 1024;
constexpr std::size_t changed_at = 5 * 1024 * 1024;

std::string magnet_with_peer(made_torrent const& torrent, loopback_seed const& seed) {
    return "magnet:?xt=urn:btih:" + torrent.info_hash + "&x.pe=" + seed.endpoint();
}

bool complete(host_process& host, std::string const& hash) {
    return wait_until([&] { return torrent_status(host, hash).value("progress", 0.0) >= 1.0; }, 30s);
}

std::string stream_of(host_process& host, std::string const& hash) {
    auto const url = torrent_files(host, hash)["files"][0]["streamUrl"].get<std::string>();
    auto const [port, target] = split_url(url);
    auto const reply = http_get(port, target);
    return reply.status == 200 ? reply.body : "HTTP " + std::to_string(reply.status);
}

struct same_name_fixture : ::testing::Test {
    sandbox_dir dir;
    std::filesystem::path downloads = dir / "downloads";
    std::string content_a = make_file(dir / "a" / "clip" / "video.webm", film_size, 7);
    std::string content_b;
    made_torrent a = make_torrent(dir / "a" / "clip");
    made_torrent b;
    std::unique_ptr<loopback_seed> seed_a, seed_b;
    host_world world{json{{"downloadFolder", downloads.string()}}.dump()};

    void SetUp() override {
        // One byte apart, at 5 MiB: the case where a shared file served B's bytes under A's verified pieces.
        content_b = content_a;
        content_b[changed_at] = static_cast<char>(content_b[changed_at] ^ 0x5a);
        write_file(dir / "b" / "clip" / "video.webm", content_b);
        b = make_torrent(dir / "b" / "clip");
        ASSERT_NE(a.info_hash, b.info_hash);
        ASSERT_EQ(a.name, b.name);
        seed_a = std::make_unique<loopback_seed>(a, dir / "a");
        seed_b = std::make_unique<loopback_seed>(b, dir / "b");
    }

    // Added from the .torrent's bytes; the magnet added after it is a duplicate that brings the seed.
    void add_from_file(host_process& host, made_torrent const& t, loopback_seed const& seed) {
        auto const added = host.call("torrent.add", {{"torrent", protocol::to_base64(t.bytes)}});
        ASSERT_TRUE(added.contains("result")) << added.dump();
        host.call("torrent.add", {{"uri", magnet_with_peer(t, seed)}});
    }
};

TEST_F(same_name_fixture, ASecondTorrentOfTheSameNameGetsAFolderOfItsOwnAndKeepsItAfterARestart) {
    {
        host_process host(world);
        add_from_file(host, a, *seed_a);
        ASSERT_TRUE(complete(host, a.info_hash));
        ASSERT_EQ(sha256_hex(stream_of(host, a.info_hash)), sha256_hex(content_a));

        add_from_file(host, b, *seed_b);
        ASSERT_TRUE(complete(host, b.info_hash));
        EXPECT_EQ(torrent_status(host, a.info_hash)["savePath"], downloads.string());
        EXPECT_EQ(torrent_status(host, b.info_hash)["savePath"], (downloads / "clip (2)").string());
        EXPECT_EQ(sha256_hex(stream_of(host, a.info_hash)), sha256_hex(content_a));
        EXPECT_EQ(sha256_hex(stream_of(host, b.info_hash)), sha256_hex(content_b));
        EXPECT_EQ(sha256_hex(read_file(downloads / "clip" / "video.webm")), sha256_hex(content_a));
        EXPECT_EQ(sha256_hex(read_file(downloads / "clip (2)" / "clip" / "video.webm")),
                  sha256_hex(content_b));
        host.call("host.hello"); // the owner's pid goes into world.owners
    }
    // The owner leaves once its last client has gone, writing the resume data on its way out.
    for (long pid : world.owners) {
        ASSERT_TRUE(host_world::wait_for_exit(pid, 20s));
    }
    host_process again(world);
    EXPECT_TRUE(complete(again, a.info_hash));
    EXPECT_TRUE(complete(again, b.info_hash));
    EXPECT_EQ(torrent_status(again, b.info_hash)["savePath"], (downloads / "clip (2)").string());
    EXPECT_EQ(sha256_hex(stream_of(again, a.info_hash)), sha256_hex(content_a));
    EXPECT_EQ(sha256_hex(stream_of(again, b.info_hash)), sha256_hex(content_b));
}

TEST_F(same_name_fixture, MagnetsOfTheSameNameAreFetchedApartAndPlacedOnceTheirNameIsKnown) {
    host_process host(world);
    ASSERT_TRUE(host.call("torrent.add", {{"uri", magnet_with_peer(a, *seed_a)}}).contains("result"));
    ASSERT_TRUE(complete(host, a.info_hash));
    ASSERT_TRUE(host.call("torrent.add", {{"uri", magnet_with_peer(b, *seed_b)}}).contains("result"));
    ASSERT_TRUE(complete(host, b.info_hash));
    EXPECT_TRUE(wait_until(
        [&] { return torrent_status(host, b.info_hash)["savePath"] == (downloads / "clip (2)").string(); },
        10s));
    EXPECT_EQ(torrent_status(host, a.info_hash)["savePath"], downloads.string());
    EXPECT_EQ(sha256_hex(stream_of(host, a.info_hash)), sha256_hex(content_a));
    EXPECT_EQ(sha256_hex(stream_of(host, b.info_hash)), sha256_hex(content_b));
    EXPECT_EQ(sha256_hex(read_file(downloads / "clip" / "video.webm")), sha256_hex(content_a));
    // The folders the magnets were fetched into are gone once they are placed.
    EXPECT_TRUE(wait_until([&] { return !std::filesystem::exists(downloads / ".sluice-incoming"); }, 5s));
}

// Removed with its files kept and added again, a torrent finds its data where it was: from its .torrent with
// no peer at all, by the check alone; by magnet, moved out of its incoming folder onto its files, checked.
TEST_F(same_name_fixture, ATorrentAddedAgainFindsItsDataWhereItWas) {
    host_process host(world);
    ASSERT_TRUE(host.call("torrent.add", {{"uri", magnet_with_peer(a, *seed_a)}}).contains("result"));
    ASSERT_TRUE(complete(host, a.info_hash));
    ASSERT_TRUE(host.call("torrent.remove", {{"infoHash", a.info_hash}}).contains("result"));

    ASSERT_TRUE(host.call("torrent.add", {{"torrent", protocol::to_base64(a.bytes)}}).contains("result"));
    EXPECT_TRUE(complete(host, a.info_hash)) << "the data already there was not found";
    EXPECT_EQ(torrent_status(host, a.info_hash)["savePath"], downloads.string());
    ASSERT_TRUE(host.call("torrent.remove", {{"infoHash", a.info_hash}}).contains("result"));

    ASSERT_TRUE(host.call("torrent.add", {{"uri", magnet_with_peer(a, *seed_a)}}).contains("result"));
    ASSERT_TRUE(complete(host, a.info_hash));
    EXPECT_TRUE(
        wait_until([&] { return torrent_status(host, a.info_hash)["savePath"] == downloads.string(); }, 5s));
    EXPECT_EQ(sha256_hex(stream_of(host, a.info_hash)), sha256_hex(content_a));
    EXPECT_EQ(sha256_hex(read_file(downloads / "clip" / "video.webm")), sha256_hex(content_a));
    EXPECT_TRUE(wait_until([&] { return !std::filesystem::exists(downloads / ".sluice-incoming"); }, 5s));
}

TEST_F(same_name_fixture, ASavePathHoldingAnotherTorrentOfTheSameNameIsRefused) {
    host_process host(world);
    auto const folder = (dir / "chosen").string();
    ASSERT_TRUE(host.call("torrent.add", {{"torrent", protocol::to_base64(a.bytes)}, {"savePath", folder}})
                    .contains("result"));
    auto const refused =
        host.call("torrent.add", {{"torrent", protocol::to_base64(b.bytes)}, {"savePath", folder}});
    ASSERT_TRUE(refused.contains("error")) << refused.dump();
    EXPECT_EQ(refused["error"]["code"], 1006) << refused.dump();
    EXPECT_NE(refused["error"]["data"]["detail"].get<std::string>().find("another torrent"),
              std::string::npos)
        << refused.dump();
    EXPECT_TRUE(torrent_status(host, b.info_hash).contains("missing"));
    // The same torrent added again is still a duplicate, not a clash with itself.
    auto const again =
        host.call("torrent.add", {{"torrent", protocol::to_base64(a.bytes)}, {"savePath", folder}});
    EXPECT_EQ(again["result"]["duplicate"], true) << again.dump();
}

TEST_F(same_name_fixture, AMagnetWhoseSavePathHoldsAnotherTorrentOfItsNameStopsBeforeWritingThere) {
    host_process host(world);
    auto const folder = dir / "chosen";
    ASSERT_TRUE(
        host.call("torrent.add", {{"uri", magnet_with_peer(a, *seed_a)}, {"savePath", folder.string()}})
            .contains("result"));
    ASSERT_TRUE(complete(host, a.info_hash));
    ASSERT_TRUE(
        host.call("torrent.add", {{"uri", magnet_with_peer(b, *seed_b)}, {"savePath", folder.string()}})
            .contains("result"));
    ASSERT_TRUE(wait_until(
        [&] {
            for (auto const& e : host.events) {
                if (e.value("method", "") == "torrent.error" && e["params"]["infoHash"] == b.info_hash &&
                    e["params"]["kind"] == "storage") {
                    return true;
                }
            }
            host.call("torrent.list");
            return false;
        },
        20s));
    EXPECT_EQ(sha256_hex(read_file(folder / "clip" / "video.webm")), sha256_hex(content_a));
    EXPECT_EQ(sha256_hex(stream_of(host, a.info_hash)), sha256_hex(content_a));
}

TEST_F(same_name_fixture, AFileChangedUnderTheHostIsCheckedAgainNotStreamed) {
    host_process host(world);
    add_from_file(host, a, *seed_a);
    ASSERT_TRUE(complete(host, a.info_hash));
    ASSERT_EQ(sha256_hex(stream_of(host, a.info_hash)), sha256_hex(content_a));
    {
        // Another program writes into the verified file.
        std::fstream f(downloads / "clip" / "video.webm", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(changed_at));
        f.put(content_b[changed_at]);
    }
    auto const first = stream_of(host, a.info_hash);
    EXPECT_NE(sha256_hex(first), sha256_hex(content_b)) << "the changed bytes were streamed";
    EXPECT_NE(first.size(), film_size) << "a stream of the changed file was answered whole";
    // Checked again, the changed piece is fetched again from the seed, and the stream is the torrent's.
    EXPECT_TRUE(wait_until(
        [&] {
            return torrent_status(host, a.info_hash).value("progress", 0.0) >= 1.0 &&
                   sha256_hex(stream_of(host, a.info_hash)) == sha256_hex(content_a);
        },
        30s));
    EXPECT_EQ(sha256_hex(read_file(downloads / "clip" / "video.webm")), sha256_hex(content_a));
}

} // namespace
} // namespace sluice::testing
