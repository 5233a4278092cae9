// Viewers' translations with every real part: sluice-bundle makes a bundle that lists a translation key,
// sluice-gate keeps a viewer's submission and signs it when the creator approves it on the command line, and
// a host fetches, verifies and keeps it, and serves it as a subtitle track of the item.

#include "expect_schema.hpp"
#include "file_helpers.hpp"
#include "gate_bundle_spec.hpp"
#include "gate_fixture.hpp"
#include "host_process.hpp"
#include "http_client.hpp"
#include "wait_until.hpp"

#include <sluice/protocol/webvtt_check.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string const track = "WEBVTT\n\n00:00.500 --> 00:02.000\nEsta noche\n\n00:02.000 --> 00:04.000\n"
                          "¿Quién vela?\n\n00:04.000 --> 00:06.000\nNosotros.\n";

class GateTranslations : public gate_fixture {
protected:
    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(gate_fixture::SetUp());
        auto const key = bundle_tool({"keygen", "--out", translator_key().string(), "--quiet"});
        ASSERT_EQ(key.exit_code, 0) << key;
        write_file(src_ / "episode-1.webm", random_bytes(30 * 1024, 2));
        port_ = free_port();
        auto s = gated_bundle_spec("les-nuits", "email", gate_key_);
        s["gateUrl"] = "http://127.0.0.1:" + std::to_string(port_) + "/";
        s["translationKeys"] = {key.out.substr(0, key.out.find('\n'))};
        spec_ = s;
        make_bundle(s);
        ASSERT_EQ(import("les-nuits").exit_code, 0);
    }

    fs::path translator_key() const { return dir_ / "translator.key"; }

    reply submit(json const& body) {
        return request(port_, "POST", "/v1/bundles/les-nuits/translations", body.dump());
    }

    json submission(std::string const& translator, std::string const& text) const {
        return {{"version", 1},       {"item", "pilot.webm"},     {"lang", "es"},
                {"label", "Español"}, {"translator", translator}, {"licence", "CC-BY-4.0"},
                {"track", text}};
    }

    json pending() {
        auto const listed =
            gate_tool({"translations", "list", "--data", data_.string(), "--state", "pending"});
        EXPECT_EQ(listed.exit_code, 0) << listed;
        return json::parse(listed.out).at("translations");
    }

    // The item's translated tracks as bundle.get lists them.
    static json translated(host_process& host, std::string const& hash) {
        json found = json::array();
        auto const bundle = host.call("bundle.get", {{"infoHash", hash}});
        for (auto const& item : bundle["result"]["items"]) {
            for (auto const& t : item.value("subtitles", json::array())) {
                if (t.value("translated", false)) {
                    found.push_back(t);
                }
            }
        }
        return found;
    }

    // sluice-bundle create of `spec` into next/ (out/ keeps the version hosts have), with `extra` arguments.
    run_result create(json const& spec, std::vector<std::string> const& extra) {
        write_file(src_ / "spec.json", spec.dump(4));
        std::vector<std::string> args{"create", (src_ / "spec.json").string(),
                                      "--key",  (dir_ / "publisher.key").string(),
                                      "--out",  next_.string(),
                                      "--force"};
        args.insert(args.end(), extra.begin(), extra.end());
        return bundle_tool(args);
    }

    json spec_ = {};
    fs::path next_ = dir_ / "next";
    int port_ = 0;
};

// The editor's side: the host gives the gate's terms, sends a track, and gives back the last submission so
// another translator takes it up.
TEST_F(GateTranslations, AHostSendsATranslationAndTakesUpTheLastOne) {
    auto const server = serve({}, port_);
    host_world world;
    host_process host(world);
    auto const hash = host_adds(host, "les-nuits");
    auto const terms = host.call("translation.terms", {{"infoHash", hash}});
    ASSERT_TRUE(terms.contains("result")) << terms.dump();
    expect_schema(terms["result"], "translation.terms.result");
    EXPECT_EQ(terms["result"]["licence"], "CC-BY-4.0");
    EXPECT_TRUE(terms["result"]["latest"].empty());

    json params{{"infoHash", hash},    {"item", "pilot.webm"},   {"lang", "es"},  {"label", "Español"},
                {"translator", "Ana"}, {"licence", "CC-BY-4.0"}, {"track", track}};
    auto const sent = host.call("translation.submit", params);
    ASSERT_TRUE(sent.contains("result")) << sent.dump();
    expect_schema(sent["result"], "translation.submit.result");
    auto const id = sent["result"]["submissionId"].get<std::string>();

    auto const latest = host.call("translation.terms", {{"infoHash", hash}})["result"]["latest"];
    ASSERT_EQ(latest.size(), 1u);
    EXPECT_EQ(latest[0]["submissionId"], id);
    auto const taken = host.call("translation.get", {{"infoHash", hash}, {"submissionId", id}});
    ASSERT_TRUE(taken.contains("result")) << taken.dump();
    expect_schema(taken["result"], "translation.get.result");
    EXPECT_EQ(taken["result"]["track"], track);
    EXPECT_EQ(taken["result"]["credit"], "Ana");

    // Checked before anything is sent, each with its reason; the gate's own refusals come back as they are.
    auto bad = params;
    bad["track"] = "WEBVTT\n\n00:01.000 --> 00:02.000\n<script>x</script>\n";
    auto const script = host.call("translation.submit", bad);
    EXPECT_EQ(script["error"]["code"], -32602) << script.dump();
    EXPECT_NE(
        script["error"]["data"]["detail"].get<std::string>().find("line 4: <script> is not a WebVTT tag"),
        std::string::npos);
    bad = params;
    bad["item"] = "nothing.webm";
    EXPECT_EQ(host.call("translation.submit", bad)["error"]["code"], -32602);
    bad = params;
    bad["licence"] = "All rights reserved";
    auto const terms_refused = host.call("translation.submit", bad);
    EXPECT_EQ(terms_refused["error"]["data"]["gateCode"], "invalid_request") << terms_refused.dump();
    EXPECT_EQ(host.call("translation.get", {{"infoHash", hash}, {"submissionId", "../x"}})["error"]["code"],
              -32602);
    EXPECT_EQ(pending().size(), 1u) << "only the good one was kept";
}

TEST_F(GateTranslations, ATranslationTheCreatorApprovesReachesHostsAsASubtitleTrackWithItsCredit) {
    auto const server = serve({}, port_);
    auto const first = submit(submission("Ana", "WEBVTT\n\n00:00.500 --> 00:02.000\nEsta noche\n"));
    ASSERT_EQ(first.status, 201) << first.body;
    auto next = submission("Luis", track);
    next["basedOn"] = first.body_json().at("submissionId");
    auto const second = submit(next);
    ASSERT_EQ(second.status, 201) << second.body;
    auto const id = second.body_json().at("submissionId").get<std::string>();

    // Refused with their reasons, and nothing kept.
    auto const script = submit(submission("Eve", "WEBVTT\n\n00:01.000 --> 00:02.000\n<script>x</script>\n"));
    EXPECT_EQ(script.status, 422);
    EXPECT_NE(script.body.find("<script> is not a WebVTT tag"), std::string::npos) << script.body;
    auto const huge = submit(submission("Eve", "WEBVTT\n\n00:01.000 --> 00:02.000\n" +
                                                   std::string(protocol::max_webvtt_bytes, 'a')));
    EXPECT_EQ(huge.status, 400) << huge.body;
    ASSERT_EQ(pending().size(), 2u);

    // The creator looks, then approves with the translation key; the gate key is not one the manifest lists.
    auto const shown = gate_tool({"translations", "show", "--data", data_.string(), id, "--track", "-"});
    EXPECT_EQ(shown.out, track);
    auto const unlisted = gate_tool(
        {"translations", "approve", "--data", data_.string(), "--key", gate_key_file().string(), id});
    EXPECT_EQ(unlisted.exit_code, 1);
    EXPECT_NE(unlisted.err.find("nor one of its manifest's translationKeys"), std::string::npos) << unlisted;
    auto const approved = gate_tool(
        {"translations", "approve", "--data", data_.string(), "--key", translator_key().string(), id});
    ASSERT_EQ(approved.exit_code, 0) << approved;
    EXPECT_EQ(json::parse(approved.out).at("state"), "approved");
    EXPECT_EQ(pending().size(), 1u);

    host_world world;
    {
        host_process host(world);
        auto const hash = host_adds(host, "les-nuits");
        json tracks;
        ASSERT_TRUE(wait_until([&] { return !(tracks = translated(host, hash)).empty(); }))
            << "the approved translation never reached the host";
        expect_schema(host.call("bundle.get", {{"infoHash", hash}})["result"], "bundle.get.result");
        ASSERT_EQ(tracks.size(), 1u);
        EXPECT_EQ(tracks[0]["lang"], "es");
        EXPECT_EQ(tracks[0]["label"], "Español");
        EXPECT_EQ(tracks[0]["credit"], "Ana, Luis");
        auto const [stream_port, target] = split_url(tracks[0]["streamUrl"].get<std::string>());
        auto const served = http_get(stream_port, target);
        EXPECT_EQ(served.status, 200);
        EXPECT_EQ(served.header("content-type"), "text/vtt; charset=utf-8");
        EXPECT_EQ(served.body, track);
        EXPECT_TRUE(std::any_of(host.events.begin(), host.events.end(), [](json const& e) {
            return e.value("method", "") == "bundle.translations" && e["params"]["bundleId"] == "les-nuits";
        })) << "the extension hears that tracks arrived";
    }

    // The creator carries it into the next version: a track of the pilot like its own, with its credit.
    auto const folder = dir_ / "carried";
    auto const exported = gate_tool({"translations", "export", "--data", data_.string(), "--bundle",
                                     "les-nuits", "--out", folder.string()});
    ASSERT_EQ(exported.exit_code, 0) << exported;
    auto next_version = spec_;
    next_version["version"] = 2;
    auto const made = create(next_version, {"--include-translations", folder.string()});
    ASSERT_EQ(made.exit_code, 0) << made;
    EXPECT_NE(made.err.find("carried the es translation of pilot.webm by Ana, Luis"), std::string::npos)
        << made;
    auto const manifest = json::parse(read_file(next_ / "les-nuits" / "bundle.json"));
    EXPECT_EQ(manifest["version"], 2);
    auto const tracks_of_pilot = manifest["items"][0]["subtitles"];
    ASSERT_EQ(tracks_of_pilot.size(), 1u) << manifest.dump();
    EXPECT_EQ(tracks_of_pilot[0]["credit"], "Ana, Luis");
    EXPECT_EQ(tracks_of_pilot[0]["lang"], "es");
    EXPECT_EQ(read_file(next_ / "les-nuits" / tracks_of_pilot[0]["path"].get<std::string>()), track);
    EXPECT_EQ(bundle_tool({"verify", (next_ / "les-nuits").string(), "--quiet"}).exit_code, 0);
    // A track changed on the way is refused, with why.
    auto index = json::parse(read_file(folder / "translations.json"));
    write_file(folder / index["translations"][0]["track"].get<std::string>(), track + "\n");
    auto const tampered = create(next_version, {"--include-translations", folder.string()});
    EXPECT_EQ(tampered.exit_code, 1) << tampered;
    EXPECT_NE(tampered.err.find("its SHA-256 differs"), std::string::npos) << tampered;

    // Kept with the bundle: a host started again finds the track without the gate.
    EXPECT_EQ(server->stop(), 0);
    host_process again(world);
    auto const hash = host_adds(again, "les-nuits");
    auto const tracks = translated(again, hash);
    ASSERT_EQ(tracks.size(), 1u);
    EXPECT_EQ(tracks[0]["credit"], "Ana, Luis");
}

} // namespace
} // namespace sluice::testing
