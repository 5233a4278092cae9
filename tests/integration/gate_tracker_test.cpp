// A bundle's downloads and seeds as a real tracker tells them: Debian's opentracker tracks the bundle's
// info-hashes (the whitelist `sluice-gate tracker-whitelist` prints), peers announce to it, and the gate
// reads its scrape on a schedule (`serve --tracker`) into the creator's figures
// (`/v1/admin/stats/bundles/ID`).

#include "file_helpers.hpp"
#include "gate_bundle_spec.hpp"
#include "gate_fixture.hpp"
#include "loopback_ports.hpp"
#include "opentracker.hpp"
#include "wait_until.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string percent_bytes(std::string const& hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out += "%" + hex.substr(i, 2);
    }
    return out;
}

std::vector<std::string> lines_of(std::string const& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

class GateTracker : public gate_fixture {
protected:
    // A peer's announce, as a BitTorrent client sends it: `left` 0 is a seed, `completed` its download's end.
    void announce(opentracker const& tracker, std::string const& hash, int peer, std::uint64_t left,
                  std::string const& event = "started") {
        char peer_id[21];
        std::snprintf(peer_id, sizeof peer_id, "-XX0001-%012d", peer);
        auto const r = request(tracker.port(), "GET",
                               "/announce?info_hash=" + percent_bytes(hash) + "&peer_id=" + peer_id +
                                   "&port=" + std::to_string(7000 + peer) + "&uploaded=0&downloaded=0&left=" +
                                   std::to_string(left) + "&compact=1&event=" + event);
        ASSERT_EQ(r.status, 200) << r.body;
        ASSERT_EQ(r.body.find("failure"), std::string::npos) << r.body;
    }
};

TEST_F(GateTracker, DownloadsAndSeedsComeFromTheTrackersScrape) {
    write_file(src_ / "episode-1.webm", std::string(40 * 1024, 'e'));
    ASSERT_NO_FATAL_FAILURE(make_bundle(gated_bundle_spec("les-veilleurs", "email", gate_key_)));
    auto args = store_args();
    args.insert(args.begin(), "import");
    args.insert(args.end(), {"--gate-key", gate_key_file().string(), (out_ / "les-veilleurs").string(),
                             (out_ / "les-veilleurs.keys.json").string(), "--torrent",
                             (out_ / "les-veilleurs.torrent").string()});
    auto const imported = gate_tool(args);
    ASSERT_EQ(imported.exit_code, 0) << imported;

    // The hashes the tracker is to track: the bundle's v1 hash and its v2 hash cut to 20 bytes.
    auto const listed = gate_tool({"tracker-whitelist", "--data", data_.string()});
    ASSERT_EQ(listed.exit_code, 0) << listed;
    auto const hashes = lines_of(listed.out);
    ASSERT_EQ(hashes.size(), 2u) << listed.out;
    for (auto const& h : hashes) {
        EXPECT_EQ(h.size(), 40u) << h;
    }
    opentracker tracker(dir_ / "tracker", free_port(), hashes);

    // On the v1 hash: the creator's seed, a viewer who finished (a seed now, one download) and one still
    // downloading; on the v2 hash, one seed.
    auto const& v1 = hashes[0];
    ASSERT_NO_FATAL_FAILURE(announce(tracker, v1, 1, 0));
    ASSERT_NO_FATAL_FAILURE(announce(tracker, v1, 2, 1000));
    ASSERT_NO_FATAL_FAILURE(announce(tracker, v1, 2, 0, "completed"));
    ASSERT_NO_FATAL_FAILURE(announce(tracker, v1, 3, 5000));
    ASSERT_NO_FATAL_FAILURE(announce(tracker, hashes[1], 4, 0));
    // A hash the tracker was not told of is refused by it, and so never reaches the gate.
    auto const refused = request(tracker.port(), "GET",
                                 "/announce?info_hash=" + percent_bytes(std::string(40, 'a')) +
                                     "&peer_id=-XX0001-000000000009&port=7009&left=0&compact=1");
    EXPECT_NE(refused.body.find("failure"), std::string::npos) << refused.body;

    auto extra = admin_args();
    extra.insert(extra.end(), {"--tracker", tracker.announce_url(), "--tracker-every", "1s"});
    auto const server = serve(extra);
    json figures;
    auto const swarm_of = [&](std::string const& hash) {
        for (auto const& r : figures.at("swarm")) {
            if (r.at("infoHash") == hash) {
                return r;
            }
        }
        return json();
    };
    EXPECT_TRUE(wait_until(
        [&] {
            figures = admin(server->port(), "GET", "stats/bundles/les-veilleurs").body_json();
            return swarm_of(v1).is_object() && swarm_of(v1).at("leechers") == 1;
        },
        20s))
        << figures.dump() << tracker.output();
    auto const today = figures.at("swarm").at(0).at("day").get<std::string>();
    EXPECT_EQ(swarm_of(v1), (json{{"day", today},
                                  {"version", 1},
                                  {"infoHash", v1},
                                  {"seeds", 2},
                                  {"leechers", 1},
                                  {"downloaded", 1}}));
    EXPECT_EQ(swarm_of(hashes[1]).at("seeds"), 1);

    // The next reading of the day replaces the day's: the leecher finished.
    ASSERT_NO_FATAL_FAILURE(announce(tracker, v1, 3, 0, "completed"));
    EXPECT_TRUE(wait_until(
        [&] {
            figures = admin(server->port(), "GET", "stats/bundles/les-veilleurs").body_json();
            return swarm_of(v1).at("downloaded") == 2;
        },
        20s))
        << figures.dump();
    EXPECT_EQ(swarm_of(v1).at("seeds"), 3);
    EXPECT_EQ(swarm_of(v1).at("leechers"), 0);
    EXPECT_EQ(figures.at("swarm").size(), 2u);
}

TEST_F(GateTracker, ATrackerWithoutScrapeIsRefused) {
    for (auto const* url : {"http://127.0.0.1:1/tracker", "udp://127.0.0.1:1/announce", "announce"}) {
        auto args = serve_args({"--tracker", url});
        auto const r = gate_tool(args);
        EXPECT_EQ(r.exit_code, 2) << url << r;
        EXPECT_NE(r.err.find("--tracker"), std::string::npos) << r;
    }
    auto const r = gate_tool(serve_args({"--tracker-every", "1s"}));
    EXPECT_EQ(r.exit_code, 2) << r;
}

} // namespace
} // namespace sluice::testing
