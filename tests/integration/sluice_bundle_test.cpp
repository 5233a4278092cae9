// sluice-bundle driven as a creator drives it: the real binary, its exit status, its stdout and stderr, and
// what it leaves on disk.

#include "child_wait.hpp"
#include "file_helpers.hpp"
#include "run_result.hpp"
#include "sandbox_dir.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/locked_item.hpp>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/io.hpp>
#include <gtest/gtest.h>
#include <libtorrent/torrent_info.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <random>
#include <sys/stat.h>
#include <thread>

namespace sluice::testing {
namespace {

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

unsigned mode_of(fs::path const& file) {
    struct stat st {};
    EXPECT_EQ(::stat(file.c_str(), &st), 0) << file;
    return st.st_mode & 07777;
}

std::set<std::string> listing(fs::path const& dir) {
    std::set<std::string> names;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        names.insert(it->path().lexically_relative(dir).generic_string());
    }
    return names;
}

void flip_byte(fs::path const& file, std::size_t offset) {
    auto bytes = read_file(file);
    ASSERT_LT(offset, bytes.size()) << file;
    bytes[offset] ^= 0x20;
    write_file(file, bytes);
}

class SluiceBundle : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(logs_);
        auto const publisher = run({"keygen", "--out", (dir_ / "publisher.key").string()});
        ASSERT_EQ(publisher.exit_code, 0) << publisher;
        auto const gate = run({"keygen", "--out", (dir_ / "gate.key").string(), "--quiet"});
        ASSERT_EQ(gate.exit_code, 0) << gate;
        gate_key_ = gate.out.substr(0, gate.out.find('\n'));

        sources_ = {
            {"pilot.webm", random_bytes(200 * 1024 + 3, 1)},
            {"subtitles/pilot.en.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"},
            {"episode-1.webm", random_bytes(150 * 1024 + 11, 2)},
            {"season/episode-2.webm", random_bytes(70 * 1024, 3)},
            {"booklet.pdf", random_bytes(5000, 4)},
            {"cover.jpg", random_bytes(3000, 5)},
        };
        for (auto const& [path, bytes] : sources_) {
            write_file(src_ / path, bytes);
        }
        spec_ = json::parse(R"({
            "format": "sluice-bundle-spec/1",
            "id": "les-veilleurs",
            "version": 1,
            "title": "Les Veilleurs",
            "creator": "Atelier Nuit",
            "description": "Six episodes.",
            "cover": "cover.jpg",
            "gateUrl": "https://gate.example.org/",
            "items": [
                {"source": "pilot.webm", "access": "free",
                 "subtitles": [{"lang": "en", "label": "English", "source": "subtitles/pilot.en.vtt"}]},
                {"source": "episode-1.webm", "access": "locked", "gate": "email"},
                {"source": "season/episode-2.webm", "access": "locked", "gate": "pledge"},
                {"source": "booklet.pdf", "access": "locked", "gate": "pay"}
            ],
            "gates": {
                "email": {"doubleOptIn": true},
                "pay": {"minimum": 300, "suggested": 800, "currency": "EUR"},
                "pledge": {"campaignId": "saison-2", "goalBackers": 250, "deadline": "2027-03-01T00:00:00Z",
                           "price": 1500, "currency": "EUR", "expectedDelivery": "2027-09-01",
                           "ifGoalMissed": "Nothing is charged."}
            },
            "trackers": ["udp://tracker.example.org:6969/announce"],
            "webSeeds": ["https://cdn.example.org/bundles"]
        })");
        spec_["gateKeys"] = json::array({gate_key_});
        write_spec();
    }

    void write_spec() { write_file(src_ / "spec.json", spec_.dump(4)); }

    run_result run(std::vector<std::string> const& args, std::chrono::seconds timeout = 120s) {
        auto const n = std::to_string(runs_++);
        auto const out = logs_ / ("out-" + n);
        auto const err = logs_ / ("err-" + n);
        bp::child child(SLUICE_BUNDLE_PATH, bp::args(args), bp::std_out > out.string(),
                        bp::std_err > err.string(), bp::std_in < bp::null);
        if (!wait_for_child(child, timeout)) {
            child.terminate();
            ADD_FAILURE() << "sluice-bundle " << (args.empty() ? "" : args.front()) << " did not finish in "
                          << timeout.count() << " s";
        }
        return {child.exit_code(), read_file(out), read_file(err)};
    }

    run_result create(std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"create", (src_ / "spec.json").string(),
                                      "--key",  (dir_ / "publisher.key").string(),
                                      "--out",  out_.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return run(args);
    }

    void create_ok() {
        auto const made = create();
        ASSERT_EQ(made.exit_code, 0) << made;
    }

    run_result verify(std::vector<std::string> args) {
        args.insert(args.begin(), "verify");
        return run(args);
    }

    json keys_file() const { return json::parse(read_file(out_ / "les-veilleurs.keys.json")); }

    protocol::item_key key_of(json const& keys, std::string const& path) const {
        for (auto const& item : keys.at("items")) {
            if (item.at("path") == path) {
                auto const raw = protocol::from_base64(item.at("key").get<std::string>());
                protocol::item_key key{};
                EXPECT_TRUE(raw && raw->size() == key.size());
                std::copy(raw->begin(), raw->end(), key.begin());
                return key;
            }
        }
        ADD_FAILURE() << "no key for " << path;
        return {};
    }

    fs::path bundle() const { return out_ / "les-veilleurs"; }
    std::string bundle_arg() const { return bundle().string(); }
    std::string keys_arg() const { return (out_ / "les-veilleurs.keys.json").string(); }
    std::string torrent_arg() const { return (out_ / "les-veilleurs.torrent").string(); }

    sandbox_dir dir_;
    fs::path src_ = dir_ / "src";
    fs::path out_ = dir_ / "out";
    fs::path logs_ = dir_ / "logs";
    std::map<std::string, std::string> sources_;
    std::string gate_key_;
    json spec_;
    int runs_ = 0;
};

TEST_F(SluiceBundle, KeygenWritesA0600KeyAndKeepsAnExistingOne) {
    auto const file = dir_ / "k.key";
    auto const first = run({"keygen", "--out", file.string()});
    ASSERT_EQ(first.exit_code, 0) << first;
    EXPECT_EQ(mode_of(file), 0600u);
    auto const text = read_file(file);
    auto const key = json::parse(text);
    EXPECT_EQ(key.at("format"), "sluice-signing-key/1");
    // stdout is the public key, the same as in the file.
    EXPECT_EQ(first.out, key.at("publicKey").get<std::string>() + "\n");
    EXPECT_TRUE(protocol::decode_public_key("ed25519", key.at("publicKey").get<std::string>()));
    EXPECT_EQ(protocol::from_base64(key.at("secretKey").get<std::string>())->size(), 64u);

    auto const again = run({"keygen", "--out", file.string()});
    EXPECT_EQ(again.exit_code, 1) << again;
    EXPECT_NE(again.err.find("already exists"), std::string::npos) << again;
    EXPECT_EQ(read_file(file), text) << "the existing key was changed";

    auto const forced = run({"keygen", "--out", file.string(), "--force"});
    ASSERT_EQ(forced.exit_code, 0) << forced;
    EXPECT_NE(read_file(file), text);
    EXPECT_EQ(mode_of(file), 0600u);
}

TEST_F(SluiceBundle, CreateWritesABundleThatVerifiesAndDecrypts) {
    auto const made = create();
    ASSERT_EQ(made.exit_code, 0) << made;

    // Only the three results in the output folder: no staging folder, keys beside the bundle, not in it.
    EXPECT_EQ(listing(out_).count("les-veilleurs.keys.json"), 1u);
    for (auto const& name : listing(out_)) {
        EXPECT_FALSE(name.starts_with(".")) << name;
        EXPECT_TRUE(name == "les-veilleurs.torrent" || name == "les-veilleurs.keys.json" ||
                    name.starts_with("les-veilleurs"))
            << name;
    }
    EXPECT_EQ(listing(bundle()),
              (std::set<std::string>{"bundle.json", "bundle.sig", "pilot.webm", "subtitles",
                                     "subtitles/pilot.en.vtt", "episode-1.webm.locked", "season",
                                     "season/episode-2.webm.locked", "booklet.pdf.locked", "cover.jpg"}));
    EXPECT_EQ(mode_of(out_ / "les-veilleurs.keys.json"), 0600u);

    // The signed manifest describes the plaintext.
    auto const manifest_bytes = read_file(bundle() / "bundle.json");
    EXPECT_TRUE(manifest_bytes.ends_with("}\n"));
    auto const verified =
        protocol::verify_bundle_manifest(manifest_bytes, read_file(bundle() / "bundle.sig"));
    ASSERT_TRUE(verified) << verified.error;
    auto const& m = *verified.manifest;
    EXPECT_EQ(m.id, "les-veilleurs");
    EXPECT_EQ(protocol::encode_public_key("ed25519", m.publisher_key),
              json::parse(read_file(dir_ / "publisher.key")).at("publicKey").get<std::string>());
    ASSERT_EQ(m.items.size(), 4u);
    auto const* episode = m.find_item("episode-1.webm.locked");
    ASSERT_NE(episode, nullptr);
    EXPECT_EQ(episode->size, sources_.at("episode-1.webm").size());
    EXPECT_EQ(episode->media_type, "video/webm");

    // Free items are the source bytes; locked ones open to them with the key from the keys file.
    EXPECT_EQ(read_file(bundle() / "pilot.webm"), sources_.at("pilot.webm"));
    EXPECT_EQ(read_file(bundle() / "subtitles/pilot.en.vtt"), sources_.at("subtitles/pilot.en.vtt"));
    auto const keys = keys_file();
    EXPECT_EQ(keys.at("format"), "sluice-keys/1");
    EXPECT_EQ(keys.at("bundleId"), "les-veilleurs");
    EXPECT_EQ(keys.at("version"), 1);
    EXPECT_EQ(keys.at("items").size(), 3u);
    for (auto const& [path, source] :
         std::map<std::string, std::string>{{"episode-1.webm.locked", "episode-1.webm"},
                                            {"season/episode-2.webm.locked", "season/episode-2.webm"},
                                            {"booklet.pdf.locked", "booklet.pdf"}}) {
        auto const sealed = read_file(bundle() / path);
        EXPECT_EQ(sealed.find(sources_.at(source).substr(0, 64)), std::string::npos)
            << "plaintext in " << path;
        std::error_code ec;
        auto const opened =
            protocol::open_item(sealed, key_of(keys, path), protocol::item_identity(m.id, path), ec);
        EXPECT_FALSE(ec) << path;
        EXPECT_EQ(opened, sources_.at(source)) << path;
    }
    EXPECT_EQ(keys.at("items").at(1).at("gate"), "pledge");

    // The torrent: hybrid, the bundle folder as its root, trackers and web seeds from the spec.
    auto const torrent_bytes = read_file(out_ / "les-veilleurs.torrent");
    lt::torrent_info const torrent(torrent_bytes, lt::from_span);
    EXPECT_TRUE(torrent.info_hashes().has_v1());
    EXPECT_TRUE(torrent.info_hashes().has_v2());
    EXPECT_EQ(torrent.name(), "les-veilleurs");
    EXPECT_TRUE(torrent.creator().starts_with("sluice-bundle ")) << torrent.creator();
    std::set<std::string> paths;
    for (auto const f : torrent.files().file_range()) {
        if (!torrent.files().pad_file_at(f)) {
            paths.insert(torrent.files().file_path(f));
        }
    }
    EXPECT_TRUE(paths.contains("les-veilleurs/bundle.json"));
    EXPECT_TRUE(paths.contains("les-veilleurs/bundle.sig"));
    EXPECT_TRUE(paths.contains("les-veilleurs/season/episode-2.webm.locked"));
    ASSERT_EQ(torrent.web_seeds().size(), 1u);
    EXPECT_EQ(torrent.web_seeds()[0].url, "https://cdn.example.org/bundles/");
    ASSERT_EQ(torrent.trackers().size(), 1u);

    // The magnet link on stdout, and nothing else there.
    ASSERT_TRUE(made.out.starts_with("magnet:?xt=urn:btih:")) << made;
    EXPECT_EQ(std::count(made.out.begin(), made.out.end(), '\n'), 1) << made;
    EXPECT_NE(made.out.find("urn:btmh:"), std::string::npos) << made;

    auto const folder = verify({bundle_arg()});
    EXPECT_EQ(folder.exit_code, 0) << folder;
    auto const decrypted = verify({bundle_arg(), "--keys", keys_arg()});
    EXPECT_EQ(decrypted.exit_code, 0) << decrypted;
    auto const with_data = verify({torrent_arg(), "--data", out_.string(), "--keys", keys_arg()});
    EXPECT_EQ(with_data.exit_code, 0) << with_data;
    auto const layout_only = verify({torrent_arg()});
    EXPECT_EQ(layout_only.exit_code, 0) << layout_only;

    auto const inspected = run({"inspect", torrent_arg(), "--json"});
    ASSERT_EQ(inspected.exit_code, 0) << inspected;
    auto const j = json::parse(inspected.out);
    EXPECT_EQ(j.at("kind"), "torrent");
    EXPECT_EQ(j.at("signature").at("valid"), true);
    auto const& b = j.at("bundle");
    EXPECT_EQ(b.at("title"), "Les Veilleurs");
    EXPECT_EQ(b.at("id"), "les-veilleurs");
    EXPECT_EQ(b.at("version"), 1);
    EXPECT_EQ(b.at("creator"), "Atelier Nuit");
    EXPECT_EQ(b.at("publisherKey"), protocol::encode_public_key("ed25519", m.publisher_key));
    EXPECT_EQ(b.at("gateKeys"), json::array({gate_key_}));
    EXPECT_EQ(b.at("gates").at("pledge").at("goalBackers"), 250);
    EXPECT_EQ(b.at("gates").at("pledge").at("deadline"), "2027-03-01T00:00:00Z");
    EXPECT_EQ(b.at("gates").at("pledge").at("price"), 1500);
    EXPECT_EQ(b.at("gates").at("pay").at("minimum"), 300);
    ASSERT_EQ(b.at("items").size(), 4u);
    EXPECT_EQ(b.at("items").at(0).at("access"), "free");
    EXPECT_EQ(b.at("items").at(0).at("subtitles").at(0).at("lang"), "en");
    EXPECT_EQ(b.at("items").at(1).at("path"), "episode-1.webm.locked");
    EXPECT_EQ(b.at("items").at(1).at("gate"), "email");
    EXPECT_EQ(b.at("items").at(1).at("size"), sources_.at("episode-1.webm").size());
    EXPECT_EQ(b.at("items").at(3).at("mediaType"), "application/pdf");
    auto const& t = j.at("torrent");
    EXPECT_EQ(t.at("infoHashV1").get<std::string>().size(), 40u);
    EXPECT_EQ(t.at("infoHashV2").get<std::string>().size(), 64u);
    EXPECT_EQ(t.at("magnet").get<std::string>() + "\n", made.out);

    auto const text = run({"inspect", bundle_arg()});
    ASSERT_EQ(text.exit_code, 0) << text;
    EXPECT_NE(text.out.find("Les Veilleurs"), std::string::npos);
    EXPECT_NE(text.out.find("locked (pledge gate)"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("campaign saison-2"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find(t.at("infoHashV2").get<std::string>()), std::string::npos) << text.out;
}

TEST_F(SluiceBundle, VerifyFindsAChangedManifest) {
    create_ok();
    auto manifest = read_file(bundle() / "bundle.json");
    auto const at = manifest.find("Les Veilleurs");
    ASSERT_NE(at, std::string::npos);
    manifest[at + 12] = 'z';
    write_file(bundle() / "bundle.json", manifest);
    auto const r = verify({bundle_arg()});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_NE(r.out.find("problem: bundle.sig does not match bundle.json"), std::string::npos) << r;
}

TEST_F(SluiceBundle, VerifyFindsAChangedFreeItem) {
    create_ok();
    flip_byte(bundle() / "pilot.webm", 100000);
    auto const r = verify({bundle_arg()});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_NE(r.out.find("problem: pilot.webm does not match its SHA-256"), std::string::npos) << r;
}

TEST_F(SluiceBundle, VerifyWithKeysFindsAChangedLockedItem) {
    create_ok();
    flip_byte(bundle() / "episode-1.webm.locked", 64 + 65536 + 16 + 10); // inside chunk 1
    auto const r = verify({bundle_arg(), "--keys", keys_arg()});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_NE(r.out.find("problem: episode-1.webm.locked: chunk 1 does not open"), std::string::npos) << r;
    EXPECT_NE(r.out.find("problem: episode-1.webm.locked does not match its pieces root"), std::string::npos)
        << r;
}

TEST_F(SluiceBundle, VerifyFindsAMissingFileAndATruncatedSignature) {
    create_ok();
    fs::remove(bundle() / "booklet.pdf.locked");
    write_file(bundle() / "bundle.sig", read_file(bundle() / "bundle.sig").substr(0, 40));
    auto const r = verify({bundle_arg()});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_NE(r.out.find("problem: booklet.pdf.locked is missing"), std::string::npos) << r;
    EXPECT_NE(r.out.find("problem: bundle.sig must hold exactly 64 bytes"), std::string::npos) << r;
    EXPECT_NE(r.out.find("2 problems"), std::string::npos) << r;
}

TEST_F(SluiceBundle, VerifyFindsAChangedCoverByItsSignedHashesAndThePieceHashes) {
    create_ok();
    flip_byte(bundle() / "cover.jpg", 10);
    auto const folder = verify({bundle_arg()});
    EXPECT_EQ(folder.exit_code, 1) << folder;
    EXPECT_NE(folder.out.find("problem: cover.jpg (the cover) does not match its SHA-256 or pieces root"),
              std::string::npos)
        << folder;
    auto const r = verify({torrent_arg(), "--data", bundle_arg()});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_NE(r.out.find("problem: cover.jpg: 1 piece does not match the torrent"), std::string::npos) << r;
}

TEST_F(SluiceBundle, VerifyOfAnotherFolderIsBad) {
    write_file(dir_ / "not-a-bundle/readme.txt", "hello");
    auto const r = verify({(dir_ / "not-a-bundle").string()});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_NE(r.out.find("bundle.json is missing"), std::string::npos) << r;
}

TEST_F(SluiceBundle, BadSpecsFailClearlyAndLeaveNothingBehind) {
    struct bad_case {
        std::function<void(json&)> change;
        std::string message;
    };
    std::vector<bad_case> const cases{
        {[](json& s) { s["items"][1]["acess"] = "locked"; }, "at /items/1: unknown member \"acess\""},
        {[](json& s) { s["items"][0]["source"] = "missing.webm"; }, "\"missing.webm\" does not exist"},
        {[](json& s) { s["items"][3]["source"] = "../outside.pdf"; }, "inside the source folder"},
        {[](json& s) { s["items"][2].erase("gate"); }, "a locked item needs \"gate\""},
        {[](json& s) { s["cover"] = "covers/none.jpg"; }, "at /cover: \"covers/none.jpg\" does not exist"},
    };
    write_file(dir_ / "outside.pdf", "not in the source folder");
    auto const original = spec_;
    for (auto const& c : cases) {
        spec_ = original;
        c.change(spec_);
        write_spec();
        auto const r = create();
        EXPECT_EQ(r.exit_code, 1) << r;
        EXPECT_NE(r.err.find(c.message), std::string::npos) << r;
        EXPECT_NE(r.err.find("spec.json"), std::string::npos) << "the message names the spec file: " << r;
        EXPECT_TRUE(r.out.empty()) << r;
        EXPECT_TRUE(listing(out_).empty()) << "left behind: " << *listing(out_).begin();
    }
}

TEST_F(SluiceBundle, InterruptedCreateLeavesNothingBehind) {
    // A large locked item (sparse, so it costs no disk to make) keeps create busy long enough to be stopped.
    {
        std::ofstream(src_ / "episode-1.webm").close();
        fs::resize_file(src_ / "episode-1.webm", 512ull * 1024 * 1024);
    }
    auto const err = logs_ / "interrupted-err";
    bp::child child(SLUICE_BUNDLE_PATH,
                    bp::args({"create", (src_ / "spec.json").string(), "--key",
                              (dir_ / "publisher.key").string(), "--out", out_.string(), "--progress"}),
                    bp::std_out > bp::null, bp::std_err > err.string(), bp::std_in < bp::null);
    // The first progress report says the long part has begun and the staging folder exists.
    auto const deadline = std::chrono::steady_clock::now() + 30s;
    while (read_file(err).find("hashing and encrypting") == std::string::npos && child.running() &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    ASSERT_TRUE(child.running()) << "create ended before it could be interrupted: " << read_file(err);
    bool staged = false;
    for (auto const& name : listing(out_)) {
        staged = staged || name.starts_with(".les-veilleurs.partial-");
    }
    EXPECT_TRUE(staged) << "no staging folder while working";
    ::kill(child.id(), SIGTERM);
    ASSERT_TRUE(wait_for_child(child, 30s));
    EXPECT_NE(child.exit_code(), 0);
    EXPECT_TRUE(listing(out_).empty()) << "left behind: " << *listing(out_).begin();
}

TEST_F(SluiceBundle, ExistingOutputIsReplacedOnlyWithForce) {
    create_ok();
    auto const first_keys = read_file(out_ / "les-veilleurs.keys.json");
    auto const again = create();
    EXPECT_EQ(again.exit_code, 1) << again;
    EXPECT_NE(again.err.find("already exists; pass --force"), std::string::npos) << again;
    EXPECT_EQ(read_file(out_ / "les-veilleurs.keys.json"), first_keys);

    spec_["version"] = 2;
    write_spec();
    auto const forced = create({"--force"});
    ASSERT_EQ(forced.exit_code, 0) << forced;
    EXPECT_EQ(listing(out_).size(), listing(bundle()).size() + 3) << "old folders left beside the new one";
    EXPECT_EQ(verify({bundle_arg(), "--keys", keys_arg()}).exit_code, 0);
    EXPECT_EQ(keys_file().at("version"), 2);
}

TEST_F(SluiceBundle, ForceNeverReplacesTheSourceFolder) {
    // A bundle id equal to the source folder's name, written next to it: --force would replace the sources.
    spec_["id"] = "src";
    write_spec();
    auto const r = run({"create", (src_ / "spec.json").string(), "--key", (dir_ / "publisher.key").string(),
                        "--out", dir_.path().string(), "--force"});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_NE(r.err.find("which create writes"), std::string::npos) << r;
    EXPECT_EQ(read_file(src_ / "pilot.webm"), sources_.at("pilot.webm"));
    EXPECT_FALSE(fs::exists(dir_ / "src.torrent"));
}

TEST_F(SluiceBundle, ReuseKeysKeepsTheKeysOfUnchangedItems) {
    create_ok();
    auto const old_keys = keys_file();
    // Version 2: episode 2 is re-cut, the rest is the same.
    spec_["version"] = 2;
    write_spec();
    write_file(src_ / "season/episode-2.webm", random_bytes(80 * 1024, 99));
    auto const next = create({"--force", "--reuse-keys", keys_arg()});
    ASSERT_EQ(next.exit_code, 0) << next;
    auto const new_keys = keys_file();
    EXPECT_EQ(key_of(new_keys, "episode-1.webm.locked"), key_of(old_keys, "episode-1.webm.locked"));
    EXPECT_EQ(key_of(new_keys, "booklet.pdf.locked"), key_of(old_keys, "booklet.pdf.locked"));
    // Changed bytes under an old key would repeat its nonces: that item gets a fresh key, and says so.
    EXPECT_NE(key_of(new_keys, "season/episode-2.webm.locked"),
              key_of(old_keys, "season/episode-2.webm.locked"));
    EXPECT_NE(next.err.find("season/episode-2.webm.locked changed"), std::string::npos) << next;
    auto const checked = verify({bundle_arg(), "--keys", keys_arg()});
    EXPECT_EQ(checked.exit_code, 0) << checked;
}

TEST_F(SluiceBundle, ReuseKeysOfAnotherBundleIsRefused) {
    create_ok();
    auto keys = keys_file();
    keys["bundleId"] = "someone-else";
    write_file(dir_ / "other.keys.json", keys.dump());
    auto const r = create({"--force", "--reuse-keys", (dir_ / "other.keys.json").string()});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_NE(r.err.find("holds the keys of bundle \"someone-else\""), std::string::npos) << r;
}

// An MKV with AC-3 sound (a tier names it by its source file): warned about as it is; with --prepare-media
// stored as an MP4 whose picture is copied and whose sound is AAC, under its new name, in the tier too.
TEST_F(SluiceBundle, MediaSomeBrowsersCannotPlayIsWarnedAboutOrPrepared) {
    auto const mkv = src_ / "season" / "episode-2.mkv";
    auto const made =
        std::system(("ffmpeg -v error -y -f lavfi -i testsrc2=size=160x120:rate=25:duration=2 -f lavfi "
                     "-i sine=duration=2 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a ac3 '" +
                     mkv.string() + "' </dev/null")
                        .c_str());
    ASSERT_EQ(made, 0);
    spec_["items"][2]["source"] = "season/episode-2.mkv";
    spec_["gates"]["pledge"].erase("price");
    spec_["gates"]["pledge"]["tiers"] = json::array({{{"id", "all"},
                                                      {"title", "All"},
                                                      {"price", 1500},
                                                      {"items", json::array({"season/episode-2.mkv"})}}});
    write_spec();

    auto const warned = create();
    ASSERT_EQ(warned.exit_code, 0) << warned;
    EXPECT_NE(warned.err.find("season/episode-2.mkv (matroska: h264 video, ac3 audio) does not play in every "
                              "browser"),
              std::string::npos)
        << warned.err;
    EXPECT_TRUE(fs::exists(bundle() / "season/episode-2.mkv.locked"));

    auto const prepared = create({"--prepare-media", "--force"});
    ASSERT_EQ(prepared.exit_code, 0) << prepared;
    EXPECT_NE(prepared.err.find("converting season/episode-2.mkv"), std::string::npos) << prepared.err;
    EXPECT_FALSE(fs::exists(bundle() / "season/episode-2.mkv.locked"));
    EXPECT_TRUE(fs::exists(bundle() / "season/episode-2.mp4.locked"));
    auto const manifest = json::parse(read_file(bundle() / "bundle.json"));
    auto const& item = manifest["items"][2];
    EXPECT_EQ(item["path"], "season/episode-2.mp4.locked");
    EXPECT_EQ(item["mediaType"], "video/mp4");
    EXPECT_EQ(manifest["gates"]["pledge"]["tiers"][0]["items"][0], "season/episode-2.mp4.locked");
    // Nothing of the conversion is left beside the output.
    for (auto const& entry : fs::directory_iterator(out_)) {
        EXPECT_EQ(entry.path().filename().string().find("media"), std::string::npos) << entry.path();
    }
    auto const checked = verify({bundle_arg(), "--keys", keys_arg()});
    EXPECT_EQ(checked.exit_code, 0) << checked;
}

TEST_F(SluiceBundle, UsageErrorsExitWith2) {
    auto const no_key = run({"create", (src_ / "spec.json").string(), "--out", out_.string()});
    EXPECT_EQ(no_key.exit_code, 2) << no_key;
    EXPECT_NE(no_key.err.find("--key"), std::string::npos) << no_key;
    auto const unknown = run({"verify", "x", "--frobnicate"});
    EXPECT_EQ(unknown.exit_code, 2) << unknown;
    EXPECT_NE(unknown.err.find("unknown option --frobnicate"), std::string::npos) << unknown;
    auto const nothing = run({"verify", (dir_ / "nowhere").string()});
    EXPECT_EQ(nothing.exit_code, 2) << nothing;
    EXPECT_EQ(run({"frobnicate"}).exit_code, 2);
    EXPECT_EQ(run({}).exit_code, 2);
    EXPECT_FALSE(fs::exists(out_));
}

} // namespace
} // namespace sluice::testing
