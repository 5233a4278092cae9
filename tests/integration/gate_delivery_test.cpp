// sluice-gate after a campaign: deliveries published by the publisher (on the command line and through the
// admin endpoints) reaching each backer as a token, the admin token guarding /v1/admin, and a slow mail
// command that must not stall the server. Real binaries on loopback, as a publisher and a host drive them;
// backers save their cards on the pages of the fake Stripe of publisher/fake-stripe, which the funded
// campaign's charge run then charges.

#include "expect_schema.hpp"
#include "fake_provider.hpp"
#include "file_helpers.hpp"
#include "gate_bundle_spec.hpp"
#include "gate_fixture.hpp"
#include "host_process.hpp"
#include "http_client.hpp"
#include "torrent_fixture.hpp"
#include "wait_until.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <future>
#include <regex>
#include <thread>

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class SluiceGateDelivery : public gate_fixture {
protected:
    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(gate_fixture::SetUp());
        provider_ = std::make_unique<fake_provider>(dir_ / "provider");
    }

    // Bundle `id` whose episode (its own bytes, seeded by `seed`) is locked by the pledge gate of `campaign`.
    void make_pledge_bundle(std::string const& id, std::string const& campaign, unsigned seed,
                            int goal_backers = 2, std::string const& gate_url = "https://gate.example.org/") {
        episodes_[id] = random_bytes(100 * 1024 + seed, seed);
        write_file(src_ / "episode-1.webm", episodes_[id]);
        auto spec = gated_bundle_spec(id, "pledge", gate_key_);
        spec["gateUrl"] = gate_url;
        spec["gates"]["pledge"]["campaignId"] = campaign;
        spec["gates"]["pledge"]["goalBackers"] = goal_backers;
        ASSERT_NO_FATAL_FAILURE(make_bundle(spec));
        auto const imported = import(id);
        ASSERT_EQ(imported.exit_code, 0) << imported;
    }

    // A backer's pledge, its card saved on the provider's page and the provider's word of it taken by the
    // gate: it counts.
    std::string pledge(int port, std::string const& campaign, std::string const& key) {
        auto const r = request(port, "POST", "/v1/campaigns/" + campaign + "/pledges",
                               json{{"device", device_text()}}.dump(), {{"Idempotency-Key", key}});
        EXPECT_EQ(r.status, 201) << r.body;
        auto const answer = r.body_json();
        auto const id = answer.value("pledgeId", "");
        auto const saved = provider_->complete(answer.value("checkoutUrl", ""));
        EXPECT_EQ(saved.status, 200) << saved.body;
        wait_for_pledge(port, campaign, id, "confirmed");
        return id;
    }

    std::unique_ptr<gate_server> serve_pledges(std::vector<std::string> const& extra = {}, int port = 0) {
        return serve_paid(*provider_, extra, port);
    }

    // Each bundle has its own episode, and a delivery's token names the pledge it was issued for.
    void expect_token_opens_episode(std::string const& token, std::string const& id,
                                    std::string const& pledge_id) {
        expect_token_opens(token, id, episodes_.at(id), [&](protocol::verified_token const& t) {
            EXPECT_EQ(t.grantee.kind, protocol::grantee_kind::pledge);
            EXPECT_EQ(t.grantee.ref, pledge_id);
        });
    }

    // The magnet link of bundle `id`'s torrent, as sluice-bundle inspect reads it.
    std::string magnet_of(std::string const& id) {
        auto const inspected = bundle_tool({"inspect", (out_ / (id + ".torrent")).string(), "--json"});
        return json::parse(inspected.out).at("torrent").at("magnet").get<std::string>();
    }

    std::map<std::string, std::string> episodes_;
    std::unique_ptr<fake_provider> provider_;
};

// Two backers fund saison-2; the publisher closes it from the command line, the serving gate charges both,
// the publisher then delivers a new bundle, and each backer's status carries a token that opens it, even
// after a refund.
// The serving gate notices a close made by another process at its next look at the store (every 10 s): this
// test waits for that, up to 10 s.
TEST_F(SluiceGateDelivery, AFundedCampaignsBackersReceiveTheDelivery) {
    make_pledge_bundle("saison-2", "saison-2-campaign", 2);
    auto const server = serve_pledges();
    std::vector<std::string> const pledges{pledge(server->port(), "saison-2-campaign", "host-a-1"),
                                           pledge(server->port(), "saison-2-campaign", "host-b-1")};
    make_pledge_bundle("saison-2-ep2", "saison-2-campaign", 3);
    // Before the funding there is nothing to deliver to.
    auto const early = gate_tool({"deliver", "--data", data_.string(), "saison-2-campaign", "saison-2-ep2"});
    EXPECT_EQ(early.exit_code, 1) << early;
    EXPECT_NE(early.err.find("still open"), std::string::npos) << early;
    ASSERT_EQ(gate_tool({"close", "--data", data_.string(), "saison-2-campaign"}).exit_code, 0);

    auto const delivered =
        gate_tool({"deliver", "--data", data_.string(), "saison-2-campaign", "saison-2-ep2"});
    ASSERT_EQ(delivered.exit_code, 0) << delivered;
    auto const delivery = json::parse(delivered.out);
    EXPECT_EQ(delivery.at("campaignId"), "saison-2-campaign");
    EXPECT_EQ(delivery.at("bundleId"), "saison-2-ep2");
    EXPECT_EQ(delivery.at("version"), 1);
    EXPECT_EQ(delivery.at("magnet"), magnet_of("saison-2-ep2"));
    EXPECT_TRUE(std::regex_match(delivery.at("publishedAt").get<std::string>(),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
    // Delivering again changes nothing and says the same.
    auto const again = gate_tool({"deliver", "--data", data_.string(), "saison-2-campaign", "saison-2-ep2"});
    EXPECT_EQ(again.exit_code, 0) << again;
    EXPECT_EQ(again.out, delivered.out);

    auto const expected_deliveries = json::array({json{{"bundleId", "saison-2-ep2"},
                                                       {"version", 1},
                                                       {"magnet", delivery.at("magnet")},
                                                       {"publishedAt", delivery.at("publishedAt")}}});
    auto const shown = gate_tool({"campaign", "--data", data_.string(), "saison-2-campaign"});
    ASSERT_EQ(shown.exit_code, 0) << shown;
    auto progress = json::parse(shown.out);
    EXPECT_EQ(progress.at("state"), "funded");
    EXPECT_EQ(progress.at("backers"), 2);
    EXPECT_EQ(progress.at("deliveries"), expected_deliveries);
    auto served = request(server->port(), "GET", "/v1/campaigns/saison-2-campaign").body_json();
    // The same shape as the HTTP answer; only the seconds left may have moved between the two.
    progress.erase("secondsLeft");
    served.erase("secondsLeft");
    EXPECT_EQ(served, progress);

    for (auto const& id : pledges) {
        auto const status = wait_for_pledge(server->port(), "saison-2-campaign", id, "charged", 30s);
        ASSERT_TRUE(status.contains("token")) << status.dump();
        expect_token_opens_episode(status.at("token").get<std::string>(), "saison-2", id);
        ASSERT_EQ(status.at("deliveries").size(), 1u) << status.dump();
        auto const& d = status.at("deliveries").at(0);
        EXPECT_EQ(d.at("bundleId"), "saison-2-ep2");
        EXPECT_EQ(d.at("version"), 1);
        EXPECT_EQ(d.at("magnet"), delivery.at("magnet"));
        expect_token_opens_episode(d.at("token").get<std::string>(), "saison-2-ep2", id);
        // Issued once: asked again, the same token.
        auto const later = request(server->port(), "GET", "/v1/campaigns/saison-2-campaign/pledges/" + id);
        EXPECT_EQ(later.body_json().at("deliveries").at(0).at("token"), d.at("token"));
    }
    auto const stats = json::parse(gate_tool({"stats", "--data", data_.string()}).out);
    EXPECT_EQ(stats.at("unlocks"), 4);
    // The money: both charged once, nothing declined or refunded.
    auto const ledger =
        gate_tool({"campaign", "--data", data_.string(), "saison-2-campaign", "--ledger", "yes"});
    ASSERT_EQ(ledger.exit_code, 0) << ledger;
    auto const money = json::parse(ledger.out);
    EXPECT_EQ(money.at("charged"), json::parse(R"({"count":2,"amount":3000})")) << money.dump();
    EXPECT_EQ(money.at("declinedCharges"), 0) << money.dump();
    EXPECT_EQ(money.at("net"), 3000) << money.dump();
    EXPECT_EQ(provider_->records().at("chargeAttempts").size(), 2u);

    // A refund gives the money back; what was delivered stays the backer's.
    auto refund_args = std::vector<std::string>{"refund", "--data", data_.string()};
    auto const stripe = provider_->stripe_args();
    refund_args.insert(refund_args.end(), stripe.begin(), stripe.end());
    refund_args.push_back(pledges[0]);
    auto const refunded = gate_tool(refund_args);
    ASSERT_EQ(refunded.exit_code, 0) << refunded;
    auto const after_refund =
        request(server->port(), "GET", "/v1/campaigns/saison-2-campaign/pledges/" + pledges[0]).body_json();
    ASSERT_TRUE(after_refund.contains("token")) << after_refund.dump();
    expect_token_opens_episode(after_refund.at("token").get<std::string>(), "saison-2", pledges[0]);
    EXPECT_EQ(after_refund.at("deliveries").size(), 1u) << after_refund.dump();
    auto const refunds = provider_->records().at("refunds");
    ASSERT_EQ(refunds.size(), 1u) << refunds.dump();
    EXPECT_EQ(refunds[0].at("amount"), 1500);
    auto const net = json::parse(
        gate_tool({"campaign", "--data", data_.string(), "saison-2-campaign", "--ledger", "yes"}).out);
    EXPECT_EQ(net.at("refunded"), json::parse(R"({"count":1,"amount":1500})")) << net.dump();
    EXPECT_EQ(net.at("net"), 1500) << net.dump();
    // The gate's records and the provider's agree.
    auto reconcile_args = std::vector<std::string>{"reconcile", "--data", data_.string()};
    reconcile_args.insert(reconcile_args.end(), stripe.begin(), stripe.end());
    auto const reconciled = gate_tool(reconcile_args);
    EXPECT_EQ(reconciled.exit_code, 0) << reconciled;
}

TEST_F(SluiceGateDelivery, RefusedDeliveries) {
    make_pledge_bundle("saison-2", "saison-2-campaign", 2, 5);
    make_pledge_bundle("saison-2-ep2", "saison-2-campaign", 3, 5);
    make_pledge_bundle("autre", "other-campaign", 4, 1);
    auto const server = serve_pledges(admin_args());
    pledge(server->port(), "other-campaign", "host-a-1");
    ASSERT_EQ(gate_tool({"close", "--data", data_.string(), "other-campaign"}).exit_code, 0);
    // Short of its goal of 5: failed, its backers released.
    auto const closed = gate_tool({"close", "--data", data_.string(), "saison-2-campaign"});
    ASSERT_EQ(json::parse(closed.out).at("state"), "failed") << closed;

    auto const failed = gate_tool({"deliver", "--data", data_.string(), "saison-2-campaign", "saison-2-ep2"});
    EXPECT_EQ(failed.exit_code, 1) << failed;
    EXPECT_NE(failed.err.find("failed"), std::string::npos) << failed;
    auto const over_http = admin(server->port(), "POST", "campaigns/saison-2-campaign/deliveries",
                                 json{{"bundleId", "saison-2-ep2"}}.dump());
    EXPECT_EQ(over_http.status, 409) << over_http.body;
    EXPECT_EQ(over_http.error_code(), "campaign_failed");

    // A bundle of another campaign, a bundle not imported, a campaign that does not exist.
    auto const mismatch = gate_tool({"deliver", "--data", data_.string(), "other-campaign", "saison-2-ep2"});
    EXPECT_EQ(mismatch.exit_code, 1) << mismatch;
    EXPECT_EQ(gate_tool({"deliver", "--data", data_.string(), "other-campaign", "not-imported"}).exit_code,
              1);
    EXPECT_EQ(gate_tool({"deliver", "--data", data_.string(), "no-campaign", "autre"}).exit_code, 1);
    EXPECT_EQ(gate_tool({"deliver", "--data", data_.string(), "other-campaign"}).exit_code, 2);
    EXPECT_EQ(gate_tool({"campaign", "--data", data_.string(), "no-campaign"}).exit_code, 1);
    EXPECT_EQ(request(server->port(), "GET", "/v1/campaigns/saison-2-campaign").body_json().at("deliveries"),
              json::array());
}

TEST_F(SluiceGateDelivery, AdminEndpointsNeedTheToken) {
    make_pledge_bundle("saison-2", "saison-2-campaign", 2);
    make_pledge_bundle("saison-2-ep2", "saison-2-campaign", 3);
    {
        // Without a token configured there is no admin surface at all.
        auto const closed_gate = serve();
        auto const r = admin(closed_gate->port(), "GET", "stats");
        EXPECT_EQ(r.status, 404);
        EXPECT_EQ(r.error_code(), "not_found");
    }
    auto const server = serve_pledges(admin_args());
    auto const port = server->port();
    auto const id = pledge(port, "saison-2-campaign", "host-a-1");
    pledge(port, "saison-2-campaign", "host-b-1");

    for (auto const& token :
         std::vector<std::optional<std::string>>{std::nullopt, "", "admin-0123456789abcdef0123456789abcdeX",
                                                 "admin-0123456789abcdef0123456789abcde"}) {
        auto const r = admin(port, "POST", "campaigns/saison-2-campaign/close", "", token);
        EXPECT_EQ(r.status, 401) << token.value_or("(none)") << " " << r.body;
        EXPECT_EQ(r.error_code(), "unauthorized");
        EXPECT_EQ(r.headers.at("www-authenticate"), "Bearer");
    }
    EXPECT_EQ(admin(port, "GET", "stats", "", "wrong").status, 401);
    EXPECT_EQ(request(port, "GET", "/v1/campaigns/saison-2-campaign").body_json().at("state"), "open");

    auto const stats = admin(port, "GET", "stats");
    ASSERT_EQ(stats.status, 200) << stats.body;
    EXPECT_EQ(stats.body_json(), json::parse(gate_tool({"stats", "--data", data_.string()}).out));
    auto const closed = admin(port, "POST", "campaigns/saison-2-campaign/close");
    ASSERT_EQ(closed.status, 200) << closed.body;
    EXPECT_EQ(
        closed.body_json(),
        json::parse(R"({"campaignId":"saison-2-campaign","state":"funded","backers":2,"amount":3000})"));
    auto const delivered = admin(port, "POST", "campaigns/saison-2-campaign/deliveries",
                                 json{{"bundleId", "saison-2-ep2"}}.dump());
    ASSERT_EQ(delivered.status, 201) << delivered.body;
    EXPECT_EQ(delivered.body_json().at("bundleId"), "saison-2-ep2");
    auto const again = admin(port, "POST", "campaigns/saison-2-campaign/deliveries",
                             json{{"bundleId", "saison-2-ep2"}}.dump());
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.body, delivered.body);
    // Tokens come once the pledge is charged, which the close over HTTP starts at once.
    auto const status = wait_for_pledge(port, "saison-2-campaign", id, "charged");
    ASSERT_EQ(status.value("deliveries", json::array()).size(), 1u) << status.dump();
    expect_token_opens_episode(status.at("deliveries").at(0).at("token").get<std::string>(), "saison-2-ep2",
                               id);

    // A token file too short to be a secret is refused at start.
    write_file(dir_ / "short.token", "0123456789\n");
    auto const refused = gate_tool(serve_args({"--admin-token-file", (dir_ / "short.token").string()}));
    EXPECT_EQ(refused.exit_code, 1) << refused;
    EXPECT_NE(refused.err.find("at least 32"), std::string::npos) << refused;
}

// The mail command waits on a worker: while it sleeps 3 s, other requests are answered at once.
TEST_F(SluiceGateDelivery, ASlowMailCommandDoesNotStallOtherRequests) {
    make_pledge_bundle("saison-2", "saison-2-campaign", 2);
    auto spec_for_mail = gated_bundle_spec("confirmed", "email", gate_key_);
    spec_for_mail["gates"]["email"]["doubleOptIn"] = true;
    ASSERT_NO_FATAL_FAILURE(make_bundle(spec_for_mail));
    ASSERT_EQ(import("confirmed").exit_code, 0);
    auto const mail = dir_ / "mail";
    auto const server = serve({"--mail-command", "sleep 3; cat > '" + mail.string() + "'"});
    auto const port = server->port();

    auto const started = std::chrono::steady_clock::now();
    auto slow = std::async(std::launch::async, [&] {
        return request(port, "POST", "/v1/bundles/confirmed/unlock/email",
                       json{{"email", "ada@example.org"}, {"device", device_text()}}.dump());
    });
    // Give the mail request a head start, so the gate is surely waiting for the command.
    std::this_thread::sleep_for(300ms);
    auto const quick = request(port, "GET", "/v1/campaigns/saison-2-campaign");
    auto const quick_done = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(quick.status, 200) << quick.body;
    EXPECT_EQ(request(port, "GET", "/v1/bundles/confirmed").status, 200);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms)
        << "the other requests waited "
        << std::chrono::duration_cast<std::chrono::milliseconds>(quick_done).count()
        << " ms for the mail command";
    EXPECT_NE(slow.wait_for(0s), std::future_status::ready)
        << "the mail request was answered before its mail went";

    auto const asked = slow.get();
    EXPECT_EQ(asked.status, 202) << asked.body;
    EXPECT_GE(std::chrono::steady_clock::now() - started, 2900ms);
    EXPECT_NE(read_file(mail).find("To: ada@example.org"), std::string::npos);
}

// The host's side: it pledges and its card is saved, the campaign is funded and charged, the publisher
// delivers a new bundle, and the host adds the delivery on its own and, once the bundle is there and
// verified, plays its locked episode.
TEST_F(SluiceGateDelivery, AHostTakesInTheDeliveriesOfACampaignItBacked) {
    int const port = free_port();
    auto const gate_url = "http://127.0.0.1:" + std::to_string(port) + "/";
    make_pledge_bundle("saison-9", "saison-9-campaign", 2, 1, gate_url);
    auto const server = serve_pledges(admin_args(), port);
    ASSERT_EQ(server->port(), port);

    host_world world(json{{"gatePollSeconds", 1}, {"downloadFolder", (dir_ / "downloads").string()}}.dump());
    host_process host(world);
    auto const added =
        host.call("torrent.add", {{"torrent", protocol::to_base64(read_file(out_ / "saison-9.torrent"))},
                                  {"savePath", out_.string()}});
    ASSERT_TRUE(added.contains("result")) << added.dump();
    auto const hash = added["result"]["infoHash"].get<std::string>();
    ASSERT_TRUE(wait_until([&] {
        return host.call("bundle.get", {{"infoHash", hash}})["result"].value("status", "") == "verified";
    }));
    auto const pledged = host.call("bundle.pledge", {{"infoHash", hash}}, 30s);
    ASSERT_TRUE(pledged.contains("result")) << pledged.dump();
    ASSERT_EQ(provider_->complete(pledged["result"]["checkoutUrl"].get<std::string>()).status, 200);
    wait_for_pledge(port, "saison-9-campaign", pledged["result"]["pledgeId"].get<std::string>(), "confirmed");
    EXPECT_EQ(close_campaign(port, "saison-9-campaign").at("state"), "funded");

    make_pledge_bundle("saison-9-ep2", "saison-9-campaign", 3, 1, gate_url);
    auto const delivered =
        gate_tool({"deliver", "--data", data_.string(), "saison-9-campaign", "saison-9-ep2"});
    ASSERT_EQ(delivered.exit_code, 0) << delivered;
    auto const event_of = [&](std::string const& method) {
        json found;
        EXPECT_TRUE(wait_until(
            [&] {
                host.call("bundle.deviceKey");
                for (auto const& e : host.events) {
                    if (e.value("method", "") == method) {
                        found = e["params"];
                    }
                }
                return found.is_object();
            },
            20s))
            << "no " << method;
        return found;
    };
    auto const funded = event_of("campaign.funded");
    EXPECT_EQ(funded["bundleId"], "saison-9");
    auto const delivery = event_of("campaign.delivered");
    expect_schema(delivery, "campaign.delivered.event");
    EXPECT_EQ(delivery["bundleId"], "saison-9-ep2");
    ASSERT_TRUE(delivery["infoHash"].is_string()) << delivery.dump();
    auto const delivery_hash = delivery["infoHash"].get<std::string>();

    // The magnet names no peer (none is known to the gate): a seed is named to the host the way a user would.
    made_torrent const ep2{read_file(out_ / "saison-9-ep2.torrent"), delivery_hash, "saison-9-ep2", {}};
    loopback_seed seed(ep2, out_);
    auto const again = host.call(
        "torrent.add", {{"uri", "magnet:?xt=urn:btih:" + delivery_hash + "&x.pe=" + seed.endpoint()}});
    EXPECT_EQ(again["result"]["duplicate"], true) << again.dump();
    std::string url;
    ASSERT_TRUE(wait_until(
        [&] {
            auto const bundle = host.call("bundle.get", {{"infoHash", delivery_hash}});
            auto const items = bundle.value("result", json::object()).value("items", json::array());
            for (auto const& item : items) {
                if (item["path"] == "episode-1.webm.locked" && item.value("unlocked", false)) {
                    url = item.value("streamUrl", "");
                }
            }
            return !url.empty();
        },
        20s));
    auto const [stream_port, target] = split_url(url);
    EXPECT_TRUE(http_get(stream_port, target).body == episodes_.at("saison-9-ep2"));
}

} // namespace
} // namespace sluice::testing
