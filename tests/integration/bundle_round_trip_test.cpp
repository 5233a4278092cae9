// The whole life of a bundle with the real tools: sluice-bundle makes it, one host seeds it, a second host
// downloads it, redeems a token a gate would issue (from the keys file sluice-bundle wrote), streams the
// locked item byte for byte, and exports it.

#include "file_helpers.hpp"
#include "host_process.hpp"
#include "http_client.hpp"
#include "sandbox_dir.hpp"
#include "torrent_fixture.hpp"
#include "wait_until.hpp"

#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/unlock_token.hpp>

#include <boost/process.hpp>
#include <gtest/gtest.h>

#include <fstream>

namespace sluice::testing {
namespace {

namespace bp = boost::process;
namespace fs = std::filesystem;
using nlohmann::json;

// Runs sluice-bundle; returns its exit code and stdout.
std::pair<int, std::string> run_tool(std::vector<std::string> args) {
    bp::ipstream out;
    bp::child child(SLUICE_BUNDLE_PATH, bp::args(args), bp::std_out > out, bp::std_err > bp::null);
    std::string text((std::istreambuf_iterator<char>(out)), {});
    child.wait();
    return {child.exit_code(), text};
}

protocol::signing_keypair load_signing_key(fs::path const& file) {
    auto const j = json::parse(read_file(file));
    auto const secret = protocol::from_base64(j.at("secretKey").get<std::string>()).value();
    protocol::signing_keypair keys;
    std::copy(secret.begin(), secret.end(), keys.secret_key.begin());
    keys.public_key = protocol::decode_public_key("ed25519", j.at("publicKey").get<std::string>()).value();
    return keys;
}

// What a gate does with a keys file: grant the items of one gate, sealed to the asking host's device key.
std::string gate_token(fs::path const& keys_file, protocol::signing_keypair const& gate_key,
                       std::string const& gate, std::array<unsigned char, 32> const& device) {
    auto const keys = json::parse(read_file(keys_file));
    protocol::unlock_grant grant;
    grant.token_id = protocol::generate_token_id();
    grant.bundle_id = keys.at("bundleId").get<std::string>();
    grant.bundle_version = keys.at("version").get<std::uint64_t>();
    grant.grantee = {protocol::grantee_kind::email, "viewer@example.org"};
    grant.issued_at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    for (auto const& item : keys.at("items")) {
        if (item.at("gate") == gate) {
            auto const raw = protocol::from_base64(item.at("key").get<std::string>()).value();
            protocol::item_key key{};
            std::copy(raw.begin(), raw.end(), key.begin());
            grant.items.emplace_back(item.at("path").get<std::string>(), key);
        }
    }
    return protocol::issue_unlock_token(protocol::seal_unlock_grant(grant, device), gate_key);
}

TEST(BundleRoundTrip, CreatedSeededDownloadedUnlockedStreamedAndExported) {
    sandbox_dir work;
    auto const source = work / "source";
    auto const film = make_file(source / "film.webm", 2 * 1024 * 1024 + 333, 11);
    auto const episode = make_file(source / "episode.webm", 5 * 1024 * 1024 + 77, 12);
    auto const booklet = make_file(source / "booklet.pdf", 300 * 1024, 13);

    ASSERT_EQ(run_tool({"keygen", "--out", (work / "publisher.key").string(), "--quiet"}).first, 0);
    auto const [gate_status, gate_public] =
        run_tool({"keygen", "--out", (work / "gate.key").string(), "--quiet"});
    ASSERT_EQ(gate_status, 0);
    json const spec = {
        {"format", "sluice-bundle-spec/1"},
        {"id", "round-trip"},
        {"version", 1},
        {"title", "Round Trip"},
        {"creator", "Test Studio"},
        {"gateUrl", "http://127.0.0.1:9/"},
        {"gateKeys", {gate_public.substr(0, gate_public.find_last_not_of("\n") + 1)}},
        {"items",
         {{{"source", "film.webm"}, {"access", "free"}},
          {{"source", "episode.webm"}, {"access", "locked"}, {"gate", "email"}},
          {{"source", "booklet.pdf"}, {"access", "locked"}, {"gate", "pay"}}}},
        {"gates", {{"email", json::object()}, {"pay", {{"minimum", 100}, {"currency", "EUR"}}}}}};
    std::ofstream(source / "spec.json") << spec.dump(4);
    auto const dist = work / "dist";
    auto const [create_status, magnet_out] =
        run_tool({"create", (source / "spec.json").string(), "--key", (work / "publisher.key").string(),
                  "--out", dist.string(), "--quiet"});
    ASSERT_EQ(create_status, 0);
    ASSERT_NE(magnet_out.find("magnet:?xt="), std::string::npos) << magnet_out;
    ASSERT_EQ(run_tool({"verify", (dist / "round-trip").string(), "--quiet"}).first, 0);

    // The first host seeds what sluice-bundle wrote: the data is checked and found complete.
    host_world seeder_world;
    host_process seeder(seeder_world);
    auto const torrent_bytes = read_file(dist / "round-trip.torrent");
    auto const added = seeder.call(
        "torrent.add", {{"torrent", protocol::to_base64(torrent_bytes)}, {"savePath", dist.string()}});
    ASSERT_TRUE(added.contains("result")) << added.dump();
    auto const hash = added["result"]["infoHash"].get<std::string>();
    ASSERT_TRUE(wait_until([&] {
        auto const list = seeder.call("torrent.list");
        return list["result"]["torrents"][0]["state"] == "seeding";
    }));
    EXPECT_TRUE(wait_until([&] {
        return seeder.call("bundle.get", {{"infoHash", hash}})["result"]["status"] == "verified";
    }));
    auto const seeder_port = seeder.call("settings.get")["result"]["peerPort"].get<int>();

    // The second host downloads it from the first.
    host_world viewer_world;
    host_process viewer(viewer_world);
    auto const magnet =
        magnet_out.substr(0, magnet_out.find('\n')) + "&x.pe=127.0.0.1:" + std::to_string(seeder_port);
    ASSERT_TRUE(
        viewer.call("torrent.add", {{"uri", magnet}, {"savePath", (viewer_world.data_dir() / "dl").string()}})
            .contains("result"));
    json bundle;
    ASSERT_TRUE(wait_until([&] {
        bundle = viewer.call("bundle.get", {{"infoHash", hash}}).value("result", json());
        return bundle.is_object() && bundle["status"] == "verified";
    })) << bundle.dump();

    auto const device =
        protocol::decode_public_key("x25519",
                                    viewer.call("bundle.deviceKey")["result"]["deviceKey"].get<std::string>())
            .value();
    auto const token =
        gate_token(dist / "round-trip.keys.json", load_signing_key(work / "gate.key"), "email", device);
    auto const redeemed = viewer.call("bundle.redeem", {{"token", token}});
    ASSERT_TRUE(redeemed.contains("result")) << redeemed.dump();
    EXPECT_EQ(redeemed["result"]["items"], json::array({"episode.webm.locked"}));

    bundle = viewer.call("bundle.get", {{"infoHash", hash}})["result"];
    json locked_episode, locked_booklet;
    for (auto const& item : bundle["items"]) {
        if (item["path"] == "episode.webm.locked") {
            locked_episode = item;
        } else if (item["path"] == "booklet.pdf.locked") {
            locked_booklet = item;
        }
    }
    ASSERT_TRUE(locked_episode.contains("streamUrl")) << bundle.dump();
    EXPECT_FALSE(locked_booklet.contains("streamUrl")); // the pay gate's item stays locked
    auto const [port, target] = split_url(locked_episode["streamUrl"]);
    auto const whole = http_get(port, target);
    EXPECT_EQ(whole.status, 200);
    EXPECT_EQ(sha256_hex(whole.body), sha256_hex(episode));
    auto const seek = http_get(port, target, {{"Range", "bytes=3000000-3999999"}});
    EXPECT_EQ(seek.status, 206);
    EXPECT_EQ(seek.body, episode.substr(3000000, 1000000));

    ASSERT_TRUE(wait_until([&] {
        auto const list = viewer.call("torrent.list");
        return list["result"]["torrents"][0]["progress"] == 1.0;
    }));
    auto const destination = viewer_world.data_dir() / "episode.webm";
    auto const exported = viewer.call(
        "bundle.export",
        {{"infoHash", hash}, {"path", "episode.webm.locked"}, {"destination", destination.string()}});
    ASSERT_TRUE(exported.contains("result")) << exported.dump();
    EXPECT_EQ(read_file(destination), episode);

    // The free film played all along, and the booklet's ciphertext never left the host in plaintext.
    for (auto const& item : bundle["items"]) {
        if (item["path"] == "film.webm") {
            auto const [film_port, film_target] = split_url(item["streamUrl"]);
            EXPECT_EQ(sha256_hex(http_get(film_port, film_target).body), sha256_hex(film));
        }
    }
    auto const files = viewer.call("torrent.files", {{"infoHash", hash}})["result"]["files"];
    for (auto const& f : files) {
        if (f["path"].get<std::string>().ends_with("booklet.pdf.locked")) {
            auto const [booklet_port, booklet_target] = split_url(f["streamUrl"]);
            auto const refused = http_get(booklet_port, booklet_target);
            EXPECT_EQ(refused.status, 403);
            EXPECT_EQ(refused.body.find(booklet.substr(0, 64)), std::string::npos);
        }
    }
}

} // namespace
} // namespace sluice::testing
