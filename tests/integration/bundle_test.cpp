#include "bundle_fixture.hpp"
#include "expect_schema.hpp"
#include "file_helpers.hpp"
#include "host_process.hpp"
#include "http_client.hpp"
#include "torrent_fixture.hpp"
#include "torrent_queries.hpp"
#include "wait_until.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>

namespace sluice::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// A host, and bundles seeded from loopback.
struct bundle_fixture : ::testing::Test {
    host_world world;
    sandbox_dir seed_dir;
    std::vector<std::unique_ptr<loopback_seed>> seeds;

    std::string add(host_process& host, test_bundle const& b) {
        return add_seeded_folder(host, world, b.folder, seeds);
    }

    // Waits for the bundle's verdict and returns bundle.get's result.
    json settled(host_process& host, std::string const& hash) {
        json result;
        EXPECT_TRUE(wait_until([&] {
            result = host.call("bundle.get", {{"infoHash", hash}}).value("result", json());
            return result.is_object() && result["status"] != "fetching";
        })) << result.dump();
        expect_schema(result, "bundle.get.result");
        return result;
    }

    std::array<unsigned char, 32> device(host_process& host) {
        return parse_device_key(host.call("bundle.deviceKey")["result"]["deviceKey"]);
    }

    json item_of(json const& bundle, std::string const& path) {
        for (auto const& item : bundle["items"]) {
            if (item["path"] == path) {
                return item;
            }
        }
        ADD_FAILURE() << "no item " << path;
        return {};
    }

    bool finished(host_process& host, std::string const& hash) {
        auto const reply = host.call("torrent.list");
        for (auto const& t : reply["result"]["torrents"]) {
            if (t["infoHash"] == hash) {
                return t["progress"] == 1.0;
            }
        }
        return false;
    }
};

TEST_F(bundle_fixture, ABundleIsVerifiedAndDescribed) {
    auto const b = test_bundle::make(seed_dir.path());
    host_process host(world);
    auto const hash = add(host, b);
    auto const bundle = settled(host, hash);
    EXPECT_EQ(bundle["status"], "verified");
    EXPECT_EQ(bundle["signature"], "valid");
    EXPECT_EQ(bundle["bundleId"], "night-watch");
    EXPECT_EQ(bundle["version"], 1);
    EXPECT_EQ(bundle["title"], "Night Watch");
    ASSERT_EQ(bundle["items"].size(), 3u);
    auto const pilot = item_of(bundle, "pilot.webm");
    EXPECT_EQ(pilot["access"], "free");
    EXPECT_TRUE(pilot.contains("streamUrl"));
    EXPECT_EQ(pilot["subtitles"][0]["lang"], "en");
    auto const episode = item_of(bundle, "episode-1.webm.locked");
    EXPECT_EQ(episode["access"], "locked");
    EXPECT_EQ(episode["gate"], "email");
    EXPECT_EQ(episode["unlocked"], false);
    EXPECT_FALSE(episode.contains("streamUrl"));
    EXPECT_EQ(bundle["gates"]["pay"]["minimum"], 300);
    EXPECT_TRUE(wait_until([&] {
        host.call("host.hello");
        return host.saw_event("bundle.verified", hash);
    }));

    // The free item streams as it is; its subtitles too.
    auto const [port, target] = split_url(pilot["streamUrl"]);
    EXPECT_EQ(http_get(port, target).body, b.plaintext.at("pilot.webm"));
    auto const [sport, starget] = split_url(pilot["subtitles"][0]["streamUrl"]);
    EXPECT_NE(http_get(sport, starget).body.find("WEBVTT"), std::string::npos);

    // torrent.files lists the locked item as it streams, with its stored size beside.
    auto const files = host.call("torrent.files", {{"infoHash", hash}})["result"];
    expect_schema(files, "torrent.files.result");
    auto const listed = std::find_if(files["files"].begin(), files["files"].end(), [](json const& f) {
        return f["path"].get<std::string>().ends_with("episode-1.webm.locked");
    });
    ASSERT_NE(listed, files["files"].end()) << files.dump();
    EXPECT_EQ((*listed)["size"], b.plaintext.at("episode-1.webm.locked").size());
    EXPECT_EQ((*listed)["storedSize"], std::filesystem::file_size(b.folder / "episode-1.webm.locked"));
    EXPECT_EQ((*listed)["mime"], "video/webm");

    // A torrent that is no bundle is said to be none.
    auto const reply = host.call("bundle.get", {{"infoHash", std::string(40, 'a')}});
    EXPECT_EQ(reply["error"]["code"], 1003) << reply.dump();
}

TEST_F(bundle_fixture, ALockedItemIsNeverServedBeforeAnUnlock) {
    auto const b = test_bundle::make(seed_dir.path());
    host_process host(world);
    auto const hash = add(host, b);
    settled(host, hash);
    auto const files = host.call("torrent.files", {{"infoHash", hash}})["result"]["files"];
    for (auto const& f : files) {
        if (f["path"].get<std::string>().ends_with(".locked")) {
            auto const [port, target] = split_url(f["streamUrl"]);
            auto const reply = http_get(port, target);
            EXPECT_EQ(reply.status, 403) << f["path"];
            EXPECT_TRUE(reply.body.find("locked") != std::string::npos) << reply.body;
        }
    }
    auto const exported =
        host.call("bundle.export", {{"infoHash", hash},
                                    {"path", "episode-1.webm.locked"},
                                    {"destination", (world.data_dir() / "episode.webm").string()}});
    EXPECT_EQ(exported["error"]["code"], 1104) << exported.dump();
    EXPECT_FALSE(fs::exists(world.data_dir() / "episode.webm"));
}

TEST_F(bundle_fixture, ARedeemedTokenUnlocksStreamsAndExportsTheItem) {
    auto const b = test_bundle::make(seed_dir.path());
    host_process host(world);
    auto const hash = add(host, b);
    settled(host, hash);
    auto const token = b.token_for(device(host), {"episode-1.webm.locked"});
    auto const redeemed = host.call("bundle.redeem", {{"token", token}});
    ASSERT_TRUE(redeemed.contains("result")) << redeemed.dump();
    expect_schema(redeemed["result"], "bundle.redeem.result");
    EXPECT_EQ(redeemed["result"]["bundleId"], "night-watch");
    EXPECT_EQ(redeemed["result"]["items"], json::array({"episode-1.webm.locked"}));
    EXPECT_TRUE(wait_until([&] {
        host.call("host.hello");
        return host.saw_event("bundle.unlocked", hash);
    }));

    for (auto const& e : host.events) {
        if (e["method"] == "bundle.unlocked" || e["method"] == "bundle.verified") {
            expect_schema(e["params"], e["method"].get<std::string>() + ".event");
        }
    }
    auto const bundle = host.call("bundle.get", {{"infoHash", hash}})["result"];
    expect_schema(bundle, "bundle.get.result");
    auto const episode = item_of(bundle, "episode-1.webm.locked");
    EXPECT_EQ(episode["unlocked"], true);
    EXPECT_EQ(item_of(bundle, "booklet.pdf.locked")["unlocked"], false); // not in this token
    ASSERT_TRUE(episode.contains("streamUrl"));

    // Streamed decrypted, with ranges, at the item's plaintext size.
    auto const& plain = b.plaintext.at("episode-1.webm.locked");
    auto const [port, target] = split_url(episode["streamUrl"]);
    auto const whole = http_get(port, target);
    EXPECT_EQ(whole.status, 200);
    EXPECT_EQ(whole.header("content-length"), std::to_string(plain.size()));
    EXPECT_EQ(whole.header("content-type"), "video/webm");
    EXPECT_EQ(sha256_hex(whole.body), sha256_hex(plain));
    for (auto const& [first, last] : std::vector<std::pair<std::size_t, std::size_t>>{
             {0, 0}, {65535, 65536}, {100000, 300000}, {plain.size() - 10, plain.size() - 1}}) {
        auto const part = http_get(
            port, target, {{"Range", "bytes=" + std::to_string(first) + "-" + std::to_string(last)}});
        EXPECT_EQ(part.status, 206);
        EXPECT_EQ(part.header("content-range"), "bytes " + std::to_string(first) + "-" +
                                                    std::to_string(last) + "/" +
                                                    std::to_string(plain.size()));
        EXPECT_EQ(part.body, plain.substr(first, last - first + 1)) << first;
    }
    auto const suffix = http_get(port, target, {{"Range", "bytes=-5000"}});
    EXPECT_EQ(suffix.body, plain.substr(plain.size() - 5000));
    auto const beyond = http_get(port, target, {{"Range", "bytes=" + std::to_string(plain.size()) + "-"}});
    EXPECT_EQ(beyond.status, 416);

    // Exported as the original file; a second export to the same name refuses to overwrite.
    ASSERT_TRUE(wait_until([&] { return finished(host, hash); })) << host.call("torrent.list").dump();
    auto const destination = world.data_dir() / "episode-1.webm";
    auto const exported = host.call(
        "bundle.export",
        {{"infoHash", hash}, {"path", "episode-1.webm.locked"}, {"destination", destination.string()}});
    ASSERT_TRUE(exported.contains("result")) << exported.dump();
    expect_schema(exported["result"], "bundle.export.result");
    EXPECT_EQ(exported["result"]["bytes"], plain.size());
    EXPECT_EQ(read_file(destination), plain);
    auto const again = host.call(
        "bundle.export",
        {{"infoHash", hash}, {"path", "episode-1.webm.locked"}, {"destination", destination.string()}});
    EXPECT_EQ(again["error"]["code"], 1106) << again.dump();
    EXPECT_EQ(read_file(destination), plain);
    // Free items export too, checked against the manifest's hash.
    auto const free_copy = world.data_dir() / "pilot.webm";
    auto const exported_free = host.call(
        "bundle.export", {{"infoHash", hash}, {"path", "pilot.webm"}, {"destination", free_copy.string()}});
    ASSERT_TRUE(exported_free.contains("result")) << exported_free.dump();
    EXPECT_EQ(read_file(free_copy), b.plaintext.at("pilot.webm"));
    // Missing folders are made inside the download folder only (one of the test's own, not the user's).
    auto const set =
        host.call("settings.set", {{"downloadFolder", (world.data_dir() / "downloads").string()}});
    ASSERT_TRUE(set.contains("result")) << set.dump();
    std::filesystem::path const downloads = set["result"].value("downloadFolder", "");
    ASSERT_EQ(downloads, world.data_dir() / "downloads") << set.dump();
    auto const nested = downloads / "Sluice exports" / "demo" / "pilot.webm";
    auto const exported_nested = host.call(
        "bundle.export", {{"infoHash", hash}, {"path", "pilot.webm"}, {"destination", nested.string()}});
    ASSERT_TRUE(exported_nested.contains("result")) << exported_nested.dump();
    EXPECT_EQ(read_file(nested), b.plaintext.at("pilot.webm"));
    auto const outside = world.data_dir() / "not-made" / "deeper" / "pilot.webm";
    auto const escaping = downloads / ".." / "escaped" / "pilot.webm";
    for (auto const& refused : {outside, escaping}) {
        auto const answer = host.call(
            "bundle.export", {{"infoHash", hash}, {"path", "pilot.webm"}, {"destination", refused.string()}});
        EXPECT_EQ(answer["error"]["code"], -32602) << answer.dump();
        EXPECT_FALSE(std::filesystem::exists(refused.parent_path().lexically_normal())) << refused;
    }
}

TEST_F(bundle_fixture, UnlocksSurviveARestart) {
    auto const b = test_bundle::make(seed_dir.path());
    std::string hash;
    {
        host_process host(world);
        hash = add(host, b);
        settled(host, hash);
        ASSERT_TRUE(host.call("bundle.redeem", {{"token", b.token_for(device(host))}}).contains("result"));
        EXPECT_TRUE(host.kill_owner());
    }
    host_process host(world);
    auto const bundle = settled(host, hash);
    EXPECT_EQ(bundle["status"], "verified");
    EXPECT_EQ(item_of(bundle, "episode-1.webm.locked")["unlocked"], true);
    EXPECT_EQ(item_of(bundle, "booklet.pdf.locked")["unlocked"], true);
    auto const [port, target] = split_url(item_of(bundle, "booklet.pdf.locked")["streamUrl"]);
    EXPECT_EQ(http_get(port, target).body, b.plaintext.at("booklet.pdf.locked"));
}

TEST_F(bundle_fixture, TokensThatDoNotFitAreRefusedWithTheReason) {
    auto const b = test_bundle::make(seed_dir.path());
    host_process host(world);
    auto const hash = add(host, b);
    settled(host, hash);
    auto const me = device(host);
    auto const problem_of = [&](std::string const& token) {
        auto const reply = host.call("bundle.redeem", {{"token", token}});
        EXPECT_EQ(reply["error"]["code"], 1102) << reply.dump();
        return reply["error"]["data"].value("problem", "");
    };
    auto const stranger = protocol::generate_signing_keypair();
    EXPECT_EQ(problem_of(b.token_for(me, {}, std::nullopt, &stranger)), "untrusted_gate_key");
    EXPECT_EQ(problem_of(b.token_for(me, {}, std::nullopt, nullptr, "another-bundle")), "wrong_bundle");
    auto const past = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) - 1h;
    EXPECT_EQ(problem_of(b.token_for(me, {}, past)), "expired");
    EXPECT_EQ(problem_of(b.token_for(protocol::generate_box_keypair().public_key)), "wrong_device");
    auto token = json::parse(b.token_for(me));
    auto signature = protocol::from_base64(token["signature"].get<std::string>()).value();
    signature[3] ^= 1;
    token["signature"] = protocol::to_base64(signature);
    EXPECT_EQ(problem_of(token.dump()), "bad_signature");
    EXPECT_EQ(problem_of("{\"format\":"), "malformed");
    EXPECT_EQ(host.call("bundle.redeem", {{"token", std::string(70000, 'x')}})["error"]["code"], -32602);

    // Nothing was unlocked by any of them.
    auto const bundle = host.call("bundle.get", {{"infoHash", hash}})["result"];
    EXPECT_EQ(item_of(bundle, "episode-1.webm.locked")["unlocked"], false);
    EXPECT_EQ(host.call("bundle.redeem", {{"token", 42}})["error"]["code"], -32602);
}

TEST_F(bundle_fixture, ABadSignatureIsRefusedAndNothingUnlocks) {
    auto b = test_bundle::make(seed_dir.path());
    auto sig = read_file(b.folder / "bundle.sig");
    sig[0] ^= 1;
    b.write_signature(sig);
    host_process host(world);
    auto const hash = add(host, b);
    auto const bundle = settled(host, hash);
    EXPECT_EQ(bundle["status"], "refused");
    EXPECT_NE(bundle["error"].get<std::string>().find("changed after it was signed"), std::string::npos);
    EXPECT_FALSE(bundle.contains("items"));
    host.call("host.hello");
    EXPECT_TRUE(std::any_of(host.events.begin(), host.events.end(), [&](json const& e) {
        return e["method"] == "torrent.error" && e["params"]["kind"] == "bundle" &&
               e["params"]["infoHash"] == hash;
    }));
    auto const reply = host.call("bundle.redeem", {{"token", b.token_for(device(host))}});
    EXPECT_EQ(reply["error"]["code"], 1101) << reply.dump();
}

TEST_F(bundle_fixture, AManifestThatDoesNotMatchTheTorrentIsRefused) {
    auto b = test_bundle::make(seed_dir.path());
    b.manifest.items[0].size += 1; // signed, but the file in the torrent is one byte shorter
    b.write_manifest();
    host_process host(world);
    auto const bundle = settled(host, add(host, b));
    EXPECT_EQ(bundle["status"], "refused");
    EXPECT_NE(bundle["error"].get<std::string>().find("pilot.webm"), std::string::npos) << bundle.dump();
}

// A copy of a signed bundle with bundle.json and bundle.sig intact and one file changed (another torrent,
// another info-hash) is refused as soon as its file tree is known: nothing of it is the publisher's.
TEST_F(bundle_fixture, AnAlteredCopyOfASignedBundleIsRefusedByItsFileRoots) {
    struct alteration {
        std::string name;
        std::function<void(test_bundle&)> apply;
        std::string names; // what the refusal must name
    };
    std::vector<alteration> const alterations{
        {"a changed free item",
         [](test_bundle& b) {
             auto bytes = read_file(b.folder / "pilot.webm");
             bytes[4096] ^= 0x01;
             write_file(b.folder / "pilot.webm", bytes);
         },
         "pilot.webm is not the file bundle.json signs"},
        {"changed subtitles",
         [](test_bundle& b) {
             write_file(b.folder / "pilot.en.vtt", "WEBVTT\n\n00:00.000 --> 00:02.000\nHellO\n");
         },
         "pilot.en.vtt is not the file bundle.json signs"},
        {"a file added", [](test_bundle& b) { write_file(b.folder / "bonus.webm", "more"); },
         "bonus.webm, which bundle.json does not sign"},
        {"a file removed", [](test_bundle& b) { std::filesystem::remove(b.folder / "pilot.en.vtt"); },
         "pilot.en.vtt, which the torrent does not hold"},
    };
    host_process host(world);
    for (std::size_t i = 0; i < alterations.size(); ++i) {
        SCOPED_TRACE(alterations[i].name);
        auto b = test_bundle::make(seed_dir.path() / std::to_string(i));
        alterations[i].apply(b);
        host.events.clear();
        auto const hash = add(host, b);
        auto const bundle = settled(host, hash);
        EXPECT_EQ(bundle["status"], "refused") << bundle.dump();
        EXPECT_NE(bundle.value("error", "").find(alterations[i].names), std::string::npos) << bundle.dump();
        EXPECT_TRUE(wait_until([&] {
            host.call("torrent.list");
            return std::any_of(host.events.begin(), host.events.end(), [&](json const& e) {
                return e["method"] == "torrent.error" && e["params"]["kind"] == "bundle" &&
                       e["params"]["infoHash"] == hash &&
                       e["params"]["message"].get<std::string>().find(alterations[i].names) !=
                           std::string::npos;
            });
        }));
        EXPECT_FALSE(host.saw_event("bundle.verified", hash));
    }
}

TEST_F(bundle_fixture, AnOlderVersionOfAKnownBundleIsRefused) {
    sandbox_dir other_dir;
    auto newer = test_bundle::make(seed_dir.path(), "night-watch", 2);
    auto older = test_bundle::make(other_dir.path(), "night-watch", 1);
    older.publisher = newer.publisher;
    older.manifest.publisher_key = newer.publisher.public_key;
    older.write_manifest();
    host_process host(world);
    EXPECT_EQ(settled(host, add(host, newer))["status"], "verified");
    auto const refused = settled(host, add(host, older));
    EXPECT_EQ(refused["status"], "refused");
    EXPECT_NE(refused["error"].get<std::string>().find("older than version 2"), std::string::npos)
        << refused.dump();

    // Another publisher's key under a known id is refused as well, whatever its version.
    sandbox_dir third_dir;
    auto const impostor = test_bundle::make(third_dir.path(), "night-watch", 9);
    auto const refused_impostor = settled(host, add(host, impostor));
    EXPECT_EQ(refused_impostor["status"], "refused");
    EXPECT_NE(refused_impostor["error"].get<std::string>().find("another publisher key"), std::string::npos);
}

TEST_F(bundle_fixture, AChangedCiphertextByteFailsOnlyItsOwnRange) {
    auto b = test_bundle::make(seed_dir.path());
    // The publisher's file changed after encryption (a torrent made of it carries the change faithfully).
    auto const path = b.folder / "episode-1.webm.locked";
    auto bytes = read_file(path);
    std::size_t const chunk = 64 * 1024 + 16;
    auto const damaged_at = 64 + 5 * chunk + 100; // inside the sixth chunk
    bytes[damaged_at] ^= 0x40;
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    b.sign_stored_file("episode-1.webm.locked");
    host_process host(world);
    auto const hash = add(host, b);
    settled(host, hash);
    ASSERT_TRUE(host.call("bundle.redeem", {{"token", b.token_for(device(host))}}).contains("result"));
    auto const episode =
        item_of(host.call("bundle.get", {{"infoHash", hash}})["result"], "episode-1.webm.locked");
    auto const [port, target] = split_url(episode["streamUrl"]);
    auto const& plain = b.plaintext.at("episode-1.webm.locked");

    auto const before = http_get(port, target, {{"Range", "bytes=0-327679"}}); // chunks 0-4
    EXPECT_EQ(before.status, 206);
    EXPECT_EQ(before.body, plain.substr(0, 327680));
    auto const after = http_get(port, target, {{"Range", "bytes=393216-500000"}}); // from chunk 6
    EXPECT_EQ(after.body, plain.substr(393216, 500000 - 393216 + 1));
    // The damaged chunk: the response stops short instead of carrying garbage.
    auto const damaged = http_get(port, target, {{"Range", "bytes=327680-393215"}});
    EXPECT_FALSE(damaged.complete);
    EXPECT_EQ(damaged.body, "");
    // Across it, from the start: every byte before it arrives, and not one after, though the chunks after it
    // are decrypted beside it (on another thread) and authenticate.
    auto const across = http_get(port, target, {{"Range", "bytes=0-1048575"}});
    EXPECT_EQ(across.status, 206);
    EXPECT_FALSE(across.complete);
    EXPECT_EQ(across.body.size(), 327680u);
    EXPECT_EQ(across.body, plain.substr(0, 327680));

    ASSERT_TRUE(wait_until([&] { return finished(host, hash); })) << host.call("torrent.list").dump();
    auto const destination = world.data_dir() / "damaged.webm";
    auto const exported = host.call(
        "bundle.export",
        {{"infoHash", hash}, {"path", "episode-1.webm.locked"}, {"destination", destination.string()}});
    EXPECT_EQ(exported["error"]["code"], 1106);
    EXPECT_NE(exported["error"]["data"]["detail"].get<std::string>().find("chunk 5"), std::string::npos)
        << exported.dump();
    EXPECT_FALSE(fs::exists(destination));
    for (auto const& e : fs::directory_iterator(world.data_dir())) {
        EXPECT_EQ(e.path().filename().string().find(".partial"), std::string::npos) << e.path();
    }
}

} // namespace
} // namespace sluice::testing
