#include "answers.hpp"
#include "bundle/payment_follower.hpp"
#include "file_helpers.hpp"
#include "host_parts.hpp"
#include "scripted_gate.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace sluice::bundle {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using protocol::error_code;
using testing::answered;
using testing::refused;
using testing::unavailable;

class PaymentFollower : public ::testing::Test {
protected:
    void SetUp() override { restart(60s); }

    // A follower as a new run of the host makes one: the keystore as it is, nothing scheduled yet.
    void restart(std::chrono::seconds retry_interval) {
        follower = std::make_unique<payment_follower>(
            host.io, host.keys, host.library,
            [this](std::string const& m, json p) { host.events.emplace_back(m, std::move(p)); },
            retry_interval, 20s, gate.call());
    }

    std::string device() const {
        return protocol::encode_public_key("x25519", host.keys.device().public_key);
    }

    gate_api::payment_record kept() const {
        EXPECT_EQ(host.keys.payments().size(), 1u);
        return host.keys.payments().at(0);
    }

    // Pays 500 and has the gate open the checkout: the payment is then pending, with the id pay-1.
    void checkout() {
        follower->pay(bundle.manifest, 500, replies.to());
        gate.reply_last(answered({{"paymentId", "pay-1"}, {"checkoutUrl", "https://pay.example/c/1"}}));
        ASSERT_EQ(kept().state, "pending");
    }

    // Asks about the pending payment (a new run, so it is due at once) and gives the gate's answer.
    void status_is(json body) {
        restart(60s);
        follower->look_after();
        ASSERT_EQ(gate.requests.back().sent.method, "GET");
        ASSERT_EQ(gate.requests.back().sent.path, "v1/payments/pay-1");
        gate.reply_last(answered(std::move(body)));
    }

    testing::host_parts host;
    testing::scripted_gate gate;
    testing::test_bundle bundle = testing::test_bundle::make(host.dir.path(), "night-watch", 1, 1000);
    std::unique_ptr<payment_follower> follower;
    testing::answers replies;
};

TEST_F(PaymentFollower, KeepsThePaymentBeforeItIsSentAndAnswersTheCheckout) {
    follower->pay(bundle.manifest, 500, replies.to());
    ASSERT_EQ(gate.requests.size(), 1u);
    auto const& r = gate.requests[0];
    EXPECT_EQ(r.sent.method, "POST");
    EXPECT_EQ(r.sent.path, "v1/bundles/night-watch/unlock/pay");
    EXPECT_EQ(r.sent.body, json({{"device", device()}, {"amount", 500}, {"currency", "EUR"}}));
    auto const file = json::parse(testing::read_file(host.keys.file()));
    ASSERT_EQ(file.at("payments").size(), 1u);
    EXPECT_EQ(file["payments"][0]["state"], "sending");
    EXPECT_EQ(r.header("Idempotency-Key"), file["payments"][0]["idempotencyKey"].get<std::string>());
    EXPECT_TRUE(replies.got.empty());

    gate.reply(0, answered({{"paymentId", "pay-1"}, {"checkoutUrl", "https://pay.example/c/1"}}));
    ASSERT_EQ(replies.got.size(), 1u);
    EXPECT_EQ(replies.result(), json({{"status", "checkout"},
                                      {"bundleId", "night-watch"},
                                      {"paymentId", "pay-1"},
                                      {"checkoutUrl", "https://pay.example/c/1"},
                                      {"amount", 500},
                                      {"currency", "EUR"}}));
    EXPECT_EQ(kept().state, "pending");
    EXPECT_EQ(kept().payment_id, "pay-1");
    EXPECT_EQ(kept().checkout_url, "https://pay.example/c/1");
    // The checkout is asked about again in 3 s, not after the poll interval.
    auto const now = retry_schedule::clock::now();
    EXPECT_FALSE(follower->schedule().due(kept().idempotency_key, now));
    EXPECT_TRUE(follower->schedule().due(kept().idempotency_key, now + 3s));
}

TEST_F(PaymentFollower, ARefusedPaymentIsKeptAsRefusedAndNotSentAgain) {
    follower->pay(bundle.manifest, 500, replies.to());
    gate.reply(0, refused(422, "amount_too_low", "too low"));
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::gate_refused);
    EXPECT_EQ(kept().state, "refused");
    restart(0s);
    follower->look_after();
    EXPECT_EQ(gate.requests.size(), 1u);
}

TEST_F(PaymentFollower, ANetworkErrorKeepsThePaymentAndItIsSentAgainWithTheSameKey) {
    restart(10s);
    follower->pay(bundle.manifest, 500, replies.to());
    gate.reply(0, unavailable());
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::gate_unreachable);
    EXPECT_EQ(replies.error().data.at("willRetry"), true);
    EXPECT_EQ(kept().state, "sending");
    auto const key = kept().idempotency_key;
    EXPECT_EQ(follower->schedule().failures(key), 1);
    auto const now = retry_schedule::clock::now();
    EXPECT_FALSE(follower->schedule().due(key, now + 19s));
    EXPECT_TRUE(follower->schedule().due(key, now + 21s));
    follower->look_after();
    EXPECT_EQ(gate.requests.size(), 1u); // backing off

    restart(0s);
    follower->look_after();
    ASSERT_EQ(gate.requests.size(), 2u);
    EXPECT_EQ(gate.requests[1].header("Idempotency-Key"), key);
    EXPECT_EQ(gate.requests[1].sent.body, gate.requests[0].sent.body);
    follower->look_after();
    EXPECT_EQ(gate.requests.size(), 2u); // one request about a payment at a time
    gate.reply(1, answered({{"paymentId", "pay-1"}, {"checkoutUrl", "https://pay.example/c/1"}}));
    EXPECT_EQ(kept().state, "pending");
}

TEST_F(PaymentFollower, ACheckoutThatIsNoWebAddressIsRefusedAndRetried) {
    follower->pay(bundle.manifest, 500, replies.to());
    gate.reply(0, answered({{"paymentId", "pay-1"}, {"checkoutUrl", "javascript:alert(1)"}}));
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::gate_bad_answer);
    EXPECT_EQ(replies.error().data.at("willRetry"), true);
    EXPECT_EQ(kept().state, "sending");
    EXPECT_TRUE(kept().checkout_url.empty());
}

TEST_F(PaymentFollower, AnAmountBelowTheMinimumIsRefusedBeforeAnythingIsKept) {
    follower->pay(bundle.manifest, 299, replies.to());
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::invalid_params);
    EXPECT_TRUE(gate.requests.empty());
    EXPECT_TRUE(host.keys.payments().empty());
}

TEST_F(PaymentFollower, ABundleWithoutAPayGateTakesNoPayment) {
    bundle.manifest.gates.pay.reset();
    follower->pay(bundle.manifest, 500, replies.to());
    EXPECT_EQ(replies.error().code, error_code::gate_not_offered);
    EXPECT_TRUE(host.keys.payments().empty());
}

TEST_F(PaymentFollower, APendingPaymentStaysPending) {
    checkout();
    status_is({{"paymentId", "pay-1"}, {"state", "pending"}});
    EXPECT_EQ(kept().state, "pending");
    EXPECT_EQ(follower->schedule().failures(kept().idempotency_key), 0);
    EXPECT_TRUE(host.events_named("payment.updated").empty());
}

TEST_F(PaymentFollower, AFailedPaymentIsKeptAsFailedAndAnnounced) {
    checkout();
    status_is({{"paymentId", "pay-1"}, {"state", "failed"}});
    EXPECT_EQ(kept().state, "failed");
    auto const updated = host.events_named("payment.updated");
    ASSERT_EQ(updated.size(), 1u);
    EXPECT_EQ(updated[0], json({{"bundleId", "night-watch"}, {"paymentId", "pay-1"}, {"state", "failed"}}));
    restart(0s);
    auto const sent = gate.requests.size();
    follower->look_after();
    EXPECT_EQ(gate.requests.size(), sent);
}

TEST_F(PaymentFollower, APaidPaymentUnlocksTheBundleInTheSession) {
    std::string torrent;
    ASSERT_TRUE(host.add_verified_bundle(bundle, &torrent));
    checkout();
    status_is({{"paymentId", "pay-1"},
               {"state", "paid"},
               {"token", bundle.token_for(host.keys.device().public_key, {"booklet.pdf.locked"})}});
    EXPECT_EQ(kept().state, "paid");
    auto const updated = host.events_named("payment.updated");
    ASSERT_EQ(updated.size(), 1u);
    EXPECT_EQ(updated[0], json({{"bundleId", "night-watch"}, {"paymentId", "pay-1"}, {"state", "paid"}}));
    auto const unlocked = host.events_named("bundle.unlocked");
    ASSERT_EQ(unlocked.size(), 1u);
    EXPECT_EQ(unlocked[0].at("items"), json({"booklet.pdf.locked"}));
    auto const file = host.library.item_file(torrent, "booklet.pdf.locked");
    ASSERT_TRUE(file);
    EXPECT_EQ(host.library.access(torrent, *file).what, file_access::kind::unlocked);
}

TEST_F(PaymentFollower, APaidPaymentWaitsForItsBundle) {
    checkout();
    status_is({{"paymentId", "pay-1"},
               {"state", "paid"},
               {"token", bundle.token_for(host.keys.device().public_key)}});
    EXPECT_EQ(kept().state, "pending");
    EXPECT_EQ(follower->schedule().failures(kept().idempotency_key), 1);
    EXPECT_TRUE(host.events_named("payment.updated").empty());
}

TEST_F(PaymentFollower, ATokenForAnotherBundleIsNotTaken) {
    ASSERT_TRUE(host.add_verified_bundle(bundle));
    checkout();
    status_is(
        {{"paymentId", "pay-1"},
         {"state", "paid"},
         {"token", bundle.token_for(host.keys.device().public_key, {}, std::nullopt, nullptr, "other")}});
    EXPECT_EQ(kept().state, "pending");
    EXPECT_EQ(follower->schedule().failures(kept().idempotency_key), 1);
    EXPECT_TRUE(host.events_named("bundle.unlocked").empty());
}

TEST_F(PaymentFollower, AnAnswerAboutAnotherPaymentChangesNothing) {
    checkout();
    status_is({{"paymentId", "pay-2"}, {"state", "failed"}});
    EXPECT_EQ(kept().state, "pending");
    EXPECT_EQ(follower->schedule().failures(kept().idempotency_key), 1);
}

TEST_F(PaymentFollower, AnUnreachableGateBacksTheFollowingOff) {
    checkout();
    restart(60s);
    follower->look_after();
    gate.reply_last(unavailable());
    EXPECT_EQ(kept().state, "pending");
    EXPECT_EQ(follower->schedule().failures(kept().idempotency_key), 1);
    auto const sent = gate.requests.size();
    follower->look_after();
    EXPECT_EQ(gate.requests.size(), sent);
}

} // namespace
} // namespace sluice::bundle
