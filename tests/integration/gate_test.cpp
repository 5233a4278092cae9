// sluice-gate driven as a publisher and a host drive it: bundles made by the real sluice-bundle, imported
// and served by the real sluice-gate on loopback, asked over HTTP; tokens checked as a host checks them.
// Pledges and payments go through the fake Stripe of publisher/fake-stripe, whose pages the test completes
// as the backer's browser would.

#include "expect_schema.hpp"
#include "fake_provider.hpp"
#include "file_helpers.hpp"
#include "gate_bundle_spec.hpp"
#include "gate_fixture.hpp"
#include "host_process.hpp"
#include "http_client.hpp"
#include "pg_cluster.hpp"
#include "torrent_fixture.hpp"
#include "wait_until.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <csignal>
#include <regex>
#include <set>

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using nlohmann::json;

// Raw bytes in, raw bytes out (until the server closes), for requests that are not HTTP.
std::string raw_exchange(int port, std::string const& bytes) {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect(loopback(port));
    asio::write(socket, asio::buffer(bytes));
    std::string out;
    std::array<char, 4096> buf{};
    boost::system::error_code ec;
    while (true) {
        auto const n = socket.read_some(asio::buffer(buf), ec);
        out.append(buf.data(), n);
        if (ec) {
            break;
        }
    }
    return out;
}

class SluiceGate : public gate_fixture {
protected:
    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(gate_fixture::SetUp());
        episode_ = random_bytes(150 * 1024 + 11, 2);
        write_file(src_ / "episode-1.webm", episode_);
        write_file(dir_ / "mail.sh",
                   "#!/bin/sh\nf=$(mktemp \"" + outbox_.string() + "/mail-XXXXXX\") && cat > \"$f\"\n");
        fs::permissions(dir_ / "mail.sh", fs::perms::owner_all);
        fs::create_directories(outbox_);
    }

    json spec(std::string const& id, std::uint64_t version, bool double_opt_in,
              std::string const& title = "Les Veilleurs") const {
        auto s = gated_bundle_spec(id, "email", gate_key_);
        s["version"] = version;
        s["title"] = title;
        s["gates"]["email"]["doubleOptIn"] = double_opt_in;
        return s;
    }

    // The episode of bundle `id` locked by the pledge campaign `<id>-campaign` instead.
    json pledge_spec(std::string const& id, int goal_backers) const {
        auto s = gated_bundle_spec(id, "pledge", gate_key_);
        s["gates"]["pledge"]["goalBackers"] = goal_backers;
        return s;
    }

    // Every gate here mails through mail.sh, which drops each mail into the outbox.
    std::unique_ptr<gate_server> serve(int port = 0) {
        return gate_fixture::serve({"--mail-command", (dir_ / "mail.sh").string()}, port);
    }

    // A gate that also takes pledges and payments, through the fake provider, and offers the admin API.
    std::unique_ptr<gate_server> serve_pledges(int port = 0) {
        auto extra = admin_args();
        extra.insert(extra.end(), {"--mail-command", (dir_ / "mail.sh").string()});
        return serve_paid(provider(), extra, port);
    }

    // The provider, started the first time it is needed.
    fake_provider& provider() {
        if (!provider_) {
            provider_ = std::make_unique<fake_provider>(dir_ / "provider");
        }
        return *provider_;
    }

    void expect_token_opens_episode(std::string const& token, std::string const& id) {
        expect_token_opens(token, id, episode_);
    }

    std::string last_code() const {
        std::string code;
        for (auto const& e : fs::directory_iterator(outbox_)) {
            auto const text = read_file(e.path());
            std::smatch m;
            if (std::regex_search(text, m, std::regex("code is ([0-9]{6})"))) {
                code = m[1].str();
            }
        }
        return code;
    }

    fs::path outbox_ = dir_ / "outbox";
    std::string episode_;
    std::unique_ptr<fake_provider> provider_;
};

TEST_F(SluiceGate, ImportServeAndUnlockByEmail) {
    make_bundle(spec("les-veilleurs", 1, false));
    auto const imported = import("les-veilleurs");
    ASSERT_EQ(imported.exit_code, 0) << imported;
    EXPECT_EQ(imported.out, "les-veilleurs 1: imported\n");
    auto const server = serve();

    auto const status = request(server->port(), "GET", "/v1/bundles/les-veilleurs");
    ASSERT_EQ(status.status, 200) << status.body;
    EXPECT_EQ(status.body_json(),
              json::parse(R"({"bundleId":"les-veilleurs","version":1,"title":"Les Veilleurs",
                                                  "gates":{"email":{"doubleOptIn":false}}})"));

    auto const unlocked = request(server->port(), "POST", "/v1/bundles/les-veilleurs/unlock/email",
                                  json{{"email", " Ada@Example.org"}, {"device", device_text()}}.dump());
    ASSERT_EQ(unlocked.status, 200) << unlocked.body;
    expect_token_opens_episode(unlocked.body_json().at("token").get<std::string>(), "les-veilleurs");

    // Acknowledged means durable: kill -9 right after the answer, and the unlock is there.
    server->kill9();
    auto const s = stats();
    EXPECT_EQ(s.at("unlocks"), 1);
    EXPECT_EQ(s.at("bundles").at(0).at("unlocks"), 1);
    auto const again = serve();
    EXPECT_EQ(request(again->port(), "GET", "/v1/bundles/les-veilleurs").status, 200);
    EXPECT_EQ(again->stop(), 0);
}

// On PostgreSQL, the database restarted under a serving gate: while it is down every request that needs it is
// answered 503 storage_unavailable with Retry-After (nothing acknowledged), and once it is back the gate
// opens its connections again by itself and serves, nothing lost of what it had acknowledged.
TEST_F(SluiceGate, ADatabaseOutageIs503ThenTheGateServesAgain) {
    sandbox_dir pg_dir;
    pg_cluster cluster(pg_dir.path(), true);
    db_url_ = cluster.create_database("gate");
    make_bundle(spec("les-veilleurs", 1, false));
    ASSERT_EQ(import("les-veilleurs").exit_code, 0);
    auto const server = gate_fixture::serve({"--threads", "2"});
    auto unlock = [&](std::string const& email) {
        return request(server->port(), "POST", "/v1/bundles/les-veilleurs/unlock/email",
                       json{{"email", email}, {"device", device_text()}}.dump());
    };
    ASSERT_EQ(unlock("ada@example.org").status, 200);

    cluster.stop();
    for (int i = 0; i < 4; ++i) { // both threads' connections, each asked twice
        auto const status = request(server->port(), "GET", "/v1/bundles/les-veilleurs");
        EXPECT_EQ(status.status, 503) << status.body;
        EXPECT_EQ(status.error_code(), "storage_unavailable") << status.body;
        EXPECT_EQ(status.header("retry-after"), "1");
    }
    auto const refused = unlock("grace@example.org");
    EXPECT_EQ(refused.status, 503) << refused.body;

    cluster.start();
    for (int i = 0; i < 4; ++i) {
        auto const status = request(server->port(), "GET", "/v1/bundles/les-veilleurs");
        EXPECT_EQ(status.status, 200) << status.body;
    }
    auto const after = unlock("grace@example.org");
    ASSERT_EQ(after.status, 200) << after.body;
    expect_token_opens_episode(after.body_json().at("token").get<std::string>(), "les-veilleurs");
    EXPECT_EQ(server->stop(), 0);
    EXPECT_EQ(stats().at("unlocks"), 2) << "the unlock answered before the outage, and the one after";
}

// The whole email path with every real part: sluice-bundle makes the bundle, sluice-gate holds its keys,
// a host seeds it, asks the gate (double opt-in, the code read from the outbox) and streams the episode.
TEST_F(SluiceGate, AHostUnlocksThroughTheGateAndStreams) {
    // The gate's URL is signed into the manifest, so its port is chosen first.
    int const port = free_port();
    auto s = spec("night-shift", 1, true);
    s["gateUrl"] = "http://127.0.0.1:" + std::to_string(port) + "/";
    make_bundle(s);
    ASSERT_EQ(import("night-shift").exit_code, 0);
    auto const server = serve(port);
    ASSERT_EQ(server->port(), port);

    host_world world;
    host_process host(world);
    auto const torrent = read_file(out_ / "night-shift.torrent");
    auto const added =
        host.call("torrent.add", {{"torrent", protocol::to_base64(torrent)}, {"savePath", out_.string()}});
    ASSERT_TRUE(added.contains("result")) << added.dump();
    auto const hash = added["result"]["infoHash"].get<std::string>();
    ASSERT_TRUE(wait_until([&] {
        return host.call("bundle.get", {{"infoHash", hash}})["result"].value("status", "") == "verified";
    }));

    auto const asked = host.call("bundle.unlock",
                                 {{"infoHash", hash}, {"gate", "email"}, {"email", "Ada@Example.ORG"}}, 30s);
    ASSERT_TRUE(asked.contains("result")) << asked.dump();
    ASSERT_EQ(asked["result"]["status"], "confirmationSent");
    auto const wrong =
        host.call("bundle.confirmEmail",
                  {{"infoHash", hash}, {"requestId", asked["result"]["requestId"]}, {"code", "000000"}});
    EXPECT_EQ(wrong["error"]["code"], 1108) << wrong.dump();
    auto const confirmed =
        host.call("bundle.confirmEmail",
                  {{"infoHash", hash}, {"requestId", asked["result"]["requestId"]}, {"code", last_code()}});
    ASSERT_TRUE(confirmed.contains("result")) << confirmed.dump();
    EXPECT_EQ(confirmed["result"]["items"], json::array({"episode-1.webm.locked"}));

    std::string url;
    auto const bundle = host.call("bundle.get", {{"infoHash", hash}});
    for (auto const& item : bundle["result"]["items"]) {
        if (item["path"] == "episode-1.webm.locked") {
            url = item.value("streamUrl", "");
        }
    }
    ASSERT_FALSE(url.empty());
    auto const [stream_port, target] = split_url(url);
    EXPECT_TRUE(http_get(stream_port, target).body == episode_);
    EXPECT_EQ(stats().at("unlocks"), 1);
}

TEST_F(SluiceGate, DoubleOptInThroughTheMailCommand) {
    make_bundle(spec("confirmed", 1, true));
    ASSERT_EQ(import("confirmed").exit_code, 0);
    auto const server = serve();
    auto const asked = request(server->port(), "POST", "/v1/bundles/confirmed/unlock/email",
                               json{{"email", "ada@example.org"}, {"device", device_text()}}.dump());
    ASSERT_EQ(asked.status, 202) << asked.body;
    auto const request_id = asked.body_json().at("requestId").get<std::string>();
    auto const code = last_code();
    ASSERT_EQ(code.size(), 6u);
    auto const mail = read_file(fs::directory_iterator(outbox_)->path());
    EXPECT_NE(mail.find("To: ada@example.org\n"), std::string::npos) << mail;
    EXPECT_NE(mail.find("Subject: "), std::string::npos) << mail;

    auto const confirm = [&](std::string const& c) {
        return request(server->port(), "POST", "/v1/bundles/confirmed/unlock/email/confirm",
                       json{{"requestId", request_id}, {"code", c}, {"device", device_text()}}.dump());
    };
    auto const wrong = confirm(code == "999999" ? "000000" : "999999");
    EXPECT_EQ(wrong.status, 403);
    EXPECT_EQ(wrong.error_code(), "wrong_code");
    auto const right = confirm(code);
    ASSERT_EQ(right.status, 200) << right.body;
    expect_token_opens_episode(right.body_json().at("token").get<std::string>(), "confirmed");
    EXPECT_EQ(confirm(code).error_code(), "already_confirmed");
    auto const s = stats();
    EXPECT_EQ(s.at("unlocks"), 1);
    EXPECT_EQ(s.at("emailRequests").at("confirmed"), 1);
}

TEST_F(SluiceGate, BadRequestsGetJson4xx) {
    make_bundle(spec("les-veilleurs", 1, false));
    ASSERT_EQ(import("les-veilleurs").exit_code, 0);
    auto const server = serve();
    auto const port = server->port();
    auto const unlock = "/v1/bundles/les-veilleurs/unlock/email";
    struct expectation {
        reply r;
        int status;
        std::string code;
    };
    std::vector<expectation> const cases{
        {request(port, "POST", unlock, "{\"email\": "), 400, "malformed_json"},
        {request(port, "POST", unlock, "\"just a string\""), 400, "invalid_request"},
        {request(port, "POST", unlock, json{{"email", "ada@example.org"}}.dump()), 400, "invalid_request"},
        {request(port, "POST", unlock, std::string(100 * 1024, 'x')), 413, "body_too_large"},
        {request(port, "POST", unlock, json{{"email", "ada at example"}, {"device", device_text()}}.dump()),
         400, "invalid_email"},
        {request(port, "POST", unlock, json{{"email", "ada@example.org"}, {"device", "ed25519:AAAA"}}.dump()),
         400, "invalid_device"},
        {request(port, "POST", "/v1/bundles/nope/unlock/email",
                 json{{"email", "ada@example.org"}, {"device", device_text()}}.dump()),
         404, "bundle_not_found"},
        {request(port, "GET", "/v1/bundles/nope"), 404, "bundle_not_found"},
        {request(port, "GET", "/v2/whatever"), 404, "not_found"},
        {request(port, "DELETE", "/v1/bundles/les-veilleurs"), 405, "method_not_allowed"},
        {request(port, "GET", unlock), 405, "method_not_allowed"},
    };
    for (auto const& c : cases) {
        EXPECT_EQ(c.r.status, c.status) << c.code << ": " << c.r.body;
        EXPECT_EQ(c.r.error_code(), c.code) << c.r.body;
        EXPECT_EQ(c.r.headers.at("content-type"), "application/json");
    }
    EXPECT_EQ(cases[9].r.headers.at("allow"), "GET");
    // Not HTTP at all: a 400 in JSON, then the connection closes.
    auto const garbage = raw_exchange(port, "HELLO\r\n\r\n");
    EXPECT_TRUE(garbage.starts_with("HTTP/1.1 400")) << garbage;
    EXPECT_NE(garbage.find("\"bad_request\""), std::string::npos) << garbage;
    // The server is still there and has recorded nothing.
    EXPECT_EQ(request(port, "GET", "/v1/bundles/les-veilleurs").status, 200);
    EXPECT_EQ(stats().at("unlocks"), 0);
}

TEST_F(SluiceGate, LandingPageCarriesTheBundleMarkup) {
    make_bundle(spec("les-veilleurs", 1, false, "Nuit <script>alert(1)</script>"));
    ASSERT_EQ(import("les-veilleurs").exit_code, 0);
    auto const server = serve();
    auto const page = request(server->port(), "GET", "/b/les-veilleurs");
    ASSERT_EQ(page.status, 200);
    EXPECT_EQ(page.headers.at("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(page.body.find("<script>alert"), std::string::npos);
    EXPECT_NE(page.body.find("<h1>Nuit &lt;script&gt;alert(1)&lt;/script&gt;</h1>"), std::string::npos);

    auto const torrent_magnet = bundle_tool({"inspect", (out_ / "les-veilleurs.torrent").string(), "--json"});
    auto const magnet = json::parse(torrent_magnet.out).at("torrent").at("magnet").get<std::string>();
    std::smatch m;
    ASSERT_TRUE(std::regex_search(
        page.body, m, std::regex(R"(<script type="application/sluice-bundle\+json">([^<]*)</script>)")));
    EXPECT_EQ(json::parse(m[1].str()),
              (json{{"bundleId", "les-veilleurs"},
                    {"version", 1},
                    {"magnet", magnet},
                    {"publisherKey",
                     json::parse(read_file(out_ / "les-veilleurs" / "bundle.json")).at("publisherKey")},
                    {"gateUrl", "https://gate.example.org/"}}));
    auto escaped = std::regex_replace(magnet, std::regex("&"), "&amp;");
    EXPECT_NE(page.body.find("<link rel=\"sluice-bundle\" href=\"" + escaped + "\">"), std::string::npos);
}

TEST_F(SluiceGate, ImportRefusesWhatTheGateCouldNotServe) {
    make_bundle(spec("les-veilleurs", 2, false));
    ASSERT_EQ(import("les-veilleurs").exit_code, 0);
    ASSERT_EQ(import("les-veilleurs").out, "les-veilleurs 2: already there\n");
    fs::copy_file(out_ / "les-veilleurs.keys.json", dir_ / "v2.keys.json");

    make_bundle(spec("les-veilleurs", 1, false));
    auto const lower = import("les-veilleurs");
    EXPECT_EQ(lower.exit_code, 1) << lower;
    // A keys file of another version.
    auto const mismatched =
        gate_tool({"import", "--data", data_.string(), "--gate-key", gate_key_file().string(),
                   (out_ / "les-veilleurs").string(), (dir_ / "v2.keys.json").string()});
    EXPECT_EQ(mismatched.exit_code, 1) << mismatched;
    EXPECT_NE(mismatched.err.find("keys file"), std::string::npos) << mismatched;

    make_bundle(spec("les-veilleurs", 3, false));
    auto const other_key = bundle_tool({"keygen", "--out", (dir_ / "other.key").string(), "--quiet"});
    ASSERT_EQ(other_key.exit_code, 0);
    auto const untrusted =
        gate_tool({"import", "--data", data_.string(), "--gate-key", (dir_ / "other.key").string(),
                   (out_ / "les-veilleurs").string(), (out_ / "les-veilleurs.keys.json").string()});
    EXPECT_EQ(untrusted.exit_code, 1) << untrusted;
    EXPECT_NE(untrusted.err.find("gateKeys"), std::string::npos) << untrusted;

    // A tampered manifest no longer verifies.
    auto manifest = read_file(out_ / "les-veilleurs" / "bundle.json");
    manifest.replace(manifest.find("Six episodes."), 13, "Six episodez.");
    write_file(out_ / "les-veilleurs" / "bundle.json", manifest);
    EXPECT_EQ(import("les-veilleurs").exit_code, 1);

    EXPECT_EQ(stats().at("bundles").at(0).at("version"), 2);
    EXPECT_EQ(gate_tool({"import", "--data", data_.string()}).exit_code, 2);
    EXPECT_EQ(gate_tool({"frobnicate"}).exit_code, 2);
}

// A landing page must not offer the magnet of a torrent whose files are not the ones the bundle signs.
TEST_F(SluiceGate, ImportRefusesATorrentWhoseFilesAreNotTheSignedOnes) {
    make_bundle(spec("les-veilleurs", 1, false));
    auto const first_torrent = read_file(out_ / "les-veilleurs.torrent");
    // The same spec made again: new item keys, so other encrypted files under the same names.
    make_bundle(spec("les-veilleurs", 1, false));
    write_file(out_ / "les-veilleurs.torrent", first_torrent);
    auto const refused = import("les-veilleurs");
    EXPECT_EQ(refused.exit_code, 1) << refused;
    EXPECT_NE(refused.err.find("does not carry the files bundle les-veilleurs signs"), std::string::npos)
        << refused;
    EXPECT_NE(refused.err.find("pieces root differs"), std::string::npos) << refused;
    EXPECT_TRUE(stats().at("bundles").empty());
}

TEST_F(SluiceGate, ALaterVersionReplacesTheEarlierOne) {
    make_bundle(spec("les-veilleurs", 1, false));
    ASSERT_EQ(import("les-veilleurs").exit_code, 0);
    make_bundle(spec("les-veilleurs", 2, false, "Les Veilleurs, revised"));
    auto const second = import("les-veilleurs");
    ASSERT_EQ(second.exit_code, 0) << second;
    EXPECT_EQ(second.out, "les-veilleurs 2: replaced an earlier version\n");
    auto const server = serve();
    auto const status = request(server->port(), "GET", "/v1/bundles/les-veilleurs").body_json();
    EXPECT_EQ(status.at("version"), 2);
    EXPECT_EQ(status.at("title"), "Les Veilleurs, revised");
}

// Three hosts pledge (one retrying with its key) and save a card on the provider's page; the gate is killed,
// the publisher closes the campaign while it is down, and the restarted gate charges each pledge once, after
// which each pledger's token opens the locked item.
TEST_F(SluiceGate, PledgesSurviveACrashAndAFundedCampaignUnlocks) {
    make_bundle(pledge_spec("saison-2", 3));
    ASSERT_EQ(import("saison-2").exit_code, 0);
    auto server = serve_pledges();
    auto const pledge = [&](int port, std::string const& key) {
        return request(port, "POST", "/v1/campaigns/saison-2-campaign/pledges",
                       json{{"device", device_text()}}.dump(), {{"Idempotency-Key", key}});
    };
    auto const progress = [&](int port) {
        return request(port, "GET", "/v1/campaigns/saison-2-campaign").body_json();
    };
    std::vector<std::string> ids;
    std::vector<std::string> first_answers;
    std::vector<std::string> checkouts;
    for (auto const* key : {"host-a-1", "host-b-1", "host-c-1"}) {
        auto const r = pledge(server->port(), key);
        ASSERT_EQ(r.status, 201) << r.body;
        auto const answer = r.body_json();
        EXPECT_EQ(answer.at("state"), "pending");
        EXPECT_EQ(answer.at("chargedOn"), "2030-01-01T00:00:00Z");
        ids.push_back(answer.at("pledgeId").get<std::string>());
        first_answers.push_back(r.body);
        checkouts.push_back(answer.at("checkoutUrl").get<std::string>());
    }
    // Nothing counts before the provider holds the backers' cards.
    EXPECT_EQ(progress(server->port()).at("backers"), 0);
    for (auto const& checkout : checkouts) {
        auto const saved = provider().complete(checkout);
        ASSERT_EQ(saved.status, 200) << saved.body;
    }
    for (auto const& id : ids) {
        wait_for_pledge(server->port(), "saison-2-campaign", id, "confirmed");
    }
    auto const counted = progress(server->port());
    EXPECT_EQ(counted.at("backers"), 3);
    EXPECT_EQ(counted.at("amount"), 4500);
    EXPECT_EQ(counted.at("state"), "open");
    server->kill9();

    // The confirmations were committed before the kill, so they count at the close.
    auto const closed = gate_tool({"close", "--data", data_.string(), "saison-2-campaign"});
    ASSERT_EQ(closed.exit_code, 0) << closed;
    EXPECT_EQ(
        json::parse(closed.out),
        json::parse(R"({"campaignId":"saison-2-campaign","state":"funded","backers":3,"amount":4500})"));
    server = serve_pledges();
    // A retry after the crash gets the first answer, not a second pledge.
    auto const retry = pledge(server->port(), "host-b-1");
    EXPECT_EQ(retry.status, 201);
    EXPECT_EQ(retry.body, first_answers[1]);
    EXPECT_EQ(retry.header("idempotent-replayed"), "true");
    EXPECT_EQ(progress(server->port()).at("state"), "funded");

    for (auto const& id : ids) {
        auto const status = wait_for_pledge(server->port(), "saison-2-campaign", id, "charged");
        ASSERT_TRUE(status.contains("token")) << status.dump();
        expect_token_opens_episode(status.at("token").get<std::string>(), "saison-2");
    }
    auto const after = stats();
    EXPECT_EQ(after.at("unlocks"), 3);
    EXPECT_EQ(after.at("campaigns"),
              json::parse(R"([{"id":"saison-2-campaign","state":"funded","backers":3,"amount":4500}])"));
    // Each pledge charged once, off-session, for its amount.
    auto const attempts = provider().records().at("chargeAttempts");
    ASSERT_EQ(attempts.size(), 3u) << attempts.dump();
    std::set<std::string> keys;
    for (auto const& a : attempts) {
        EXPECT_EQ(a.at("amount"), 1500);
        EXPECT_EQ(a.at("offSession"), true);
        EXPECT_EQ(a.at("outcome"), "succeeded");
        keys.insert(a.at("idempotencyKey").get<std::string>());
    }
    EXPECT_EQ(keys.size(), 3u);
    EXPECT_EQ(gate_tool({"close", "--data", data_.string(), "no-such-campaign"}).exit_code, 1);
}

// Answers of the provider lost on their way back (it acted, then the connection closed): the gate asks again
// under the same key and the provider, which keeps what it did under that key, answers the same. One page per
// pledge and one charge per pledge, whatever was lost.
TEST_F(SluiceGate, LostProviderAnswersAreAskedAgainUnderTheSameKey) {
    make_bundle(pledge_spec("saison-6", 1));
    ASSERT_EQ(import("saison-6").exit_code, 0);
    auto const server = serve_pledges();
    provider().fault("/v1/checkout/sessions", "drop_response");
    auto const pledged = request(server->port(), "POST", "/v1/campaigns/saison-6-campaign/pledges",
                                 json{{"device", device_text()}}.dump(), {{"Idempotency-Key", "host-a-1"}});
    ASSERT_EQ(pledged.status, 201) << pledged.body;
    EXPECT_EQ(provider().pending_faults(), json::array()) << "no answer was lost";
    auto const id = pledged.body_json().at("pledgeId").get<std::string>();
    auto const pages = provider().records().at("sessions");
    ASSERT_EQ(pages.size(), 1u) << pages.dump();
    EXPECT_EQ(pledged.body_json().at("checkoutUrl"),
              provider().url() + "pay/" + pages[0].at("id").get<std::string>());
    ASSERT_EQ(provider().complete(pledged.body_json().at("checkoutUrl").get<std::string>()).status, 200);
    wait_for_pledge(server->port(), "saison-6-campaign", id, "confirmed");

    provider().fault("/v1/payment_intents", "drop_response");
    EXPECT_EQ(close_campaign(server->port(), "saison-6-campaign").at("state"), "funded");
    auto const charged = wait_for_pledge(server->port(), "saison-6-campaign", id, "charged");
    expect_token_opens_episode(charged.at("token").get<std::string>(), "saison-6");
    EXPECT_EQ(provider().pending_faults(), json::array()) << "no answer was lost";
    auto const attempts = provider().records().at("chargeAttempts");
    ASSERT_EQ(attempts.size(), 1u) << attempts.dump();
    EXPECT_EQ(attempts[0].at("outcome"), "succeeded");
    EXPECT_EQ(provider().records().at("paymentIntents").size(), 1u);
}

// What a host pledging through the gate needs: a port chosen before the manifest (which signs the gate's
// URL) is made, a campaign bundle imported, and a host that asks its gate every second.
class SluiceGateHost : public SluiceGate {
protected:
    void SetUp() override {
        SluiceGate::SetUp();
        port_ = free_port();
    }

    void make_campaign_bundle(std::string const& id, int goal_backers) {
        auto s = pledge_spec(id, goal_backers);
        s["gateUrl"] = "http://127.0.0.1:" + std::to_string(port_) + "/";
        make_bundle(s);
        ASSERT_EQ(import(id).exit_code, 0);
    }

    // Waits for an event the host emits on its own (it arrives while other calls wait for their replies),
    // the first of `method` whose params `match`.
    json wait_event(host_process& host, std::string const& method,
                    std::function<bool(json const&)> const& match = {}) {
        json found;
        EXPECT_TRUE(wait_until(
            [&] {
                host.call("bundle.deviceKey");
                for (auto const& e : host.events) {
                    if (e.value("method", "") == method && (!match || match(e["params"]))) {
                        found = e["params"];
                        return true;
                    }
                }
                return false;
            },
            20s))
            << "no " << method << " event";
        return found;
    }

    // campaign.updated once the host has heard that its pledge is `state`.
    json wait_pledge_update(host_process& host, std::string const& state) {
        return wait_event(host, "campaign.updated",
                          [&](json const& p) { return p["pledge"].value("state", "") == state; });
    }

    json campaign_progress(std::string const& campaign) {
        return request(port_, "GET", "/v1/campaigns/" + campaign).body_json();
    }

    json kept_pledges(host_world const& world) {
        return json::parse(read_file(world.data_dir() / "keystore.json")).value("pledges", json::array());
    }

    bool item_unlocked(host_process& host, std::string const& hash) {
        auto const bundle = host.call("bundle.get", {{"infoHash", hash}});
        for (auto const& item : bundle["result"]["items"]) {
            if (item["path"] == "episode-1.webm.locked") {
                return item.value("unlocked", false);
            }
        }
        return false;
    }

    int port_ = 0;
    host_world world_{R"({"gatePollSeconds": 1})"};
};

TEST_F(SluiceGateHost, AHostPledgesOnceAndTakesItsTokenWhenTheCampaignIsFunded) {
    make_campaign_bundle("saison-3", 1);
    auto const server = serve_pledges(port_);
    host_process host(world_);
    auto const hash = host_adds(host, "saison-3");
    EXPECT_FALSE(item_unlocked(host, hash));

    auto const pledged = host.call("bundle.pledge", {{"infoHash", hash}}, 30s);
    ASSERT_TRUE(pledged.contains("result")) << pledged.dump();
    expect_schema(pledged["result"], "bundle.pledge.result");
    EXPECT_EQ(pledged["result"]["status"], "pledged");
    EXPECT_EQ(pledged["result"]["state"], "pending");
    EXPECT_EQ(pledged["result"]["receipts"], 1);
    EXPECT_EQ(pledged["result"]["chargedOn"], "2030-01-01T00:00:00Z");
    auto const pledge_id = pledged["result"]["pledgeId"];
    auto const checkout = pledged["result"]["checkoutUrl"].get<std::string>();
    EXPECT_TRUE(checkout.starts_with(provider().url() + "pay/cs_")) << checkout;
    // Asking again answers the kept pledge, with its page while no card is saved: no second one.
    auto const again = host.call("bundle.pledge", {{"infoHash", hash}}, 30s);
    EXPECT_EQ(again["result"]["status"], "alreadyPledged") << again.dump();
    EXPECT_EQ(again["result"]["pledgeId"], pledge_id);
    EXPECT_EQ(again["result"]["checkoutUrl"], checkout);
    auto const campaign = host.call("bundle.campaign", {{"infoHash", hash}}, 30s);
    ASSERT_TRUE(campaign.contains("result")) << campaign.dump();
    expect_schema(campaign["result"], "bundle.campaign.result");
    EXPECT_EQ(campaign["result"]["campaign"]["backers"], 0);
    EXPECT_EQ(campaign["result"]["campaign"]["goalBackers"], 1);
    EXPECT_EQ(campaign["result"]["pledge"]["pledgeId"], pledge_id);
    EXPECT_EQ(kept_pledges(world_).at(0).at("state"), "pending");

    // The backer saves a card on the page the extension opened; the provider tells the gate, the host hears
    // it from the gate.
    ASSERT_EQ(provider().complete(checkout).status, 200);
    auto const confirmed = wait_pledge_update(host, "confirmed");
    expect_schema(confirmed, "campaign.updated.event");
    EXPECT_EQ(confirmed["campaign"]["backers"], 1);
    EXPECT_EQ(kept_pledges(world_).at(0).at("state"), "confirmed");
    EXPECT_FALSE(item_unlocked(host, hash));
    EXPECT_TRUE(provider().records().at("chargeAttempts").empty());

    EXPECT_EQ(close_campaign(port_, "saison-3-campaign").at("state"), "funded");
    auto const funded = wait_event(host, "campaign.funded");
    expect_schema(funded, "campaign.funded.event");
    EXPECT_EQ(funded["pledgeId"], pledge_id);
    EXPECT_EQ(funded["items"], json::array({"episode-1.webm.locked"}));
    EXPECT_TRUE(item_unlocked(host, hash));
    EXPECT_EQ(kept_pledges(world_).at(0).at("state"), "charged");
    EXPECT_EQ(stats().at("unlocks"), 1);
    EXPECT_EQ(provider().records().at("chargeAttempts").size(), 1u);
}

// The pledge is kept with its idempotency key before it is first sent: a gate that is down, then a host
// killed with -9, and still exactly one pledge (and one page at the provider) once the gate is back.
TEST_F(SluiceGateHost, APledgeMadeWhileTheGateIsDownReachesItOnceAfterARestart) {
    make_campaign_bundle("saison-4", 10);
    std::string key;
    {
        host_process host(world_);
        auto const hash = host_adds(host, "saison-4");
        auto const refused = host.call("bundle.pledge", {{"infoHash", hash}, {"amount", 2000}}, 30s);
        ASSERT_TRUE(refused.contains("error")) << refused.dump();
        EXPECT_EQ(refused["error"]["code"], 1107);
        EXPECT_EQ(refused["error"]["data"]["willRetry"], true);
        auto const kept = kept_pledges(world_);
        ASSERT_EQ(kept.size(), 1u);
        EXPECT_EQ(kept[0]["state"], "sending");
        key = kept[0]["idempotencyKey"];
        host.signal(SIGKILL);
        host.wait_exit();
    }
    auto const server = serve_pledges(port_);
    host_process host(world_);
    ASSERT_TRUE(wait_until([&] { return kept_pledges(world_).at(0).at("state") == "pending"; }, 20s))
        << kept_pledges(world_).dump();
    auto const kept = kept_pledges(world_).at(0);
    EXPECT_EQ(kept.at("idempotencyKey"), key);
    auto const pages = provider().records().at("sessions");
    ASSERT_EQ(pages.size(), 1u) << pages.dump();
    EXPECT_EQ(pages[0].at("mode"), "setup");
    EXPECT_EQ(pages[0].at("metadata").at("sluice_pledge"), kept.at("pledgeId"));
    EXPECT_EQ(campaign_progress("saison-4-campaign").at("backers"), 0);

    ASSERT_EQ(provider().complete(kept.at("checkoutUrl").get<std::string>()).status, 200);
    auto const updated = wait_pledge_update(host, "confirmed");
    expect_schema(updated, "campaign.updated.event");
    EXPECT_EQ(updated["campaign"]["backers"], 1);
    EXPECT_EQ(campaign_progress("saison-4-campaign").at("backers"), 1);
    EXPECT_EQ(campaign_progress("saison-4-campaign").at("amount"), 2000);
}

TEST_F(SluiceGateHost, ACancelledPledgeIsNotCountedAndAFailedCampaignUnlocksNothing) {
    make_campaign_bundle("saison-5", 5);
    auto const server = serve_pledges(port_);
    host_process host(world_);
    auto const hash = host_adds(host, "saison-5");
    EXPECT_EQ(host.call("bundle.cancelPledge", {{"infoHash", hash}})["error"]["code"], 1111);
    auto const first = host.call("bundle.pledge", {{"infoHash", hash}}, 30s);
    ASSERT_TRUE(first.contains("result")) << first.dump();
    ASSERT_EQ(provider().complete(first["result"]["checkoutUrl"].get<std::string>()).status, 200);
    ASSERT_TRUE(wait_until([&] { return campaign_progress("saison-5-campaign").at("backers") == 1; }));
    auto const cancelled = host.call("bundle.cancelPledge", {{"infoHash", hash}}, 30s);
    ASSERT_TRUE(cancelled.contains("result")) << cancelled.dump();
    expect_schema(cancelled["result"], "bundle.cancelPledge.result");
    EXPECT_EQ(cancelled["result"]["status"], "cancelled");
    EXPECT_EQ(cancelled["result"]["receipts"], 2); // the pledge's and the cancellation's
    EXPECT_EQ(campaign_progress("saison-5-campaign").at("backers"), 0);

    // A new pledge after a cancellation is a new pledge.
    auto const second = host.call("bundle.pledge", {{"infoHash", hash}}, 30s);
    ASSERT_TRUE(second.contains("result")) << second.dump();
    EXPECT_EQ(second["result"]["status"], "pledged");
    EXPECT_NE(second["result"]["pledgeId"], first["result"]["pledgeId"]);
    EXPECT_NE(second["result"]["checkoutUrl"], first["result"]["checkoutUrl"]);
    ASSERT_EQ(provider().complete(second["result"]["checkoutUrl"].get<std::string>()).status, 200);
    ASSERT_TRUE(wait_until([&] { return campaign_progress("saison-5-campaign").at("backers") == 1; }));

    EXPECT_EQ(close_campaign(port_, "saison-5-campaign").at("state"), "failed");
    auto const released = wait_event(host, "campaign.released");
    expect_schema(released, "campaign.released.event");
    EXPECT_EQ(released["pledgeId"], second["result"]["pledgeId"]);
    EXPECT_EQ(released["campaignState"], "failed");
    auto const kept = kept_pledges(world_).at(0);
    EXPECT_EQ(kept.at("state"), "released");
    EXPECT_EQ(kept.at("receipts").size(), 2u); // the pledge's and the signed release
    EXPECT_FALSE(item_unlocked(host, hash));
    EXPECT_EQ(stats().at("unlocks"), 0);
    EXPECT_TRUE(provider().records().at("chargeAttempts").empty());
}

// Every gate of one bundle, end to end: three hosts download it from a seed; the first unlocks the episode by
// email and pays for the booklet on the provider's page; all three back the season and save a card, the
// campaign is funded and charged, and each host plays it.
TEST_F(SluiceGateHost, ThreeHostsUnlockByEmailPayAndPledge) {
    auto const booklet = random_bytes(30 * 1024 + 3, 5);
    auto const season = random_bytes(120 * 1024 + 7, 6);
    write_file(src_ / "booklet.pdf", booklet);
    write_file(src_ / "season.webm", season);
    auto s = pledge_spec("tout", 3);
    s["gateUrl"] = "http://127.0.0.1:" + std::to_string(port_) + "/";
    s["items"] = json::array({{{"source", "pilot.webm"}, {"access", "free"}},
                              {{"source", "episode-1.webm"}, {"access", "locked"}, {"gate", "email"}},
                              {{"source", "booklet.pdf"}, {"access", "locked"}, {"gate", "pay"}},
                              {{"source", "season.webm"}, {"access", "locked"}, {"gate", "pledge"}}});
    s["gates"]["email"] = {{"doubleOptIn", false}};
    s["gates"]["pay"] = {{"minimum", 300}, {"currency", "EUR"}};
    make_bundle(s);
    ASSERT_EQ(import("tout").exit_code, 0);
    auto const server = serve_pledges(port_);
    ASSERT_EQ(server->port(), port_);
    made_torrent const torrent{read_file(out_ / "tout.torrent"), "", "tout", {}};
    loopback_seed seed(torrent, out_);

    // Each host downloads the bundle from the seed into its own folder.
    std::vector<std::unique_ptr<host_world>> worlds;
    std::vector<std::unique_ptr<host_process>> hosts;
    std::string hash;
    for (int i = 0; i < 3; ++i) {
        worlds.push_back(std::make_unique<host_world>(R"({"gatePollSeconds": 1})"));
        hosts.push_back(std::make_unique<host_process>(*worlds.back()));
        auto& host = *hosts.back();
        auto const added =
            host.call("torrent.add", {{"torrent", protocol::to_base64(torrent.bytes)},
                                      {"savePath", (worlds.back()->data_dir() / "dl").string()}});
        ASSERT_TRUE(added.contains("result")) << added.dump();
        hash = added["result"]["infoHash"].get<std::string>();
        host.call("torrent.add", {{"uri", "magnet:?xt=urn:btih:" + hash + "&x.pe=" + seed.endpoint()}});
        ASSERT_TRUE(wait_until([&] {
            return host.call("bundle.get", {{"infoHash", hash}})["result"].value("status", "") == "verified";
        }));
    }
    auto const stream_of = [&](host_process& host, std::string const& path) {
        std::string url;
        EXPECT_TRUE(wait_until([&] {
            auto const bundle = host.call("bundle.get", {{"infoHash", hash}});
            for (auto const& item : bundle.value("result", json::object()).value("items", json::array())) {
                if (item["path"] == path && item.value("access", "") == "locked" &&
                    item.value("unlocked", false)) {
                    url = item.value("streamUrl", "");
                }
            }
            return !url.empty();
        })) << path
            << " is not unlocked";
        if (url.empty()) {
            return std::string();
        }
        auto const [stream_port, target] = split_url(url);
        return http_get(stream_port, target).body;
    };

    auto& first = *hosts[0];
    auto const by_email = first.call(
        "bundle.unlock", {{"infoHash", hash}, {"gate", "email"}, {"email", "ada@example.org"}}, 30s);
    ASSERT_TRUE(by_email.contains("result")) << by_email.dump();
    EXPECT_EQ(by_email["result"]["items"], json::array({"episode-1.webm.locked"}));
    EXPECT_TRUE(stream_of(first, "episode-1.webm.locked") == episode_);

    auto const checkout =
        first.call("bundle.unlock", {{"infoHash", hash}, {"gate", "pay"}, {"amount", 400}}, 30s);
    ASSERT_TRUE(checkout.contains("result")) << checkout.dump();
    ASSERT_EQ(provider().complete(checkout["result"]["checkoutUrl"].get<std::string>()).status, 200);
    EXPECT_TRUE(stream_of(first, "booklet.pdf.locked") == booklet);

    for (auto& host : hosts) {
        auto const pledged = host->call("bundle.pledge", {{"infoHash", hash}}, 30s);
        ASSERT_TRUE(pledged.contains("result")) << pledged.dump();
        ASSERT_EQ(provider().complete(pledged["result"]["checkoutUrl"].get<std::string>()).status, 200);
    }
    ASSERT_TRUE(wait_until([&] { return campaign_progress("tout-campaign").at("backers") == 3; }));
    EXPECT_EQ(close_campaign(port_, "tout-campaign").at("state"), "funded");
    for (auto& host : hosts) {
        EXPECT_EQ(wait_event(*host, "campaign.funded")["items"], json::array({"season.webm.locked"}));
        EXPECT_TRUE(stream_of(*host, "season.webm.locked") == season);
    }
    // The other two hosts unlocked neither the episode nor the booklet.
    for (auto const* path : {"episode-1.webm.locked", "booklet.pdf.locked"}) {
        auto const bundle = hosts[1]->call("bundle.get", {{"infoHash", hash}});
        for (auto const& item : bundle["result"]["items"]) {
            if (item["path"] == path) {
                EXPECT_FALSE(item.value("unlocked", false)) << path;
            }
        }
    }
}

} // namespace
} // namespace sluice::testing
