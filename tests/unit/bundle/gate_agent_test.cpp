#include "answers.hpp"
#include "bundle/gate_agent.hpp"
#include "host_parts.hpp"
#include "scripted_gate.hpp"

#include <gtest/gtest.h>

namespace sluice::bundle {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class GateAgent : public ::testing::Test {
protected:
    GateAgent() {
        protocol::pledge_gate g;
        g.campaign_id = "saison-2";
        g.price = 1500;
        g.currency = "EUR";
        bundle.manifest.gates.pledge = g;
    }

    void keep(gate_api::pledge_record r) {
        std::error_code ec;
        host.keys.put_pledge(std::move(r), ec);
        ASSERT_FALSE(ec);
    }
    void keep(gate_api::payment_record r) {
        std::error_code ec;
        host.keys.put_payment(std::move(r), ec);
        ASSERT_FALSE(ec);
    }

    testing::host_parts host;
    testing::scripted_gate gate;
    testing::test_bundle bundle = testing::test_bundle::make(host.dir.path(), "night-watch", 1, 1000);
    gate_agent agent{host.io, host.keys, host.library, host.engine, [](std::string const&, json) {},
                     60s,     7s,        gate.call()};
    testing::answers replies;
};

TEST_F(GateAgent, StartSendsWhatAPreviousRunLeftUnacknowledged) {
    gate_api::pledge_record pledge;
    pledge.campaign_id = "saison-2";
    pledge.bundle_id = "night-watch";
    pledge.gate_url = "http://gate.example/";
    pledge.idempotency_key = "pledge-key";
    pledge.state = "sending";
    keep(pledge);
    gate_api::payment_record payment;
    payment.bundle_id = "night-watch";
    payment.gate_url = "http://gate.example/";
    payment.idempotency_key = "payment-key";
    payment.amount = 500;
    payment.currency = "EUR";
    payment.state = "sending";
    keep(payment);

    agent.start();
    ASSERT_TRUE(host.run_until([&] { return gate.requests.size() >= 2; }, 5s));
    EXPECT_EQ(gate.requests[0].sent.path, "v1/campaigns/saison-2/pledges");
    EXPECT_EQ(gate.requests[0].header("Idempotency-Key"), "pledge-key");
    EXPECT_EQ(gate.requests[0].sent.timeout, 7s);
    EXPECT_EQ(gate.requests[1].sent.path, "v1/bundles/night-watch/unlock/pay");
    EXPECT_EQ(gate.requests[1].header("Idempotency-Key"), "payment-key");
    // Both under way: the next rounds of the timer send nothing more about them.
    host.run_until([] { return false; }, 200ms);
    EXPECT_EQ(gate.requests.size(), 2u);
}

TEST_F(GateAgent, StartFollowsAcknowledgedPledgesAndPendingPayments) {
    gate_api::pledge_record pledge;
    pledge.campaign_id = "saison-2";
    pledge.bundle_id = "night-watch";
    pledge.gate_url = "http://gate.example/";
    pledge.pledge_id = "p-1";
    pledge.state = "confirmed";
    keep(pledge);
    gate_api::payment_record payment;
    payment.bundle_id = "night-watch";
    payment.gate_url = "http://gate.example/";
    payment.idempotency_key = "payment-key";
    payment.payment_id = "pay-1";
    payment.state = "pending";
    keep(payment);

    agent.start();
    ASSERT_TRUE(host.run_until([&] { return gate.requests.size() >= 2; }, 5s));
    EXPECT_EQ(gate.requests[0].sent.path, "v1/campaigns/saison-2/pledges/p-1");
    EXPECT_EQ(gate.requests[1].sent.path, "v1/payments/pay-1");
}

TEST_F(GateAgent, PassesCallsToItsFollowersThroughTheGivenGate) {
    EXPECT_EQ(agent.gate_timeout(), 7s);
    agent.pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    agent.pay(bundle.manifest, 500, replies.to());
    agent.campaign(bundle.manifest, replies.to());
    ASSERT_EQ(gate.requests.size(), 3u);
    EXPECT_EQ(gate.requests[0].sent.path, "v1/campaigns/saison-2/pledges");
    EXPECT_EQ(gate.requests[1].sent.path, "v1/bundles/night-watch/unlock/pay");
    EXPECT_EQ(gate.requests[2].sent.path, "v1/campaigns/saison-2");
    agent.cancel_pledge(bundle.manifest, replies.to());
    agent.update_pledge_payment(bundle.manifest, replies.to());
    ASSERT_EQ(replies.got.size(), 2u);
    EXPECT_EQ(replies.error(0).code, protocol::error_code::pledge_pending);
    EXPECT_EQ(replies.error(1).code, protocol::error_code::pledge_pending);
    EXPECT_EQ(gate.requests.size(), 3u);
}

TEST_F(GateAgent, AskedForANewPaymentMethodItPostsToThePledgesGate) {
    gate_api::pledge_record pledge;
    pledge.campaign_id = "saison-2";
    pledge.bundle_id = "night-watch";
    pledge.gate_url = "http://gate.example/";
    pledge.pledge_id = "p-1";
    pledge.state = "charge_failed";
    keep(pledge);
    agent.update_pledge_payment(bundle.manifest, replies.to());
    ASSERT_EQ(gate.requests.size(), 1u);
    EXPECT_EQ(gate.requests[0].gate_url, "http://gate.example/");
    EXPECT_EQ(gate.requests[0].sent.method, "POST");
    EXPECT_EQ(gate.requests[0].sent.path, "v1/campaigns/saison-2/pledges/p-1/payment-method");
    EXPECT_EQ(gate.requests[0].sent.timeout, 7s);
    gate.reply_last(
        testing::answered({{"pledgeId", "p-1"}, {"checkoutUrl", "https://checkout.example/cs_2"}}));
    ASSERT_EQ(replies.got.size(), 1u);
    EXPECT_EQ(replies.result().at("checkoutUrl"), "https://checkout.example/cs_2");
}

} // namespace
} // namespace sluice::bundle
