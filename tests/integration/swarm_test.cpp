// The host in swarms as they are: several peers behind one address (a household behind one NAT, a campus,
// a VPN exit, loopback), dead peers beside live ones, v1-only magnets of hybrid torrents, trackers that
// cannot be reached. Every host here is a real sluice-host with the shipped peer settings (uTP on); only
// the ways of finding peers on the Internet (DHT, LSD, UPnP, NAT-PMP) stay off.

#include "file_helpers.hpp"
#include "host_process.hpp"
#include "loopback_ports.hpp"
#include "torrent_fixture.hpp"
#include "torrent_queries.hpp"
#include "wait_until.hpp"

#include <sluice/protocol/keys.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <libtorrent/bdecode.hpp>
#include <libtorrent/bencode.hpp>
#include <libtorrent/entry.hpp>

#include <array>
#include <memory>

namespace sluice::testing {
namespace {

using nlohmann::json;

std::unique_ptr<host_process> start_host(host_world& world) {
    auto host = std::make_unique<host_process>(world);
    auto const hello = host->call("host.hello");
    EXPECT_TRUE(hello.contains("result")) << hello.dump();
    return host;
}

std::string peer_of(host_process& host) {
    return "127.0.0.1:" + std::to_string(host.call("settings.get")["result"].value("peerPort", 0));
}

std::string btih_magnet(made_torrent const& torrent, std::vector<std::string> const& peers) {
    auto magnet = "magnet:?xt=urn:btih:" + torrent.info_hash;
    for (auto const& p : peers) {
        magnet += "&x.pe=" + p;
    }
    return magnet;
}

json add(host_process& host, host_world& world, std::string const& uri) {
    auto const added =
        host.call("torrent.add", {{"uri", uri}, {"savePath", (world.data_dir() / "dl").string()}});
    EXPECT_TRUE(added.contains("result")) << added.dump();
    return added;
}

bool has_metadata(host_process& host, made_torrent const& torrent, std::chrono::milliseconds timeout) {
    return !torrent_files(host, torrent.info_hash, timeout).contains("metadataPending");
}

// The info-hash a peer answers a plain BitTorrent handshake with, when the handshake carries `info_hash`
// (40 hex) and no BEP 52 upgrade bit, as a v1-only client sends it.
std::string handshake_answer(std::string const& peer, std::string const& info_hash) try {
    namespace asio = boost::asio;
    auto const colon = peer.rfind(':');
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address(peer.substr(0, colon)),
                    static_cast<unsigned short>(std::stoi(peer.substr(colon + 1)))});
    std::string hello = "\x13"
                        "BitTorrent protocol";
    hello += std::string("\0\0\0\0\0\x10\0\x04", 8); // extension protocol and fast extension, nothing else
    for (std::size_t i = 0; i < info_hash.size(); i += 2) {
        hello += static_cast<char>(std::stoi(info_hash.substr(i, 2), nullptr, 16));
    }
    hello += "-XX0001-v1handshake!";
    asio::write(socket, asio::buffer(hello));
    std::array<unsigned char, 68> answer{};
    asio::read(socket, asio::buffer(answer));
    static char const digits[] = "0123456789abcdef";
    std::string hex;
    for (std::size_t i = 28; i < 48; ++i) {
        hex += digits[answer[i] >> 4];
        hex += digits[answer[i] & 0xF];
    }
    return hex;
} catch (std::exception const& e) {
    return std::string("no answer: ") + e.what();
}

struct swarm_fixture : ::testing::Test {
    sandbox_dir dir;
    std::string content;
    made_torrent torrent;

    void make_content(std::size_t size) {
        content = make_file(dir / "pack" / "film.webm", size);
        torrent = make_torrent(dir / "pack");
    }
};

TEST_F(swarm_fixture, ALiveAndADeadPeerOnOneAddressInEitherOrder) {
    make_content(2 * 1024 * 1024 + 11);
    loopback_seed seed(torrent, dir.path());
    auto const dead = "127.0.0.1:" + std::to_string(free_port());
    for (bool const dead_first : {false, true}) {
        SCOPED_TRACE(dead_first ? "dead peer first" : "live peer first");
        host_world world(shipped_peer_settings);
        auto host = start_host(world);
        auto const magnet = dead_first ? btih_magnet(torrent, {dead, seed.endpoint()})
                                       : btih_magnet(torrent, {seed.endpoint(), dead});
        add(*host, world, magnet);
        EXPECT_TRUE(has_metadata(*host, torrent, 10s)) << torrent_status(*host, torrent.info_hash).dump();
    }
}

TEST_F(swarm_fixture, TwoHostsOnOneAddressDownloadFromOneSeedAtOnce) {
    // Large enough for the two downloads to overlap (rate limits do not apply to peers on loopback).
    make_content(48 * 1024 * 1024 + 5);
    host_world seed_world(shipped_peer_settings);
    auto seed = start_host(seed_world);
    ASSERT_GT(seed_torrent(*seed, torrent, dir.path()), 0);
    auto const magnet = btih_magnet(torrent, {peer_of(*seed)});

    host_world world_a(shipped_peer_settings);
    host_world world_b(shipped_peer_settings);
    auto a = start_host(world_a);
    auto b = start_host(world_b);
    add(*a, world_a, magnet);
    add(*b, world_b, magnet);

    // With one peer per address the seed turned the second host away while it served the first, and the
    // second dialled again only a minute later (libtorrent's min_reconnect_time): both must be done long
    // before that.
    bool overlapped = false;
    json sa;
    json sb;
    auto const started = std::chrono::steady_clock::now();
    bool const done = wait_until(
        [&] {
            sa = torrent_status(*a, torrent.info_hash);
            sb = torrent_status(*b, torrent.info_hash);
            auto const pa = sa.value("progress", 0.0);
            auto const pb = sb.value("progress", 0.0);
            overlapped = overlapped || (pa > 0 && pa < 1 && pb > 0 && pb < 1);
            return pa == 1.0 && pb == 1.0;
        },
        20s, 10ms);
    EXPECT_TRUE(done) << "a: " << sa.dump() << "\nb: " << sb.dump();
    // libtorrent 2.0.8's false alarm on hybrids (see torrent_engine) strikes about one download in eight
    // here: the host checks again and dials its peers afresh, and the download still ends well within the
    // time.
    auto const rechecks = [](host_world const& w) {
        auto const log = read_file(w.data_dir() / "logs" / "host.log");
        std::size_t n = 0;
        for (auto at = log.find("checking its files again"); at != std::string::npos;
             at = log.find("checking its files again", at + 1)) {
            ++n;
        }
        return n;
    };
    std::printf("both hosts had the file %lld ms after they added it (%s; rechecks: %zu)\n",
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - started)
                                           .count()),
                overlapped ? "seen downloading side by side" : "one after the other",
                rechecks(world_a) + rechecks(world_b));
}

TEST_F(swarm_fixture, BtihOnlyMagnetsOfAHybridFromASluiceSeed) {
    make_content(3 * 1024 * 1024 + 7);
    ASSERT_FALSE(torrent.info_hash_v2.empty()) << "the torrent must be hybrid";
    auto const full_magnet =
        "magnet:?xt=urn:btih:" + torrent.info_hash + "&xt=urn:btmh:1220" + torrent.info_hash_v2;
    host_world seed_world(R"({"session":{"utp":true},"resumeSaveSeconds":1})");
    auto seed = start_host(seed_world);
    ASSERT_GT(seed_torrent(*seed, torrent, dir.path()), 0);

    // A client that speaks v2 to the seed first, from the same address, then v1-only ones.
    host_world v2_world(R"({"session":{"utp":true},"resumeSaveSeconds":1})");
    auto v2 = start_host(v2_world);
    add(*v2, v2_world, full_magnet + "&x.pe=" + peer_of(*seed));
    ASSERT_TRUE(has_metadata(*v2, torrent, 10s));
    EXPECT_EQ(handshake_answer(peer_of(*seed), torrent.info_hash), torrent.info_hash);

    auto const btih_only_gets_metadata = [&](std::string const& from, char const* what) {
        SCOPED_TRACE(what);
        host_world world(shipped_peer_settings);
        auto host = start_host(world);
        add(*host, world, btih_magnet(torrent, {from}));
        EXPECT_TRUE(has_metadata(*host, torrent, 10s)) << torrent_status(*host, torrent.info_hash).dump();
    };
    btih_only_gets_metadata(peer_of(*seed), "a seed added from the .torrent");

    EXPECT_TRUE(seed->kill_owner());
    seed = start_host(seed_world);
    ASSERT_TRUE(
        wait_until([&] { return torrent_status(*seed, torrent.info_hash).value("state", "") == "seeding"; }));
    EXPECT_EQ(handshake_answer(peer_of(*seed), torrent.info_hash), torrent.info_hash);
    btih_only_gets_metadata(peer_of(*seed), "the same seed restarted from its resume data");

    // The host that came by the btih + btmh magnet becomes a seed in turn.
    ASSERT_TRUE(
        wait_until([&] { return torrent_status(*v2, torrent.info_hash).value("progress", 0.0) == 1.0; }));
    seed.reset();
    EXPECT_EQ(handshake_answer(peer_of(*v2), torrent.info_hash), torrent.info_hash);
    btih_only_gets_metadata(peer_of(*v2), "a seed added by a btmh magnet");
    std::this_thread::sleep_for(1500ms); // a periodic resume save after completion
    EXPECT_TRUE(v2->kill_owner());
    v2 = start_host(v2_world);
    ASSERT_TRUE(wait_until([&] {
        return torrent_status(*v2, torrent.info_hash).value("state", "") == "seeding";
    })) << torrent_status(*v2, torrent.info_hash).dump();
    btih_only_gets_metadata(peer_of(*v2), "a seed added by a btmh magnet, restarted");
}

// A hybrid torrent whose v1 piece hashes describe one film and whose v2 file tree another: libtorrent stops
// it
// ("v1 and v2 hashes do not describe the same data"). The host checks such a torrent's files again (what
// clears libtorrent 2.0.8's false alarms, see torrent_engine), but not for ever: then it says what is wrong.
TEST_F(swarm_fixture, AHybridWhoseHashesDisagreeIsReportedNotRecheckedForEver) {
    make_file(dir / "real" / "pack" / "film.webm", 1024 * 1024 + 3, 21);
    make_file(dir / "other" / "pack" / "film.webm", 1024 * 1024 + 3, 22);
    auto const v1_of = make_torrent(dir / "real" / "pack");
    auto const v2_of = make_torrent(dir / "other" / "pack");
    namespace lt = libtorrent;
    lt::entry spliced(
        lt::bdecode(lt::span<char const>(v1_of.bytes.data(), static_cast<long>(v1_of.bytes.size()))));
    lt::entry const other(
        lt::bdecode(lt::span<char const>(v2_of.bytes.data(), static_cast<long>(v2_of.bytes.size()))));
    spliced["info"]["file tree"] = other["info"]["file tree"];
    spliced["piece layers"] = other["piece layers"];
    std::string bytes;
    lt::bencode(std::back_inserter(bytes), spliced);

    host_world world(shipped_peer_settings);
    auto host = start_host(world);
    auto const added = host->call(
        "torrent.add", {{"torrent", protocol::to_base64(bytes)}, {"savePath", (dir / "real").string()}});
    ASSERT_TRUE(added.contains("result")) << added.dump();
    auto const hash = added["result"]["infoHash"].get<std::string>();
    json error;
    ASSERT_TRUE(wait_until(
        [&] {
            host->call("torrent.list");
            for (auto const& e : host->events) {
                if (e.value("method", "") == "torrent.error" && e["params"].value("infoHash", "") == hash) {
                    error = e["params"];
                }
            }
            return !error.is_null();
        },
        30s))
        << torrent_status(*host, hash).dump();
    EXPECT_EQ(error["kind"], "integrity") << error.dump();
    EXPECT_NE(error["message"].get<std::string>().find("disagree"), std::string::npos) << error.dump();
    auto const status = torrent_status(*host, hash);
    EXPECT_EQ(status["state"], "error") << status.dump();
    auto const log = read_file(world.data_dir() / "logs" / "host.log");
    std::size_t rechecks = 0;
    for (auto at = log.find("checking its files again"); at != std::string::npos;
         at = log.find("checking its files again", at + 1)) {
        ++rechecks;
    }
    EXPECT_EQ(rechecks, 3u) << log.substr(log.size() > 4000 ? log.size() - 4000 : 0);
}

TEST_F(swarm_fixture, AnUnreachableTrackerIsShownWithItsError) {
    host_world world(shipped_peer_settings);
    auto host = start_host(world);
    auto const hash = std::string("0123456789abcdef0123456789abcdef01234567");
    auto const tracker = "http://127.0.0.1:" + std::to_string(free_port()) + "/announce";
    add(*host, world, "magnet:?xt=urn:btih:" + hash + "&tr=" + tracker);
    json status;
    ASSERT_TRUE(wait_until(
        [&] {
            status = torrent_status(*host, hash);
            auto const& trackers = status.value("/sources/trackers"_json_pointer, json::array());
            return !trackers.empty() && trackers[0].value("message", "") != "";
        },
        15s))
        << status.dump();
    auto const& sources = status["sources"];
    EXPECT_EQ(sources["trackersTotal"], 1);
    EXPECT_EQ(sources["trackers"][0]["url"], tracker);
    EXPECT_NE(sources["trackers"][0]["status"], "working");
    EXPECT_NE(sources["trackers"][0]["message"].get<std::string>().find("refused"), std::string::npos)
        << sources.dump();
    EXPECT_EQ(sources["webSeeds"], 0);
    EXPECT_EQ(sources["peersKnown"], 0);
    EXPECT_TRUE(sources["dhtNodes"].is_null()) << "the DHT is off in this world";
    EXPECT_EQ(status["hasMetadata"], false);
    EXPECT_TRUE(wait_until([&] {
        host->call("torrent.list");
        return std::any_of(host->events.begin(), host->events.end(), [&](json const& e) {
            return e.value("method", "") == "torrent.error" && e["params"].value("kind", "") == "tracker";
        });
    })) << "no torrent.error of kind tracker";
}

} // namespace
} // namespace sluice::testing
