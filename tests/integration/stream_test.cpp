#include "file_helpers.hpp"
#include "host_process.hpp"
#include "http_client.hpp"
#include "media_headers.hpp"
#include "tiny_http_server.hpp"
#include "torrent_fixture.hpp"
#include "torrent_queries.hpp"
#include "wait_until.hpp"

#include <sluice/protocol/keys.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <thread>

namespace sluice::testing {
namespace {

using nlohmann::json;

std::string base64(std::string const& bytes) {
    return protocol::to_base64(bytes);
}

// A host, a seed on loopback and a file worth streaming.
struct stream_fixture : ::testing::Test {
    host_world world;
    sandbox_dir seed_dir;
    std::string content;
    made_torrent torrent;
    std::unique_ptr<loopback_seed> seed;

    void make_seed(std::size_t size, std::string const& name = "film.webm") {
        content = make_file(seed_dir / "pack" / name, size);
        torrent = make_torrent(seed_dir / "pack");
        seed = std::make_unique<loopback_seed>(torrent, seed_dir.path());
    }

    std::string magnet() const {
        return "magnet:?xt=urn:btih:" + torrent.info_hash + "&x.pe=" + seed->endpoint();
    }
};

TEST_F(stream_fixture, MagnetFromALoopbackSeedStreamsByteForByte) {
    make_seed(8 * 1024 * 1024 + 123);
    host_process host(world);
    auto const added =
        host.call("torrent.add", {{"uri", magnet()}, {"savePath", (world.data_dir() / "dl").string()}});
    ASSERT_TRUE(added.contains("result")) << added.dump();
    EXPECT_EQ(added["result"]["infoHash"], torrent.info_hash);
    EXPECT_EQ(added["result"]["duplicate"], false);

    auto const files = torrent_files(host, torrent.info_hash);
    ASSERT_EQ(files["files"].size(), 1u);
    auto const& file = files["files"][0];
    EXPECT_EQ(file["mime"], "video/webm");
    EXPECT_EQ(file["size"], content.size());
    auto const [port, target] = split_url(file["streamUrl"]);

    auto const whole = http_get(port, target);
    EXPECT_EQ(whole.status, 200);
    EXPECT_EQ(whole.header("content-length"), std::to_string(content.size()));
    EXPECT_EQ(whole.header("accept-ranges"), "bytes");
    EXPECT_EQ(whole.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(sha256_hex(whole.body), sha256_hex(content));

    auto const part = http_get(port, target, {{"Range", "bytes=1000000-1999999"}});
    EXPECT_EQ(part.status, 206);
    EXPECT_EQ(part.header("content-range"), "bytes 1000000-1999999/" + std::to_string(content.size()));
    EXPECT_EQ(part.body, content.substr(1000000, 1000000));

    auto const tail = http_get(port, target, {{"Range", "bytes=-100"}});
    EXPECT_EQ(tail.body, content.substr(content.size() - 100));

    auto const head = http_request(port, "HEAD", target, {{"Host", "127.0.0.1:" + std::to_string(port)}});
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.header("content-length"), std::to_string(content.size()));
    EXPECT_TRUE(head.body.empty());

    EXPECT_TRUE(wait_until([&] { return torrent_status(host, torrent.info_hash)["progress"] == 1.0; }));
    EXPECT_TRUE(wait_until([&] {
        host.call("host.hello");
        return host.saw_event("torrent.finished", torrent.info_hash);
    }));
    auto const saw_update = [&] {
        return std::any_of(host.events.begin(), host.events.end(),
                           [](json const& e) { return e["method"] == "torrent.updated"; });
    };
    EXPECT_TRUE(wait_until([&] {
        host.call("host.hello");
        return saw_update();
    })) << "no torrent.updated event";
    auto const again = host.call("torrent.add", {{"uri", magnet()}});
    EXPECT_EQ(again["result"]["duplicate"], true);

    // The same data added again elsewhere is checked, found complete and seeded: nothing was downloaded,
    // so there is no "finished" news for the user.
    host.call("torrent.remove", {{"infoHash", torrent.info_hash}});
    host.events.clear();
    host.call("torrent.add", {{"uri", magnet()}, {"savePath", seed_dir.path().string()}});
    EXPECT_TRUE(wait_until([&] { return torrent_status(host, torrent.info_hash)["state"] == "seeding"; }));
    std::this_thread::sleep_for(300ms);
    host.call("host.hello");
    EXPECT_FALSE(host.saw_event("torrent.finished", torrent.info_hash));
}

TEST_F(stream_fixture, ASeekIsServedBeforeTheDownloadEnds) {
    make_seed(48 * 1024 * 1024);
    host_process host(world);
    // Slow enough that the whole file cannot be there when the seek is answered.
    ASSERT_TRUE(host.call("settings.set", {{"downloadRateLimit", 4 * 1024 * 1024}}).contains("result"));
    host.call("torrent.add",
              {{"torrent", base64(torrent.bytes)}, {"savePath", (world.data_dir() / "dl").string()}});
    auto const files = torrent_files(host, torrent.info_hash);
    auto const [port, target] = split_url(files["files"][0]["streamUrl"]);
    // Peers come from the magnet's x.pe for magnets; a .torrent has none here, so name the seed by magnet.
    host.call("torrent.add", {{"uri", magnet()}});
    auto const offset = 40u * 1024 * 1024;
    auto const started = std::chrono::steady_clock::now();
    auto const part = http_get(
        port, target, {{"Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + 65535)}});
    auto const took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(part.status, 206);
    EXPECT_EQ(part.body, content.substr(offset, 65536));
    auto const progress = torrent_status(host, torrent.info_hash)["progress"].get<double>();
    EXPECT_LT(progress, 0.9) << "the seek was answered only after most of the file had arrived";
    EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), 8000);
}

// A WebM file says how long it is: its read-ahead is then 30 s of its bitrate (6 MiB over 10 s: 18 MiB),
// not the default window.
TEST_F(stream_fixture, AMediaFilesReadAheadIsSizedByItsBitrate) {
    auto const head = webm_head_of(10);
    content = head + random_bytes(6 * 1024 * 1024 - head.size(), 7);
    write_file(seed_dir / "pack" / "film.webm", content);
    torrent = make_torrent(seed_dir / "pack");
    seed = std::make_unique<loopback_seed>(torrent, seed_dir.path());
    host_process host(world);
    host.call("torrent.add", {{"uri", magnet()}, {"savePath", (world.data_dir() / "dl").string()}});
    auto const files = torrent_files(host, torrent.info_hash);
    auto const [port, target] = split_url(files["files"][0]["streamUrl"]);
    EXPECT_TRUE(http_get(port, target).body == content);
    auto const log = read_file(world.data_dir() / "logs" / "host.log");
    EXPECT_NE(log.find("file 0: 10 s long"), std::string::npos);
    EXPECT_NE(log.find("read-ahead 18432 KiB"), std::string::npos)
        << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
}

TEST_F(stream_fixture, TwentyParallelStreamsOfDifferentFiles) {
    std::vector<std::string> contents;
    for (int i = 0; i < 20; ++i) {
        contents.push_back(
            make_file(seed_dir / "pack" / ("part" + std::to_string(i) + ".bin"), 300 * 1024 + i, 100 + i));
    }
    torrent = make_torrent(seed_dir / "pack", 64 * 1024);
    seed = std::make_unique<loopback_seed>(torrent, seed_dir.path());
    host_process host(world);
    host.call("torrent.add", {{"uri", magnet()}, {"savePath", (world.data_dir() / "dl").string()}});
    auto const files = torrent_files(host, torrent.info_hash)["files"];
    ASSERT_EQ(files.size(), 20u);
    std::vector<std::future<std::pair<std::string, std::string>>> streams;
    for (auto const& f : files) {
        auto const url = f["streamUrl"].get<std::string>();
        auto const path = f["path"].get<std::string>();
        streams.push_back(std::async(std::launch::async, [url, path] {
            auto const [port, target] = split_url(url);
            return std::make_pair(path, http_get(port, target).body);
        }));
    }
    for (auto& s : streams) {
        auto const [path, body] = s.get();
        auto const index = std::stoi(path.substr(path.find("part") + 4));
        EXPECT_EQ(sha256_hex(body), sha256_hex(contents[static_cast<std::size_t>(index)])) << path;
    }
}

std::size_t open_descriptors(long pid) {
    std::size_t n = 0;
    for ([[maybe_unused]] auto const& e :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
        ++n;
    }
    return n;
}

TEST_F(stream_fixture, ClientsThatLeaveMidStreamCostNothing) {
    content = make_file(seed_dir / "pack" / "film.webm", 4 * 1024 * 1024);
    torrent = make_torrent(seed_dir / "pack"); // no seed: every reader ends up waiting for a piece
    host_process host(world);
    auto const owner = host.call("host.hello")["result"]["instance"]["pid"].get<long>();
    host.call("torrent.add",
              {{"torrent", base64(torrent.bytes)}, {"savePath", (world.data_dir() / "dl").string()}});
    auto const [port, target] =
        split_url(torrent_files(host, torrent.info_hash)["files"][0]["streamUrl"].get<std::string>());
    auto const before = open_descriptors(owner);
    for (int i = 0; i < 50; ++i) {
        // Ask for a range, take the headers, hang up: what a player does on every seek.
        boost::asio::io_context io;
        boost::asio::ip::tcp::socket socket(io);
        socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
        auto const request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                             "\r\nRange: bytes=" + std::to_string(i * 4096) + "-\r\n\r\n";
        boost::asio::write(socket, boost::asio::buffer(request));
        std::this_thread::sleep_for(5ms);
        socket.close();
    }
    EXPECT_TRUE(wait_until([&] { return open_descriptors(owner) <= before + 2; }, 5s))
        << "descriptors before: " << before << ", after: " << open_descriptors(owner);
    EXPECT_TRUE(host.call("host.hello").contains("result"));
}

TEST_F(stream_fixture, GuardsOnTheRealServer) {
    make_seed(300 * 1024);
    host_process host(world);
    host.call("torrent.add", {{"uri", magnet()}, {"savePath", (world.data_dir() / "dl").string()}});
    auto const url = torrent_files(host, torrent.info_hash)["files"][0]["streamUrl"].get<std::string>();
    auto const [port, target] = split_url(url);
    auto const hostport = "127.0.0.1:" + std::to_string(port);
    auto const request = [&, port = port](std::string const& t,
                                          std::vector<std::pair<std::string, std::string>> h) {
        return http_request(port, "GET", t, h);
    };
    EXPECT_EQ(request(target, {{"Host", "evil.example"}}).status, 421);
    EXPECT_EQ(request(target, {{"Host", "localhost:" + std::to_string(port) + ".evil.example"}}).status, 421);
    EXPECT_EQ(request(target, {}).status, 421);
    auto forged = target;
    forged[3] = forged[3] == 'a' ? 'b' : 'a';
    EXPECT_EQ(request(forged, {{"Host", hostport}}).status, 404);
    EXPECT_EQ(
        request("/s/" + target.substr(3, 32) + "/%2e%2e/%2e%2e/etc/passwd", {{"Host", hostport}}).status,
        404);
    EXPECT_EQ(request("/", {{"Host", hostport}}).status, 404);
    EXPECT_EQ(http_request(port, "POST", target, {{"Host", hostport}}).status, 405);

    auto const foreign = request(target, {{"Host", hostport}, {"Origin", "https://evil.example"}});
    EXPECT_EQ(foreign.header("access-control-allow-origin"), "");
    auto const ours = request(
        target, {{"Host", hostport}, {"Origin", "chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk"}});
    EXPECT_EQ(ours.header("access-control-allow-origin"),
              "chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk");

    auto const unsatisfiable = request(target, {{"Host", hostport}, {"Range", "bytes=999999999-"}});
    EXPECT_EQ(unsatisfiable.status, 416);
    EXPECT_EQ(unsatisfiable.header("content-range"), "bytes */" + std::to_string(content.size()));
    std::string many = "bytes=";
    for (int i = 0; i < 500; ++i) {
        many += std::to_string(i) + "-" + std::to_string(i + 1000) + ",";
    }
    auto const merged = request(target, {{"Host", hostport}, {"Range", many}});
    EXPECT_EQ(merged.status, 206);
    EXPECT_EQ(merged.body, content.substr(0, 1500));
    auto const bad_file = target.substr(0, target.rfind('/', target.size() - 11)) + "/7/x";
    EXPECT_EQ(request(bad_file, {{"Host", hostport}}).status, 404);
}

TEST_F(stream_fixture, ActiveContentIsServedAsAnAttachment) {
    make_seed(1000, "page.html");
    host_process host(world);
    host.call("torrent.add", {{"uri", magnet()}, {"savePath", (world.data_dir() / "dl").string()}});
    auto const [port, target] =
        split_url(torrent_files(host, torrent.info_hash)["files"][0]["streamUrl"].get<std::string>());
    auto const reply = http_get(port, target);
    EXPECT_EQ(reply.header("content-type"), "text/html");
    EXPECT_EQ(reply.header("content-disposition").rfind("attachment", 0), 0u);
    EXPECT_NE(reply.header("content-security-policy").find("sandbox"), std::string::npos);
}

TEST_F(stream_fixture, TorrentsComeBackAfterKill9WithNewStreamUrls) {
    make_seed(2 * 1024 * 1024);
    host_world world2(R"({"resumeSaveSeconds":1})");
    std::string old_url;
    {
        host_process host(world2);
        host.call("torrent.add", {{"uri", magnet()}, {"savePath", (world2.data_dir() / "dl").string()}});
        old_url = torrent_files(host, torrent.info_hash)["files"][0]["streamUrl"].get<std::string>();
        ASSERT_TRUE(wait_until([&] { return torrent_status(host, torrent.info_hash)["progress"] == 1.0; }));
        std::this_thread::sleep_for(2500ms); // at least one periodic save after completion
        ASSERT_TRUE(host.kill_owner());
    }
    seed.reset(); // nobody to download from: what comes back must come from disk
    host_process host(world2);
    json status;
    ASSERT_TRUE(wait_until([&] {
        status = torrent_status(host, torrent.info_hash);
        return !status.is_null() && status["progress"] == 1.0;
    })) << status.dump();
    auto const new_url = torrent_files(host, torrent.info_hash)["files"][0]["streamUrl"].get<std::string>();
    EXPECT_NE(new_url, old_url) << "a new session has a new capability token";
    auto const [port, target] = split_url(new_url);
    EXPECT_EQ(sha256_hex(http_get(port, target).body), sha256_hex(content));
}

TEST_F(stream_fixture, ManageTorrentsOverRpc) {
    make_seed(512 * 1024);
    host_process host(world);
    auto const dl = world.data_dir() / "dl";
    EXPECT_EQ(host.call("torrent.add", {{"uri", magnet() + "\n"}})["error"]["code"], 1001);
    EXPECT_EQ(
        host.call("torrent.add", {{"uri", "magnet:?xt=urn:btih:" + std::string(40, '0')}})["error"]["code"],
        1001);
    EXPECT_EQ(host.call("torrent.add", {{"torrent", base64("d4:spam4:eggse")}})["error"]["code"], 1002);
    EXPECT_EQ(host.call("torrent.add", {{"uri", magnet()}, {"savePath", "relative/dir"}})["error"]["code"],
              1006);
    EXPECT_EQ(host.call("torrent.files", {{"infoHash", std::string(40, 'a')}})["error"]["code"], 1003);
    host.call("torrent.add", {{"uri", magnet()}, {"savePath", dl.string()}});
    ASSERT_TRUE(wait_until([&] { return torrent_status(host, torrent.info_hash)["progress"] == 1.0; }));
    EXPECT_TRUE(std::filesystem::exists(dl / "pack" / "film.webm"));
    host.call("torrent.pause", {{"infoHash", torrent.info_hash}});
    EXPECT_TRUE(wait_until([&] { return torrent_status(host, torrent.info_hash)["state"] == "paused"; }));
    host.call("torrent.resume", {{"infoHash", torrent.info_hash}});
    EXPECT_TRUE(wait_until([&] { return torrent_status(host, torrent.info_hash)["state"] != "paused"; }));
    auto const removed =
        host.call("torrent.remove", {{"infoHash", torrent.info_hash}, {"deleteFiles", true}});
    EXPECT_EQ(removed["result"]["removed"], true);
    EXPECT_TRUE(wait_until([&] { return !std::filesystem::exists(dl / "pack" / "film.webm"); }));
    EXPECT_TRUE(host.call("torrent.list")["result"]["torrents"].empty());
    EXPECT_FALSE(std::filesystem::exists(world.data_dir() / "resume" / (torrent.info_hash + ".resume")));
}

TEST_F(stream_fixture, TorrentLinksAreFetchedWithinALimit) {
    make_seed(256 * 1024);
    host_process host(world);
    tiny_http_server site(torrent.bytes);
    auto const added =
        host.call("torrent.add", {{"uri", site.url()}, {"savePath", (world.data_dir() / "dl").string()}});
    ASSERT_TRUE(added.contains("result")) << added.dump();
    EXPECT_EQ(added["result"]["infoHash"], torrent.info_hash);
    EXPECT_EQ(site.requests(), 1);

    tiny_http_server huge(std::string(11 * 1000 * 1000, 'd'));
    auto const refused = host.call("torrent.add", {{"uri", huge.url()}});
    EXPECT_EQ(refused["error"]["code"], 1005) << refused.dump().substr(0, 300);
    tiny_http_server junk("<html>not a torrent</html>", "text/html");
    EXPECT_EQ(host.call("torrent.add", {{"uri", junk.url()}})["error"]["code"], 1002);
    EXPECT_EQ(host.call("torrent.add", {{"uri", "http://127.0.0.1:1/none.torrent"}})["error"]["code"], 1005);
}

TEST_F(stream_fixture, AMagnetSelectingFilesThatDoNotExistIsReported) {
    make_seed(256 * 1024);
    host_process host(world);
    auto const added = host.call(
        "torrent.add", {{"uri", magnet() + "&so=0,7"}, {"savePath", (world.data_dir() / "dl").string()}});
    ASSERT_TRUE(added.contains("result")) << added.dump();
    EXPECT_TRUE(wait_until([&] {
        host.call("host.hello");
        return std::any_of(host.events.begin(), host.events.end(), [&](json const& e) {
            return e["method"] == "torrent.error" && e["params"]["kind"] == "magnet" &&
                   e["params"]["message"].get<std::string>().find("file 7") != std::string::npos;
        });
    }));
    // The selection was dropped, not the torrent: the one real file still arrives.
    EXPECT_TRUE(wait_until([&] { return torrent_status(host, torrent.info_hash)["progress"] == 1.0; }));
}

TEST_F(stream_fixture, FileNamesCannotLeaveTheDownloadFolder) {
    // A hand-made .torrent whose file names try to climb out, go absolute or name a drive.
    std::string const piece_hashes(20, 'x');
    std::string const info =
        "d5:filesld6:lengthi10e4:pathl2:..2:..4:evileed6:lengthi10e4:pathl5:/etc/6:passwdeed"
        "6:lengthi10e4:pathl2:c:3:wineee4:name4:pack12:piece lengthi16384e6:pieces20:" +
        piece_hashes + "e";
    std::string const torrent_file = "d4:info" + info + "e";
    host_process host(world);
    auto const added = host.call(
        "torrent.add", {{"torrent", base64(torrent_file)}, {"savePath", (world.data_dir() / "dl").string()}});
    ASSERT_TRUE(added.contains("result")) << added.dump();
    auto const files =
        host.call("torrent.files", {{"infoHash", added["result"]["infoHash"]}})["result"]["files"];
    ASSERT_EQ(files.size(), 3u);
    auto const save = std::filesystem::weakly_canonical(world.data_dir() / "dl");
    for (auto const& f : files) {
        auto const path = f["path"].get<std::string>();
        EXPECT_EQ(path.rfind("pack/", 0), 0u) << path;
        EXPECT_EQ(path.find("../"), std::string::npos) << path;
        // "c:" is an ordinary folder name on Linux; what matters is that every file stays inside.
        auto const resolved = std::filesystem::weakly_canonical(save / path).string();
        EXPECT_EQ(resolved.rfind(save.string() + "/", 0), 0u) << resolved;
    }
}

TEST_F(stream_fixture, TheOwnerStaysWhileAStreamPlaysThenLingers) {
    host_world lingering(R"({"lingerSeconds":1})");
    content = make_file(seed_dir / "pack" / "film.webm", 1024 * 1024);
    torrent = make_torrent(seed_dir / "pack"); // and no seed: the player waits on an open connection
    long owner = 0;
    std::future<bool> playing;
    {
        host_process host(lingering);
        owner = host.call("host.hello")["result"]["instance"]["pid"].get<long>();
        host.call("torrent.add",
                  {{"torrent", base64(torrent.bytes)}, {"savePath", (lingering.data_dir() / "dl").string()}});
        auto const url = torrent_files(host, torrent.info_hash)["files"][0]["streamUrl"].get<std::string>();
        playing = std::async(std::launch::async, [url] {
            auto const [port, target] = split_url(url);
            try {
                http_request(port, "GET", target, {{"Host", "127.0.0.1:" + std::to_string(port)}}, 3s);
            } catch (std::exception const&) {
                return true; // the player gave up, as the test means it to
            }
            return false;
        });
        std::this_thread::sleep_for(300ms);
        host.close_stdin();
        EXPECT_EQ(host.wait_exit(), 0);
    }
    EXPECT_FALSE(host_world::wait_for_exit(owner, 2s)) << "the owner left while a stream was open";
    EXPECT_TRUE(playing.get());
    auto const closed_at = std::chrono::steady_clock::now();
    EXPECT_TRUE(host_world::wait_for_exit(owner, 5s)) << "the owner did not leave after the linger time";
    auto const lingered = std::chrono::steady_clock::now() - closed_at;
    EXPECT_GE(std::chrono::duration_cast<std::chrono::milliseconds>(lingered).count(), 800);
}

} // namespace
} // namespace sluice::testing
