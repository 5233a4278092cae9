// The money of a campaign end to end, with real binaries: sluice-gate serving pledges and charging them
// through its Stripe adapter, against the fake Stripe (publisher/fake-stripe), whose records are the
// provider's side of every check. What must hold (protocol/gate-api.md, "Pledge campaigns"): only a saved
// card counts; a funded campaign charges each confirmed pledge at most once, through a kill -9 in the middle
// of the charge run; declined charges are retried within the grace period; exactly the charged backers get
// tokens; the ledger's sums are the provider's; reconciliation finds nothing; a failed campaign charges
// nothing and releases every card.

#include "fake_provider.hpp"
#include "file_helpers.hpp"
#include "gate_bundle_spec.hpp"
#include "gate_fixture.hpp"
#include "wait_until.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <regex>
#include <set>
#include <thread>

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr char const* campaign = "saison-2";

class GateMoney : public gate_fixture {
protected:
    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(gate_fixture::SetUp());
        write_file(dir_ / "admin.token", std::string(admin_token) + "\n");
        provider_ = std::make_unique<fake_provider>(dir_ / "provider");
    }

    void make_campaign(int goal_backers) {
        write_file(src_ / "episode-1.webm", random_bytes(64 * 1024, 7));
        auto spec = gated_bundle_spec("saison-2-bundle", "pledge", gate_key_);
        spec["gates"]["pledge"]["campaignId"] = campaign;
        spec["gates"]["pledge"]["goalBackers"] = goal_backers;
        ASSERT_NO_FATAL_FAILURE(make_bundle(spec));
        auto const imported = import("saison-2-bundle");
        ASSERT_EQ(imported.exit_code, 0) << imported;
    }

    // Grace and retries in seconds, so that a declined charge is retried, and a hopeless one fails, within
    // the test.
    std::unique_ptr<gate_server> serve_gate() {
        auto extra = admin_args();
        extra.insert(extra.end(),
                     {"--charge-retry-interval", "2s", "--grace-period", "7s", "--charge-concurrency", "8"});
        return serve_paid(*provider_, extra);
    }

    // `count` pledges made by `clients` hosts at once, keys "<prefix>-<n>"; their answers, in key order.
    std::vector<json> pledge_many(int port, std::string const& prefix, int count, int clients,
                                  std::uint64_t amount_every_other = 0) {
        std::vector<json> answers(static_cast<std::size_t>(count));
        std::atomic<int> next{0};
        std::vector<std::thread> threads;
        for (int c = 0; c < clients; ++c) {
            threads.emplace_back([&] {
                for (int n = next++; n < count; n = next++) {
                    json body{{"device", device_text()}};
                    if (amount_every_other > 0 && n % 2 == 1) {
                        body["amount"] = amount_every_other;
                    }
                    auto const r =
                        request(port, "POST", std::string("/v1/campaigns/") + campaign + "/pledges",
                                body.dump(), {{"Idempotency-Key", prefix + "-" + std::to_string(n)}});
                    answers[static_cast<std::size_t>(n)] =
                        r.status == 201 ? r.body_json() : json{{"status", r.status}};
                }
            });
        }
        for (auto& t : threads) {
            t.join();
        }
        return answers;
    }

    json progress(int port) {
        return request(port, "GET", std::string("/v1/campaigns/") + campaign).body_json();
    }

    json ledger(int port) {
        auto const r = admin(port, "GET", std::string("campaigns/") + campaign + "/ledger");
        EXPECT_EQ(r.status, 200) << r.body;
        return r.body_json();
    }

    void set_latency(int ms) {
        auto const r = request(provider_->port(), "POST", "/_fake/latency", json{{"ms", ms}}.dump());
        ASSERT_EQ(r.status, 200) << r.body;
    }

    run_result reconcile() {
        auto args = std::vector<std::string>{"reconcile", "--data", data_.string()};
        auto const stripe = provider_->stripe_args();
        args.insert(args.end(), stripe.begin(), stripe.end());
        return gate_tool(args);
    }

    std::unique_ptr<fake_provider> provider_;
};

// Each succeeded payment at the provider, by the pledge it names.
std::map<std::string, std::vector<json>> succeeded_by_pledge(json const& records) {
    std::map<std::string, std::vector<json>> out;
    for (auto const& pi : records.at("paymentIntents")) {
        if (pi.value("status", "") == "succeeded" && pi.at("metadata").contains("sluice_pledge")) {
            out[pi.at("metadata").at("sluice_pledge").get<std::string>()].push_back(pi);
        }
    }
    return out;
}

TEST_F(GateMoney, AThousandBackersAreChargedOnceThroughAKillAndTheLedgerIsTheProviders) {
    ASSERT_NO_FATAL_FAILURE(make_campaign(900));
    auto server = serve_gate();
    auto const port = server->port();

    // 1,000 backers pledge (every other one 30.00 EUR instead of the 15.00 price).
    auto const pledges = pledge_many(port, "backer", 1000, 16, 3000);
    std::vector<std::string> ids;
    for (auto const& p : pledges) {
        ASSERT_TRUE(p.contains("pledgeId")) << p.dump();
        ASSERT_EQ(p.at("state"), "pending");
        ids.push_back(p.at("pledgeId").get<std::string>());
    }
    EXPECT_EQ(progress(port).at("backers"), 0) << "nothing counts before a card is saved";

    // 950 save a card on the provider's page; 50 never do. Of those cards 20 fail their first charge and 10
    // every charge.
    std::map<std::string, std::string> card_of;
    for (std::size_t n = 0; n < 950; ++n) {
        auto const card = n < 20   ? test_card::declined_once
                          : n < 30 ? test_card::saved_then_declined
                                   : test_card::succeeds;
        auto const done = provider_->complete(pledges[n].at("checkoutUrl").get<std::string>(), card);
        ASSERT_EQ(done.status, 200) << done.body;
        card_of[ids[n]] = card;
    }
    ASSERT_TRUE(wait_until([&] { return progress(port).at("backers") == 950; }, 30s, 100ms))
        << progress(port).dump();
    auto const counted = progress(port);
    EXPECT_EQ(counted.at("amount"), 475 * 1500 + 475 * 3000);

    // Funded; the charge run starts, slowed by the provider's latency, and the gate is killed in its middle.
    set_latency(40);
    EXPECT_EQ(close_campaign(port, campaign).at("state"), "funded");
    ASSERT_TRUE(
        wait_until([&] { return provider_->records().at("chargeAttempts").size() >= 300; }, 30s, 20ms));
    server->kill9();
    auto const at_kill = provider_->records().at("chargeAttempts").size();
    EXPECT_LT(at_kill, 950u) << "the kill came after the run";
    set_latency(0);
    server = serve_gate();
    auto const again = server->port();

    // Everyone is charged or has failed for good once the grace period is over.
    ASSERT_TRUE(wait_until(
        [&] {
            auto const l = ledger(again);
            return l.at("charged").at("count") == 940 && l.at("failed").at("count") == 10;
        },
        60s, 250ms))
        << ledger(again).dump();

    // The provider's records: each confirmed pledge charged at most once, the 940 exactly once.
    auto const records = provider_->records();
    auto const paid = succeeded_by_pledge(records);
    std::uint64_t provider_sum = 0;
    for (auto const& [pledge, payments] : paid) {
        EXPECT_EQ(payments.size(), 1u)
            << "pledge " << pledge << " was charged " << payments.size() << " times";
        provider_sum += payments.front().at("amount").get<std::uint64_t>();
    }
    EXPECT_EQ(paid.size(), 940u);

    // Exactly the charged backers hold tokens.
    for (std::size_t n = 0; n < ids.size(); ++n) {
        auto const status =
            request(again, "GET", std::string("/v1/campaigns/") + campaign + "/pledges/" + ids[n])
                .body_json();
        bool const charged = n < 950 && card_of[ids[n]] != test_card::saved_then_declined;
        EXPECT_EQ(status.contains("token"), charged) << n << " " << status.dump();
        EXPECT_EQ(status.at("state"), n >= 950 ? "released" : charged ? "charged" : "failed") << n;
        if (charged) {
            EXPECT_EQ(paid.count(ids[n]), 1u);
        }
    }
    auto const l = ledger(again);
    EXPECT_EQ(l.at("charged").at("amount"), provider_sum);
    EXPECT_EQ(l.at("net"), provider_sum);
    EXPECT_EQ(l.at("pledged").at("count"), 1000);
    EXPECT_EQ(l.at("released").at("count"), 50);
    EXPECT_GE(l.at("declinedCharges"), 20 + 10 * 3)
        << "the hopeless ones were retried within the grace period";

    auto const clean = reconcile();
    ASSERT_EQ(clean.exit_code, 0) << clean;
    auto const report = json::parse(clean.out);
    EXPECT_EQ(report.at("differences"), json::array());
    EXPECT_EQ(report.at("providerCharges"), 940);
    EXPECT_EQ(report.at("gateAmount"), provider_sum);

    // A refund is the creator's to make; the books still agree after it.
    auto refund_args =
        std::vector<std::string>{"refund", "--data", data_.string(), ids[100], "--amount", "500"};
    auto const stripe = provider_->stripe_args();
    refund_args.insert(refund_args.end(), stripe.begin(), stripe.end());
    auto const refunded = gate_tool(refund_args);
    ASSERT_EQ(refunded.exit_code, 0) << refunded;
    EXPECT_EQ(ledger(again).at("refunded"), json::parse(R"({"count":1,"amount":500})"));
    EXPECT_EQ(ledger(again).at("net"), provider_sum - 500);
    EXPECT_EQ(reconcile().exit_code, 0);
    EXPECT_EQ(request(again, "GET", std::string("/v1/campaigns/") + campaign + "/pledges/" + ids[100])
                  .body_json()
                  .contains("token"),
              true)
        << "a refund takes nothing back";
    std::cout << "charge attempts at the kill: " << at_kill << " of 950\n";
}

TEST_F(GateMoney, AFailedCampaignChargesNothingAndReleasesEveryCard) {
    ASSERT_NO_FATAL_FAILURE(make_campaign(10));
    auto server = serve_gate();
    auto const port = server->port();
    auto const pledges = pledge_many(port, "backer", 5, 2);
    for (auto const& p : pledges) {
        ASSERT_EQ(provider_->complete(p.at("checkoutUrl").get<std::string>()).status, 200);
    }
    ASSERT_TRUE(wait_until([&] { return progress(port).at("backers") == 5; }, 20s, 100ms));
    EXPECT_EQ(close_campaign(port, campaign).at("state"), "failed");
    for (auto const& p : pledges) {
        auto const status = wait_for_pledge(port, campaign, p.at("pledgeId").get<std::string>(), "released");
        EXPECT_TRUE(status.contains("release"));
        EXPECT_FALSE(status.contains("token"));
    }
    // Every saved card is detached at the provider, and nothing was charged.
    auto const csv = gate_tool({"campaign", "--data", data_.string(), campaign, "--csv", "-"});
    ASSERT_EQ(csv.exit_code, 0) << csv;
    std::set<std::string> methods;
    std::regex const method_id("pm_[A-Za-z0-9]+");
    for (std::sregex_iterator it(csv.out.begin(), csv.out.end(), method_id), end; it != end; ++it) {
        methods.insert(it->str());
    }
    ASSERT_EQ(methods.size(), 5u) << csv.out;
    for (auto const& pm : methods) {
        ASSERT_TRUE(wait_until(
            [&] {
                auto const r = request(provider_->port(), "GET", "/v1/payment_methods/" + pm, {},
                                       {{"Authorization", "Bearer " + provider_->secret_key()}});
                return r.status == 200 && r.body_json().at("customer").is_null();
            },
            20s, 100ms))
            << pm << " is still saved";
    }
    EXPECT_EQ(provider_->records().at("chargeAttempts").size(), 0u);
    EXPECT_EQ(ledger(port).at("charged").at("count"), 0);
}

TEST_F(GateMoney, TenThousandPledgesNobodyConfirmsMoveTheGoalByNothing) {
    ASSERT_NO_FATAL_FAILURE(make_campaign(100));
    auto server = serve_gate();
    auto const answers = pledge_many(server->port(), "script", 10000, 16);
    auto const created = std::count_if(answers.begin(), answers.end(),
                                       [](json const& a) { return a.value("state", "") == "pending"; });
    EXPECT_EQ(created, 10000);
    auto const p = progress(server->port());
    EXPECT_EQ(p.at("backers"), 0);
    EXPECT_EQ(p.at("amount"), 0);
    EXPECT_EQ(close_campaign(server->port(), campaign).at("state"), "failed");
}

TEST_F(GateMoney, WebhooksLateTwiceOutOfOrderStaleOrForgedChangeOnlyWhatTheyShould) {
    ASSERT_NO_FATAL_FAILURE(make_campaign(1));
    auto server = serve_gate();
    auto const port = server->port();
    auto const pledges = pledge_many(port, "backer", 3, 1);
    auto const id = [&](int n) {
        return pledges[static_cast<std::size_t>(n)].at("pledgeId").get<std::string>();
    };

    // Twice: applied once.
    provider_->duplicate_webhooks(true);
    ASSERT_EQ(provider_->complete(pledges[0].at("checkoutUrl").get<std::string>()).status, 200);
    ASSERT_TRUE(provider_->wait_delivered("setup_intent.succeeded", 1));
    wait_for_pledge(port, campaign, id(0), "confirmed");
    provider_->duplicate_webhooks(false);

    // Held, then delivered late and in reverse order: the card saved still confirms the pledge.
    provider_->hold_webhooks(true);
    ASSERT_EQ(provider_->complete(pledges[1].at("checkoutUrl").get<std::string>()).status, 200);
    EXPECT_EQ(request(port, "GET", std::string("/v1/campaigns/") + campaign + "/pledges/" + id(1))
                  .body_json()
                  .at("state"),
              "pending");
    provider_->hold_webhooks(false);
    EXPECT_GE(provider_->release_webhooks("reverse"), 2);
    wait_for_pledge(port, campaign, id(1), "confirmed");

    // Stale (signed 10 minutes ago): refused, and the pledge waits; sent again fresh, it is applied.
    provider_->stale_webhooks(600);
    ASSERT_EQ(provider_->complete(pledges[2].at("checkoutUrl").get<std::string>()).status, 200);
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(request(port, "GET", std::string("/v1/campaigns/") + campaign + "/pledges/" + id(2))
                  .body_json()
                  .at("state"),
              "pending");
    provider_->stale_webhooks(0);
    auto const stale = provider_->events("setup_intent.succeeded").back();
    provider_->redeliver(stale.at("id").get<std::string>());
    wait_for_pledge(port, campaign, id(2), "confirmed");

    // Replayed: the same event again is a duplicate; forged: refused.
    auto const replay = provider_->redeliver(stale.at("id").get<std::string>());
    EXPECT_EQ(replay.value("lastStatus", 0), 200) << replay.dump();
    auto const body =
        R"({"id":"evt_forged","object":"event","type":"setup_intent.succeeded","data":{"object":)"
        R"({"customer":"cus_x","payment_method":"pm_x","metadata":{"sluice_pledge":")" +
        id(0) + R"("}}}})";
    auto const forged =
        request(port, "POST", "/v1/payments/webhook", body,
                {{"Stripe-Signature", "t=" + std::to_string(unix_now()) + ",v1=" + std::string(64, 'a')}});
    EXPECT_EQ(forged.status, 401);
    EXPECT_EQ(forged.error_code(), "invalid_signature");
    EXPECT_EQ(progress(port).at("backers"), 3);
}

} // namespace
} // namespace sluice::testing
