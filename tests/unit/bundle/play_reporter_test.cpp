#include "bundle/play_reporter.hpp"
#include "sandbox_dir.hpp"
#include "scripted_gate.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>

namespace sluice::bundle {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::unavailable;

class PlayReporter : public ::testing::Test {
protected:
    void SetUp() override {
        manifest.id = "night-watch";
        manifest.version = 2;
        manifest.gate_url = "https://gate.example.org/";
        restart();
    }

    // A reporter as a new run of the host makes one, from what the last run kept.
    void restart() {
        reporter = std::make_unique<play_reporter>(
            io, file(), gate.call(), 20s, [this] { return consent; }, [] { return 1s; });
        reporter->start();
    }

    std::filesystem::path file() const { return dir.path() / "plays.json"; }

    // Runs the io_context until the kept plays are due (at most one second with this delay).
    void wait_for_report() {
        auto const before = gate.requests.size();
        for (int i = 0; i < 30 && gate.requests.size() == before; ++i) {
            io.restart();
            io.run_for(100ms);
        }
    }

    static gate_api::gate_reply no_content() {
        gate_api::gate_reply r;
        r.what = gate_api::gate_reply::outcome::malformed; // 204 has no JSON body to read
        r.status = 204;
        return r;
    }

    boost::asio::io_context io;
    testing::sandbox_dir dir;
    testing::scripted_gate gate;
    protocol::bundle_manifest manifest;
    bool consent = true;
    std::unique_ptr<play_reporter> reporter;
};

TEST_F(PlayReporter, NothingIsCountedOrSentUnlessTheViewerSaidYes) {
    consent = false;
    EXPECT_FALSE(reporter->count(manifest, "pilot.webm", play_event::started));
    EXPECT_EQ(reporter->pending(), 0u);
    EXPECT_FALSE(std::filesystem::exists(file()));
    io.run_for(1500ms);
    EXPECT_TRUE(gate.requests.empty());

    consent = true;
    manifest.gate_url.clear();
    EXPECT_FALSE(reporter->count(manifest, "pilot.webm", play_event::started)) << "a bundle without a gate";
}

TEST_F(PlayReporter, PlaysGoTogetherLaterWithNothingThatNamesTheViewer) {
    EXPECT_TRUE(reporter->count(manifest, "pilot.webm", play_event::started));
    EXPECT_TRUE(reporter->count(manifest, "pilot.webm", play_event::started));
    EXPECT_TRUE(reporter->count(manifest, "pilot.webm", play_event::finished));
    EXPECT_TRUE(reporter->count(manifest, "episode-1.webm.locked", play_event::started));
    EXPECT_EQ(reporter->pending(), 4u);
    EXPECT_TRUE(std::filesystem::exists(file())) << "kept before it is sent";
    EXPECT_TRUE(gate.requests.empty()) << "not at once";

    wait_for_report();
    ASSERT_EQ(gate.requests.size(), 1u) << "one report for the four plays";
    auto const& sent = gate.requests[0];
    EXPECT_EQ(sent.gate_url, "https://gate.example.org/");
    EXPECT_EQ(sent.sent.method, "POST");
    EXPECT_EQ(sent.sent.path, "v1/bundles/night-watch/plays");
    EXPECT_TRUE(sent.sent.headers.empty());
    EXPECT_EQ(sent.sent.body, (json{{"version", 2},
                                    {"items",
                                     {{{"item", "episode-1.webm.locked"}, {"started", 1}, {"finished", 0}},
                                      {{"item", "pilot.webm"}, {"started", 2}, {"finished", 1}}}}}));
    gate.reply_last(no_content());
    EXPECT_EQ(reporter->pending(), 0u);
    EXPECT_FALSE(std::filesystem::exists(file()));
}

TEST_F(PlayReporter, AGateOutOfReachGetsThePlaysLaterEvenAfterARestart) {
    reporter->count(manifest, "pilot.webm", play_event::started);
    wait_for_report();
    ASSERT_EQ(gate.requests.size(), 1u);
    reporter->count(manifest, "pilot.webm", play_event::finished); // played while the report was out
    gate.reply_last(unavailable());
    EXPECT_EQ(reporter->pending(), 2u);

    // The host exits before the next turn: a new run sends what was kept, once.
    restart();
    EXPECT_EQ(reporter->pending(), 2u);
    wait_for_report();
    ASSERT_EQ(gate.requests.size(), 2u);
    EXPECT_EQ(gate.requests[1].sent.body.at("items"),
              (json{{{"item", "pilot.webm"}, {"started", 1}, {"finished", 1}}}));
    gate.reply_last(testing::refused(422, "invalid_request", "the bundle has no item pilot.webm"));
    EXPECT_EQ(reporter->pending(), 0u) << "a refused report is not sent again";
    io.restart();
    io.run_for(1500ms);
    EXPECT_EQ(gate.requests.size(), 2u);
}

TEST_F(PlayReporter, SayingNoDropsWhatWasNotSentAndABadFileIsDropped) {
    reporter->count(manifest, "pilot.webm", play_event::started);
    ASSERT_TRUE(std::filesystem::exists(file()));
    consent = false;
    reporter->forget();
    EXPECT_FALSE(std::filesystem::exists(file()));
    io.run_for(1500ms);
    EXPECT_TRUE(gate.requests.empty());

    consent = true;
    for (auto const* bad : {"{", "[]", R"({"due":1,"batches":[{"gate":7}]})"}) {
        std::ofstream(file()) << bad;
        restart();
        EXPECT_EQ(reporter->pending(), 0u) << bad;
        EXPECT_FALSE(std::filesystem::exists(file())) << bad;
    }
}

} // namespace
} // namespace sluice::bundle
