// The money of a campaign end to end, with real binaries: sluice-gate serving pledges and charging them
// through its Stripe adapter, against the fake Stripe (publisher/fake-stripe), whose records are the
// provider's side of every check. What must hold (protocol/gate-api.md, "Pledge campaigns"): only a saved
// card counts; a funded campaign charges each confirmed pledge at most once, through a kill -9 in the middle
// of the charge run; declined charges are retried within the grace period; exactly the charged backers get
// tokens, each unlocking what its tier brings; the ledger's sums are the provider's, tier by tier;
// reconciliation finds nothing; a failed campaign charges nothing and releases every card; a limited tier's
// places go to the cards saved first, and a card saved after it filled is forgotten.

#include "fake_provider.hpp"
#include "file_helpers.hpp"
#include "gate_bundle_spec.hpp"
#include "gate_fixture.hpp"
#include "wait_until.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/locked_item.hpp>
#include <sluice/protocol/unlock_token.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <optional>
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

    // With two tiers, "collector" takes at most `collector_limit` backers when one is given.
    void make_campaign(int goal_backers, pledge_offer offer = pledge_offer::single_price,
                       std::optional<int> collector_limit = std::nullopt) {
        write_file(src_ / "episode-1.webm", random_bytes(64 * 1024, 7));
        write_file(src_ / "making-of.webm", random_bytes(32 * 1024, 8));
        auto spec = gated_bundle_spec(bundle_id, "pledge", gate_key_, offer);
        spec["gates"]["pledge"]["campaignId"] = campaign;
        spec["gates"]["pledge"]["goalBackers"] = goal_backers;
        if (collector_limit) {
            spec["gates"]["pledge"]["tiers"][1]["limit"] = *collector_limit;
        }
        ASSERT_NO_FATAL_FAILURE(make_bundle(spec));
        auto const imported = import(bundle_id);
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

    // `count` pledges made by `clients` hosts at once, keys "<prefix>-<n>", the n-th in the tier `tier_of(n)`
    // names (none when it is empty); their answers, in key order.
    std::vector<json> pledge_many(int port, std::string const& prefix, int count, int clients,
                                  std::function<std::string(int)> const& tier_of = {}) {
        std::vector<json> answers(static_cast<std::size_t>(count));
        std::atomic<int> next{0};
        std::vector<std::thread> threads;
        for (int c = 0; c < clients; ++c) {
            threads.emplace_back([&] {
                for (int n = next++; n < count; n = next++) {
                    auto const r =
                        make_pledge(port, prefix + "-" + std::to_string(n), tier_of ? tier_of(n) : "");
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

    reply make_pledge(int port, std::string const& key, std::string const& tier = {}) {
        json body{{"device", device_text()}};
        if (!tier.empty()) {
            body["tier"] = tier;
        }
        return request(port, "POST", std::string("/v1/campaigns/") + campaign + "/pledges", body.dump(),
                       {{"Idempotency-Key", key}});
    }

    json pledge_status(int port, std::string const& id) {
        return request(port, "GET", std::string("/v1/campaigns/") + campaign + "/pledges/" + id).body_json();
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

    // What a host does with a pledge's token: verifies it against the bundle's manifest and opens each item
    // it unlocks, which must be its source file. The paths of those items.
    std::set<std::string> items_opened_by(std::string const& token) {
        if (!manifest_) {
            auto parsed = protocol::parse_bundle_manifest(read_file(out_ / bundle_id / "bundle.json"));
            EXPECT_TRUE(parsed) << parsed.error;
            if (!parsed) {
                return {};
            }
            manifest_ = *parsed.manifest;
        }
        protocol::token_expectations const expect{
            manifest_->gate_keys, bundle_id, manifest_->version, device_,
            std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
        auto const verified = protocol::verify_unlock_token(token, expect);
        EXPECT_TRUE(verified) << protocol::to_string(verified.problem) << ": " << verified.detail;
        std::set<std::string> paths;
        for (auto const& [path, key] : verified.token.item_keys) {
            auto& sealed = sealed_[path];
            if (sealed.empty()) {
                sealed = read_file(out_ / bundle_id / path);
            }
            std::error_code ec;
            auto const plain = protocol::open_item(sealed, key, protocol::item_identity(bundle_id, path), ec);
            EXPECT_FALSE(ec) << path << ": " << ec.message();
            auto const source = path.substr(0, path.size() - std::string_view(".locked").size());
            auto& original = sources_[source];
            if (original.empty()) {
                original = read_file(src_ / source);
            }
            EXPECT_TRUE(plain == original) << path << " opens to other bytes";
            paths.insert(path);
        }
        return paths;
    }

    run_result reconcile() {
        auto args = std::vector<std::string>{"reconcile", "--data", data_.string()};
        auto const stripe = provider_->stripe_args();
        args.insert(args.end(), stripe.begin(), stripe.end());
        return gate_tool(args);
    }

    static constexpr char const* bundle_id = "saison-2-bundle";
    std::unique_ptr<fake_provider> provider_;
    std::optional<protocol::bundle_manifest> manifest_;
    std::map<std::string, std::string> sealed_;
    std::map<std::string, std::string> sources_;
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

// Each tier of the two-tier campaign: its price and the items its token opens.
struct tier_offer {
    std::uint64_t price;
    std::set<std::string> items;
};
std::map<std::string, tier_offer> const two_tiers{
    {"season", {1500, {"episode-1.webm.locked"}}},
    {"collector", {4000, {"episode-1.webm.locked", "making-of.webm.locked"}}}};

TEST_F(GateMoney, AThousandBackersAreChargedOnceThroughAKillAndTheLedgerIsTheProviders) {
    ASSERT_NO_FATAL_FAILURE(make_campaign(900, pledge_offer::two_tiers));
    auto server = serve_gate();
    auto const port = server->port();

    // 1,000 backers pledge, half in the season tier (15.00 EUR), half in the collector's (40.00 EUR).
    auto const tier_of = [](std::size_t n) { return n % 2 == 0 ? "season" : "collector"; };
    auto const pledges =
        pledge_many(port, "backer", 1000, 16, [&](int n) { return tier_of(static_cast<std::size_t>(n)); });
    std::vector<std::string> ids;
    std::map<std::string, std::string> tier_of_pledge;
    for (std::size_t n = 0; n < pledges.size(); ++n) {
        auto const& p = pledges[n];
        ASSERT_TRUE(p.contains("pledgeId")) << p.dump();
        ASSERT_EQ(p.at("state"), "pending");
        ASSERT_EQ(p.at("tier"), tier_of(n));
        ASSERT_EQ(p.at("amount"), two_tiers.at(tier_of(n)).price)
            << "a tier's pledge is its price by default";
        ids.push_back(p.at("pledgeId").get<std::string>());
        tier_of_pledge[ids.back()] = tier_of(n);
    }
    EXPECT_EQ(progress(port).at("backers"), 0) << "nothing counts before a card is saved";

    // 950 save a card on the provider's page; 50 never do. Of those cards 20 fail their first charge and 10
    // every charge (half of each in either tier).
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
    EXPECT_EQ(counted.at("amount"), 475 * 1500 + 475 * 4000);
    EXPECT_EQ(counted.at("price"), 1500) << "a tiered campaign's price is its lowest tier's";
    ASSERT_EQ(counted.at("tiers").size(), 2u) << counted.dump();
    for (auto const& t : counted.at("tiers")) {
        EXPECT_EQ(t.at("backers"), 475) << t.dump();
        EXPECT_EQ(t.at("price"), two_tiers.at(t.at("id").get<std::string>()).price);
        EXPECT_FALSE(t.contains("left")) << "neither tier is limited";
    }

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

    // The provider's records: each confirmed pledge charged at most once, the 940 exactly once, every
    // attempt at the price of the pledge's tier.
    auto const records = provider_->records();
    auto const paid = succeeded_by_pledge(records);
    std::uint64_t provider_sum = 0;
    std::map<std::uint64_t, std::pair<int, std::uint64_t>> provider_by_amount; // amount: count, sum
    std::map<std::string, std::string> pledge_of_payment;
    for (auto const& [pledge, payments] : paid) {
        EXPECT_EQ(payments.size(), 1u)
            << "pledge " << pledge << " was charged " << payments.size() << " times";
        auto const amount = payments.front().at("amount").get<std::uint64_t>();
        EXPECT_EQ(amount, two_tiers.at(tier_of_pledge.at(pledge)).price) << pledge;
        provider_sum += amount;
        provider_by_amount[amount].first += 1;
        provider_by_amount[amount].second += amount;
    }
    EXPECT_EQ(paid.size(), 940u);
    for (auto const& pi : records.at("paymentIntents")) {
        if (pi.at("metadata").contains("sluice_pledge")) {
            pledge_of_payment[pi.at("id").get<std::string>()] = pi.at("metadata").at("sluice_pledge");
        }
    }
    for (auto const& attempt : records.at("chargeAttempts")) {
        auto const pledge = pledge_of_payment.find(attempt.at("paymentIntent").get<std::string>());
        ASSERT_NE(pledge, pledge_of_payment.end()) << attempt.dump();
        EXPECT_EQ(attempt.at("amount"), two_tiers.at(tier_of_pledge.at(pledge->second)).price)
            << attempt.dump();
    }

    // Exactly the charged backers hold tokens, each opening what its tier unlocks: the season's the episode,
    // the collector's the episode and the making-of.
    for (std::size_t n = 0; n < ids.size(); ++n) {
        auto const status = pledge_status(again, ids[n]);
        bool const charged = n < 950 && card_of[ids[n]] != test_card::saved_then_declined;
        EXPECT_EQ(status.contains("token"), charged) << n << " " << status.dump();
        EXPECT_EQ(status.at("state"), n >= 950 ? "released" : charged ? "charged" : "failed") << n;
        EXPECT_EQ(status.at("tier"), tier_of(n)) << n;
        if (charged) {
            EXPECT_EQ(paid.count(ids[n]), 1u);
            EXPECT_EQ(items_opened_by(status.at("token").get<std::string>()), two_tiers.at(tier_of(n)).items)
                << n;
        }
    }
    auto const l = ledger(again);
    EXPECT_EQ(l.at("charged").at("amount"), provider_sum);
    EXPECT_EQ(l.at("net"), provider_sum);
    EXPECT_EQ(l.at("pledged").at("count"), 1000);
    EXPECT_EQ(l.at("released").at("count"), 50);
    EXPECT_GE(l.at("declinedCharges"), 20 + 10 * 3)
        << "the hopeless ones were retried within the grace period";

    // The ledger tier by tier: 500 pledges each, 475 confirmed, 25 released, 5 failed, 470 charged at the
    // tier's price, as many and as much as the provider charged at that price.
    ASSERT_EQ(l.at("tiers").size(), 2u) << l.dump();
    std::uint64_t tiers_net = 0;
    for (auto const& t : l.at("tiers")) {
        auto const id = t.at("id").get<std::string>();
        auto const price = two_tiers.at(id).price;
        EXPECT_EQ(t.at("price"), price);
        EXPECT_EQ(t.at("pledged"), json({{"count", 500}, {"amount", 500 * price}})) << id;
        EXPECT_EQ(t.at("confirmed"), json({{"count", 475}, {"amount", 475 * price}})) << id;
        EXPECT_EQ(t.at("released"), json({{"count", 25}, {"amount", 25 * price}})) << id;
        EXPECT_EQ(t.at("failed"), json({{"count", 5}, {"amount", 5 * price}})) << id;
        EXPECT_EQ(t.at("charged"), json({{"count", 470}, {"amount", 470 * price}})) << id;
        EXPECT_EQ(t.at("charged").at("count"), provider_by_amount[price].first) << id;
        EXPECT_EQ(t.at("charged").at("amount"), provider_by_amount[price].second) << id;
        EXPECT_GE(t.at("declinedCharges"), 10 + 5 * 3) << id;
        tiers_net += t.at("net").get<std::uint64_t>();
    }
    EXPECT_EQ(tiers_net, provider_sum);

    auto const clean = reconcile();
    ASSERT_EQ(clean.exit_code, 0) << clean;
    auto const report = json::parse(clean.out);
    EXPECT_EQ(report.at("differences"), json::array());
    EXPECT_EQ(report.at("providerCharges"), 940);
    EXPECT_EQ(report.at("gateAmount"), provider_sum);

    // A refund is the creator's to make; the books still agree after it, and it counts in its pledge's tier.
    ASSERT_EQ(tier_of(100), std::string("season"));
    auto refund_args =
        std::vector<std::string>{"refund", "--data", data_.string(), ids[100], "--amount", "500"};
    auto const stripe = provider_->stripe_args();
    refund_args.insert(refund_args.end(), stripe.begin(), stripe.end());
    auto const refunded = gate_tool(refund_args);
    ASSERT_EQ(refunded.exit_code, 0) << refunded;
    auto const after = ledger(again);
    EXPECT_EQ(after.at("refunded"), json::parse(R"({"count":1,"amount":500})"));
    EXPECT_EQ(after.at("net"), provider_sum - 500);
    EXPECT_EQ(after.at("tiers").at(0).at("refunded"), json::parse(R"({"count":1,"amount":500})"));
    EXPECT_EQ(after.at("tiers").at(1).at("refunded").at("count"), 0);
    EXPECT_EQ(reconcile().exit_code, 0);
    EXPECT_EQ(pledge_status(again, ids[100]).contains("token"), true) << "a refund takes nothing back";
    std::cout << "charge attempts at the kill: " << at_kill << " of 950\n";
}

TEST_F(GateMoney, ALimitedTierGoesToTheCardsSavedFirstAndForgetsTheOneTooLate) {
    ASSERT_NO_FATAL_FAILURE(make_campaign(1, pledge_offer::two_tiers, 2));
    auto server = serve_gate();
    auto const port = server->port();

    // Three backers pledge in the collector's tier, of two places: a pledge nobody confirmed holds none.
    auto const pledges = pledge_many(port, "collector", 3, 1, [](int) { return "collector"; });
    std::vector<std::string> ids;
    for (auto const& p : pledges) {
        ASSERT_TRUE(p.contains("pledgeId")) << p.dump();
        ASSERT_EQ(p.at("tier"), "collector");
        ids.push_back(p.at("pledgeId").get<std::string>());
    }
    EXPECT_EQ(progress(port).at("tiers").at(1).at("left"), 2);

    // They save their cards one after the other: the first two take the places, the third finds none.
    for (std::size_t n = 0; n < 3; ++n) {
        ASSERT_EQ(provider_->complete(pledges[n].at("checkoutUrl").get<std::string>()).status, 200);
        wait_for_pledge(port, campaign, ids[n], n < 2 ? "confirmed" : "released");
    }
    auto const late = pledge_status(port, ids[2]);
    EXPECT_EQ(late.at("reason"), "tier_sold_out") << late.dump();
    EXPECT_TRUE(late.contains("release"));
    EXPECT_FALSE(late.contains("token"));
    auto const sold = progress(port);
    EXPECT_EQ(sold.at("backers"), 2);
    EXPECT_EQ(sold.at("amount"), 2 * 4000);
    EXPECT_EQ(sold.at("tiers").at(1).at("backers"), 2);
    EXPECT_EQ(sold.at("tiers").at(1).at("left"), 0);

    // The late card is forgotten at the provider.
    auto const csv = gate_tool({"campaign", "--data", data_.string(), campaign, "--csv", "-"});
    ASSERT_EQ(csv.exit_code, 0) << csv;
    auto const at = csv.out.find(ids[2]);
    ASSERT_NE(at, std::string::npos) << csv.out;
    auto const row = csv.out.substr(at, csv.out.find('\n', at) - at);
    std::smatch method;
    ASSERT_TRUE(std::regex_search(row, method, std::regex("pm_[A-Za-z0-9]+"))) << row;
    auto const pm = method.str();
    ASSERT_TRUE(wait_until([&] { return provider_->method_detached(pm); }, 20s, 100ms))
        << pm << " is still saved";

    // A fourth backer is refused the sold-out tier; a retry of a pledge made before is answered as before,
    // and the other tier is still open.
    auto const fourth = make_pledge(port, "collector-3", "collector");
    EXPECT_EQ(fourth.status, 409) << fourth.body;
    EXPECT_EQ(fourth.error_code(), "tier_sold_out");
    auto const retried = make_pledge(port, "collector-0", "collector");
    EXPECT_EQ(retried.status, 201) << retried.body;
    EXPECT_EQ(retried.header("idempotent-replayed"), "true");
    auto const season = make_pledge(port, "season-0", "season");
    EXPECT_EQ(season.status, 201) << season.body;
    EXPECT_EQ(provider_->records().at("chargeAttempts").size(), 0u);
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
        ASSERT_TRUE(wait_until([&] { return provider_->method_detached(pm); }, 20s, 100ms))
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
