// The host against other BitTorrent software: aria2c and transmission-cli as peers, nginx as a web seed.
// Each test runs the third-party program on loopback for itself and checks the bytes end to end.

#include "host_process.hpp"
#include "http_client.hpp"
#include "mini_tracker.hpp"
#include "third_party.hpp"
#include "torrent_fixture.hpp"
#include "torrent_queries.hpp"
#include "wait_until.hpp"

#include <sluice/protocol/keys.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <thread>
#include <unistd.h>

namespace sluice::testing {
namespace {

using nlohmann::json;

std::string base64(std::string const& bytes) {
    return protocol::to_base64(bytes);
}

std::string slurp(std::filesystem::path const& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

void write_file(std::filesystem::path const& path, std::string const& bytes) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// aria2c 1.36 cannot take part in a hybrid (v1 + v2) torrent: it hashes the info dictionary after
// re-encoding it, and its bencode reader drops entries whose key is empty, which every BEP 52 "file tree"
// holds; so it announces and handshakes with an info-hash nobody else has. That holds for a btih magnet
// too: it fetches the metadata from the host, then announces the hash of its re-encoding (seen: 2cb52d8a…
// for a hybrid whose v1 hash is 65c1d7db…), so it can neither download nor seed a bundle. Its torrents here
// are v1 only.
// It also ignores x.pe in magnet links.
//
// aria2c, on loopback only, with every way of finding peers but the ones a test gives it turned off, and
// tied to this process so that it never outlives the test.
std::vector<std::string> aria2c_args(int listen_port, std::filesystem::path const& dir) {
    return {"--no-conf=true",
            "--enable-dht=false",
            "--enable-dht6=false",
            "--bt-enable-lpd=false",
            "--enable-peer-exchange=false",
            "--disable-ipv6=true",
            "--interface=127.0.0.1",
            "--listen-port=" + std::to_string(listen_port),
            "--dir=" + dir.string(),
            "--file-allocation=none",
            "--summary-interval=0",
            "--enable-color=false",
            "--console-log-level=notice",
            "--stop-with-process=" + std::to_string(::getpid())};
}

struct interop_fixture : ::testing::Test {
    host_world world;
    sandbox_dir dir;

    // The path of a tool the suite needs; an assertion failure (not a skip) when it is missing.
    static std::filesystem::path tool(std::string const& name) {
        auto path = find_tool(name);
        if (path.empty()) {
            ADD_FAILURE() << name << " is not installed; installer/setup-deps.sh installs it";
        }
        return path;
    }

    // Says hello as a browser would. The reply names the owner process, which the world then waits for
    // (and kills if need be) at teardown, so no owner outlives its test.
    static void greet(host_process& host) {
        auto const hello = host.call("host.hello");
        ASSERT_TRUE(hello.contains("result")) << hello.dump();
    }

    // torrent.files once the metadata is in, dialling the magnet's peer again whenever none is connected (as
    // dial_until); when it never came, the last reply, which still says metadataPending.
    json files_by_dialling(host_process& host, std::string const& hash, std::string const& magnet,
                           std::chrono::milliseconds timeout, int& dials) {
        json files;
        dial_until(
            host, hash, magnet,
            [&] {
                files = host.call("torrent.files", {{"infoHash", hash}})["result"];
                return !files.contains("metadataPending");
            },
            timeout, dials);
        return files;
    }

    // aria2c seeding `torrent` (v1 only, its data under dir/seed) on `port`: for ever, trusting the data as
    // it is (this test wrote it a moment ago). Returns once it listens and a moment more: listening comes a
    // little before the torrent is ready to serve, and a peer that came too early is turned away.
    std::unique_ptr<third_party_process> aria_seed(made_torrent const& torrent, int port) {
        auto const aria2c = tool("aria2c");
        if (aria2c.empty()) {
            return nullptr;
        }
        write_file(dir / "film.torrent", torrent.bytes);
        auto args = aria2c_args(port, dir / "seed");
        for (std::string a : {"--seed-ratio=0.0", "--bt-seed-unverified=true", "--check-integrity=false"}) {
            args.push_back(a);
        }
        args.push_back((dir / "film.torrent").string());
        auto seed = std::make_unique<third_party_process>(aria2c, args, dir / "aria2c.log", dir.path());
        EXPECT_TRUE(wait_for_listener(port, 10s)) << "aria2c does not listen" << seed->output();
        std::this_thread::sleep_for(1s);
        return seed;
    }

    // Waits up to `timeout` for `done`, meanwhile having the host dial the peer `magnet` names (x.pe) each
    // time it finds itself without one. A client listens a moment before its torrent is loaded and turns
    // away a peer that comes too early, and libtorrent waits long before it tries a failed peer again.
    template <typename Predicate>
    bool dial_until(host_process& host, std::string const& hash, std::string const& magnet, Predicate done,
                    std::chrono::milliseconds timeout, int& dials) {
        // `dials` counts them, and one made before the call (dials > 0) is given its time too.
        auto next_dial = std::chrono::steady_clock::now() + (dials > 0 ? 5s : 0s);
        return wait_until(
            [&] {
                if (done()) {
                    return true;
                }
                if (std::chrono::steady_clock::now() >= next_dial) {
                    if (torrent_status(host, hash).value("peers", 0) == 0) {
                        ++dials;
                        auto const dial = host.call("torrent.add", {{"uri", magnet}});
                        EXPECT_TRUE(dial.contains("result")) << dial.dump();
                    }
                    next_dial = std::chrono::steady_clock::now() + 5s;
                }
                return false;
            },
            timeout);
    }
};

TEST_F(interop_fixture, AriaSeedsHostStreams) {
    auto const content = make_file(dir / "seed" / "film.mp4", 16 * 1024 * 1024 + 4321, 7);
    auto const torrent = make_torrent(dir / "seed" / "film.mp4", 256 * 1024, {}, torrent_kind::v1_only);
    auto const aria_port = free_port();
    auto const seed = aria_seed(torrent, aria_port);
    ASSERT_TRUE(seed);

    host_process host(world);
    greet(host);
    auto const magnet =
        "magnet:?xt=urn:btih:" + torrent.info_hash + "&x.pe=127.0.0.1:" + std::to_string(aria_port);
    auto const added =
        host.call("torrent.add", {{"uri", magnet}, {"savePath", (world.data_dir() / "dl").string()}});
    ASSERT_TRUE(added.contains("result")) << added.dump();
    EXPECT_EQ(added["result"]["infoHash"], torrent.info_hash);

    // The first dial is the add itself.
    int dials = 1;
    auto const files = files_by_dialling(host, torrent.info_hash, magnet, 20s, dials);
    ASSERT_FALSE(files.contains("metadataPending"))
        << "no metadata from aria2c within 20 s (" << dials
        << " dials): " << torrent_status(host, torrent.info_hash).dump() << seed->output();
    ASSERT_EQ(files["files"].size(), 1u) << files.dump() << seed->output();
    EXPECT_EQ(files["files"][0]["size"], content.size());
    auto const [port, target] = split_url(files["files"][0]["streamUrl"]);
    auto const started = std::chrono::steady_clock::now();
    http_reply whole;
    try {
        whole = http_get(port, target);
    } catch (std::exception const& e) {
        FAIL() << e.what() << "\nhost status: " << torrent_status(host, torrent.info_hash).dump()
               << seed->output();
    }
    EXPECT_EQ(whole.status, 200);
    EXPECT_EQ(whole.body.size(), content.size());
    EXPECT_EQ(sha256_hex(whole.body), sha256_hex(content)) << seed->output();
    std::printf("streamed %zu bytes from aria2c in %lld ms (%d dial(s))\n", whole.body.size(),
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - started)
                                           .count()),
                dials);
}

// aria2c speaks TCP only, as do many seedboxes. With uTP on, as the host ships, its first bytes must not
// wait for libtorrent's uTP connect timeout (3 s, and no ICMP shortcut) before TCP is tried: measured
// 3.1 s when the host dialled uTP first, a few milliseconds over TCP.
TEST_F(interop_fixture, ATcpOnlySeedGivesItsFirstByteWithoutWaitingForUtp) {
    auto const content = make_file(dir / "seed" / "film.mp4", 4 * 1024 * 1024 + 17, 9);
    auto const torrent = make_torrent(dir / "seed" / "film.mp4", 256 * 1024, {}, torrent_kind::v1_only);
    auto const aria_port = free_port();
    auto const seed = aria_seed(torrent, aria_port);
    ASSERT_TRUE(seed);

    host_world shipped(shipped_peer_settings);
    host_process host(shipped);
    greet(host);
    auto const started = std::chrono::steady_clock::now();
    auto const added = host.call("torrent.add", {{"uri", "magnet:?xt=urn:btih:" + torrent.info_hash +
                                                             "&x.pe=127.0.0.1:" + std::to_string(aria_port)},
                                                 {"savePath", (shipped.data_dir() / "dl").string()}});
    ASSERT_TRUE(added.contains("result")) << added.dump();
    auto const files = torrent_files(host, torrent.info_hash, 10s);
    ASSERT_EQ(files.value("files", json::array()).size(), 1u) << seed->output();
    auto const [port, target] = split_url(files["files"][0]["streamUrl"]);
    auto const head = http_get(port, target, {{"Range", "bytes=0-16383"}});
    auto const elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    EXPECT_EQ(head.status, 206);
    EXPECT_EQ(head.body, content.substr(0, 16384));
    EXPECT_LT(elapsed, 2500ms) << "the first byte came after " << elapsed.count()
                               << " ms, as if a uTP connect timed out first";
    std::printf("first byte from a TCP-only seed %lld ms after torrent.add\n",
                static_cast<long long>(elapsed.count()));
}

TEST_F(interop_fixture, HostSeedsAriaDownloads) {
    auto const aria2c = tool("aria2c");
    ASSERT_FALSE(aria2c.empty());
    auto const content = make_file(dir / "seed" / "film.mp4", 16 * 1024 * 1024 + 999, 8);
    auto const torrent = make_torrent(dir / "seed" / "film.mp4", 256 * 1024, {}, torrent_kind::v1_only);
    write_file(dir / "film.torrent", torrent.bytes);

    host_process host(world);
    greet(host);
    auto const peer_port = seed_torrent(host, torrent, dir / "seed");
    ASSERT_GT(peer_port, 0);

    // aria2c takes no peer address for a .torrent, but it asks any tracker it is given.
    mini_tracker tracker;
    tracker.add_peer("127.0.0.1", peer_port);
    auto args = aria2c_args(free_port(), dir / "aria-dl");
    for (std::string a : {"--bt-tracker=" + tracker.announce_url(), std::string("--seed-time=0")}) {
        args.push_back(a);
    }
    args.push_back((dir / "film.torrent").string());
    third_party_process leech(aria2c, args, dir / "aria2c.log", dir.path());
    auto const code = leech.wait_exit(60s);
    ASSERT_TRUE(code.has_value()) << "aria2c did not finish within 60 s; the host says "
                                  << torrent_status(host, torrent.info_hash).dump() << "\ntracker saw:\n"
                                  << tracker.announces() << leech.output();
    EXPECT_EQ(*code, 0) << leech.output();
    EXPECT_EQ(sha256_hex(slurp(dir / "aria-dl" / "film.mp4")), sha256_hex(content)) << leech.output();
}

// transmission-cli keeps everything in its config folder; a fresh one per run, written before it starts,
// keeps it on loopback with no way of finding peers but being dialled.
void write_transmission_settings(std::filesystem::path const& config_dir,
                                 std::filesystem::path const& download_dir, int peer_port) {
    json const settings = {
        {"bind-address-ipv4", "127.0.0.1"},
        {"blocklist-enabled", false},
        {"dht-enabled", false},
        {"download-dir", download_dir.string()},
        {"encryption", 0}, // "tolerated": plain connections are fine on loopback
        {"incomplete-dir-enabled", false},
        {"lpd-enabled", false},
        {"message-level", 2},
        {"peer-port", peer_port},
        {"peer-port-random-on-start", false},
        {"pex-enabled", false},
        {"port-forwarding-enabled", false},
        {"preallocation", 0},
        {"rename-partial-files", false},
        {"rpc-enabled", false},
        {"speed-limit-down-enabled", false},
        {"speed-limit-up-enabled", false},
        {"start-added-torrents", true},
        {"utp-enabled", false},
    };
    write_file(config_dir / "settings.json", settings.dump(4));
}

// transmission-cli 3.00 cannot take part in a hybrid torrent in any form: its bencode reader rejects the
// empty dictionary key that every BEP 52 "file tree" holds, so it fails to open such a .torrent and,
// given a magnet, fetches and checks the info dictionary but never parses it ("metainfo parsed 0"). The
// torrent here is v1 only. Nor does it connect to peers a tracker names on 127.0.0.0/8 (it drops them as
// unroutable), so the host dials it: a second add of the torrent by a magnet whose x.pe names it.
TEST_F(interop_fixture, TransmissionDownloadsFromTheHost) {
    auto const transmission = tool("transmission-cli");
    ASSERT_FALSE(transmission.empty());
    std::vector<std::pair<std::string, std::string>> const contents = {
        {"one.flac", make_file(dir / "seed" / "album" / "one.flac", 5 * 1024 * 1024 + 1234, 11)},
        {"two.flac", make_file(dir / "seed" / "album" / "two.flac", 3 * 1024 * 1024 + 77, 12)},
    };
    auto const torrent = make_torrent(dir / "seed" / "album", 256 * 1024, {}, torrent_kind::v1_only);
    write_file(dir / "album.torrent", torrent.bytes);

    host_process host(world);
    greet(host);
    ASSERT_GT(seed_torrent(host, torrent, dir / "seed"), 0);

    auto const config_dir = dir / "transmission";
    auto const download_dir = dir / "transmission-dl";
    std::filesystem::create_directories(download_dir);
    auto const port = free_port();
    write_transmission_settings(config_dir, download_dir, port);
    third_party_process leech(transmission,
                              {"-g", config_dir.string(), "-w", download_dir.string(), "-p",
                               std::to_string(port), "-et", "-M", "-D", "-U",
                               (dir / "album.torrent").string()},
                              dir / "transmission.log", dir.path());
    ASSERT_TRUE(wait_for_listener(port, 10s)) << "transmission-cli does not listen" << leech.output();
    // As with aria2c: the torrent is loaded a moment after the port opens.
    std::this_thread::sleep_for(1s);

    auto const magnet =
        "magnet:?xt=urn:btih:" + torrent.info_hash + "&x.pe=127.0.0.1:" + std::to_string(port);
    auto const complete = [&] {
        for (auto const& [name, bytes] : contents) {
            auto const path = download_dir / "album" / name;
            std::error_code ec;
            if (std::filesystem::file_size(path, ec) != bytes.size() || ec ||
                sha256_hex(slurp(path)) != sha256_hex(bytes)) {
                return false;
            }
        }
        return true;
    };
    // transmission-cli never exits by itself; it is done when every file holds the right bytes.
    auto const started = std::chrono::steady_clock::now();
    int dials = 0;
    bool const done = dial_until(
        host, torrent.info_hash, magnet, [&] { return complete() || !leech.running(); }, 90s, dials);
    EXPECT_TRUE(done && complete()) << "transmission-cli did not download the torrent within 90 s (" << dials
                                    << " dials); the host says "
                                    << torrent_status(host, torrent.info_hash).dump() << leech.output();
    EXPECT_TRUE(leech.running()) << "transmission-cli quit" << leech.output();
    std::printf("transmission-cli downloaded the torrent in %lld ms after %d dial(s)\n",
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - started)
                                           .count()),
                dials);
}

// The other way: transmission-cli seeds (it checks the files it finds, then serves them) and the host comes
// by a btih magnet naming it, as from an index that lists only the v1 hash.
TEST_F(interop_fixture, TransmissionSeedsHostStreamsFromABtihMagnet) {
    auto const transmission = tool("transmission-cli");
    ASSERT_FALSE(transmission.empty());
    auto const seed_dir = dir / "transmission-seed";
    auto const content = make_file(seed_dir / "clip" / "clip.webm", 5 * 1024 * 1024 + 321, 13);
    auto const torrent = make_torrent(seed_dir / "clip", 256 * 1024, {}, torrent_kind::v1_only);
    write_file(dir / "clip.torrent", torrent.bytes);
    auto const config_dir = dir / "transmission";
    auto const port = free_port();
    write_transmission_settings(config_dir, seed_dir, port);
    third_party_process seed(transmission,
                             {"-g", config_dir.string(), "-w", seed_dir.string(), "-p", std::to_string(port),
                              "-et", "-M", "-D", "-U", (dir / "clip.torrent").string()},
                             dir / "transmission.log", dir.path());
    ASSERT_TRUE(wait_for_listener(port, 10s)) << "transmission-cli does not listen" << seed.output();
    std::this_thread::sleep_for(1s); // it checks the files after it listens

    host_world shipped(shipped_peer_settings);
    host_process host(shipped);
    greet(host);
    auto const magnet =
        "magnet:?xt=urn:btih:" + torrent.info_hash + "&x.pe=127.0.0.1:" + std::to_string(port);
    ASSERT_TRUE(
        host.call("torrent.add", {{"uri", magnet}, {"savePath", (shipped.data_dir() / "dl").string()}})
            .contains("result"));
    int dials = 1;
    auto const files = files_by_dialling(host, torrent.info_hash, magnet, 30s, dials);
    ASSERT_FALSE(files.contains("metadataPending"))
        << "no metadata from transmission-cli (" << dials
        << " dials): " << torrent_status(host, torrent.info_hash).dump() << seed.output();
    ASSERT_EQ(files["files"].size(), 1u) << files.dump();
    // transmission-cli chokes a new peer for 4-20 s and then sends ~14 MB/s: the stream is read once the host
    // has it all, so that its read timeout measures the host, not transmission's unchoke round.
    json status;
    ASSERT_TRUE(wait_until(
        [&] {
            status = torrent_status(host, torrent.info_hash);
            return status.value("progress", 0.0) == 1.0;
        },
        90s))
        << "the host did not get the file from transmission-cli within 90 s: " << status.dump()
        << seed.output();
    auto const [stream_port, target] = split_url(files["files"][0]["streamUrl"]);
    EXPECT_EQ(sha256_hex(http_get(stream_port, target).body), sha256_hex(content)) << seed.output();
}

// nginx serving `root` on 127.0.0.1:port. One process, no master and no workers: it runs as whoever runs
// the test, root or not, and SIGTERM to that one pid ends all of nginx. Every file it writes is inside
// `prefix`, none in /var.
std::string nginx_config(std::filesystem::path const& prefix, std::filesystem::path const& root, int port) {
    std::string conf = R"(master_process off;
worker_processes 1;
pid @PREFIX@/nginx.pid;
error_log @PREFIX@/error.log info;
events { worker_connections 64; }
http {
    access_log @PREFIX@/access.log;
    client_body_temp_path @PREFIX@/tmp/body;
    proxy_temp_path @PREFIX@/tmp/proxy;
    fastcgi_temp_path @PREFIX@/tmp/fastcgi;
    uwsgi_temp_path @PREFIX@/tmp/uwsgi;
    scgi_temp_path @PREFIX@/tmp/scgi;
    default_type application/octet-stream;
    sendfile on;
    server {
        listen 127.0.0.1:@PORT@;
        root @ROOT@;
    }
}
)";
    for (auto const& [key, value] : {std::pair<std::string, std::string>{"@PREFIX@", prefix.string()},
                                     {"@ROOT@", root.string()},
                                     {"@PORT@", std::to_string(port)}}) {
        for (auto at = conf.find(key); at != std::string::npos; at = conf.find(key, at + value.size())) {
            conf.replace(at, key.size(), value);
        }
    }
    return conf;
}

TEST_F(interop_fixture, NginxWebSeedIsTheOnlySource) {
    auto const nginx = tool("nginx");
    ASSERT_FALSE(nginx.empty());
    std::vector<std::pair<std::string, std::string>> const contents = {
        {"show/episode1.mp4", make_file(dir / "www" / "show" / "episode1.mp4", 6 * 1024 * 1024 + 3, 21)},
        {"show/episode2.mp4", make_file(dir / "www" / "show" / "episode2.mp4", 2 * 1024 * 1024 + 5, 22)},
    };

    auto const port = free_port();
    auto const prefix = dir / "nginx";
    std::filesystem::create_directories(prefix / "tmp");
    write_file(prefix / "nginx.conf", nginx_config(prefix, dir / "www", port));
    third_party_process server(nginx,
                               {"-p", prefix.string() + "/", "-c", (prefix / "nginx.conf").string(), "-e",
                                (prefix / "error.log").string(), "-g", "daemon off;"},
                               dir / "nginx.log", dir.path());
    auto const server_output = [&] {
        return server.output() + "error.log:\n" + slurp(prefix / "error.log").substr(0, 3000) +
               "access.log:\n" + slurp(prefix / "access.log").substr(0, 3000);
    };
    ASSERT_TRUE(wait_for_listener(port, 10s)) << "nginx does not listen" << server_output();
    // Told apart from a host failure: the web seed itself serves the file.
    ASSERT_EQ(http_get(port, "/show/episode2.mp4").body, contents[1].second) << server_output();

    // BEP 19: for a multi-file torrent the URL names the folder that holds the torrent's own folder.
    auto const torrent =
        make_torrent(dir / "www" / "show", 256 * 1024, {"http://127.0.0.1:" + std::to_string(port) + "/"});
    host_process host(world);
    greet(host);
    auto const added = host.call("torrent.add", {{"torrent", base64(torrent.bytes)},
                                                 {"savePath", (world.data_dir() / "dl").string()}});
    ASSERT_TRUE(added.contains("result")) << added.dump();
    json status;
    ASSERT_TRUE(wait_until(
        [&] {
            status = torrent_status(host, torrent.info_hash);
            return status.value("progress", 0.0) == 1.0;
        },
        60s))
        << "the host did not download from the web seed within 60 s: " << status.dump() << server_output();

    auto const files = torrent_files(host, torrent.info_hash)["files"];
    ASSERT_EQ(files.size(), contents.size()) << files.dump();
    for (auto const& f : files) {
        auto const path = f["path"].get<std::string>();
        auto const it =
            std::find_if(contents.begin(), contents.end(), [&](auto const& c) { return c.first == path; });
        ASSERT_NE(it, contents.end()) << path;
        auto const [stream_port, target] = split_url(f["streamUrl"].get<std::string>());
        auto const reply = http_get(stream_port, target);
        EXPECT_EQ(reply.status, 200) << path;
        EXPECT_EQ(sha256_hex(reply.body), sha256_hex(it->second)) << path;
    }
    // nginx saw the host's requests for pieces: the bytes came from the web seed, there being no peer.
    auto const access = slurp(prefix / "access.log");
    EXPECT_NE(access.find("GET /show/episode1.mp4"), std::string::npos) << server_output();
}

} // namespace
} // namespace sluice::testing
