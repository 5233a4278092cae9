#include "answers.hpp"
#include "bundle/pledge_follower.hpp"
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

class PledgeFollower : public ::testing::Test {
protected:
    PledgeFollower() {
        protocol::pledge_gate g;
        g.campaign_id = "saison-2";
        g.price = 1500;
        g.currency = "EUR";
        bundle.manifest.gates.pledge = g;
    }

    void use_poll_interval(std::chrono::seconds poll) {
        follower = std::make_unique<pledge_follower>(
            host.io, host.keys, host.library, host.engine,
            [this](std::string const& m, json p) { host.events.emplace_back(m, std::move(p)); }, poll, 20s,
            gate.call());
    }

    std::string device() const {
        return protocol::encode_public_key("x25519", host.keys.device().public_key);
    }

    gate_api::pledge_record kept() const { return host.keys.pledge_for("saison-2").value(); }

    std::string receipt(std::string const& kind, std::string const& pledge_id = "p-1",
                        protocol::signing_keypair const* signer = nullptr) const {
        return testing::signed_receipt(signer ? *signer : bundle.gate, kind, pledge_id, "saison-2",
                                       "night-watch", 1500, device());
    }

    // The gate's 201 to a pledge: recorded, pending until a payment method is saved on the provider's page.
    json created(std::string const& signed_receipt, json extra = json::object()) const {
        json body = {{"pledgeId", "p-1"},
                     {"campaignId", "saison-2"},
                     {"state", "pending"},
                     {"amount", 1500},
                     {"currency", "EUR"},
                     {"checkoutUrl", checkout},
                     {"chargedOn", "2027-03-01T00:00:00Z"},
                     {"receipt", signed_receipt}};
        body.update(extra);
        return body;
    }

    // Pledges and has the gate acknowledge it: the pledge is then pending, with the pledge id p-1.
    void pledge_acknowledged() {
        follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
        gate.reply_last(answered(created(receipt("pledge"))));
        ASSERT_EQ(kept().state, "pending");
    }

    // Then the provider confirms the saved method: the pledge is confirmed (and counts).
    void pledge_confirmed() {
        pledge_acknowledged();
        follower->look_after();
        ASSERT_EQ(gate.requests.back().sent.path, "v1/campaigns/saison-2/pledges/p-1");
        gate.reply_last(answered(status("confirmed", "open")));
        if (gate.requests.back().sent.path == "v1/campaigns/saison-2") {
            gate.reply_last(answered(progress("open", 1)));
        }
        ASSERT_EQ(kept().state, "confirmed");
    }

    // What the gate says of pledge p-1 of campaign saison-2.
    static json status(std::string const& state, std::string const& campaign_state,
                       json extra = json::object()) {
        json body = {{"pledgeId", "p-1"},
                     {"campaignId", "saison-2"},
                     {"state", state},
                     {"amount", 1500},
                     {"currency", "EUR"},
                     {"campaignState", campaign_state},
                     {"chargedOn", "2027-03-01T00:00:00Z"}};
        body.update(extra);
        return body;
    }

    // Asks the gate about the pledge and answers `body`, and the campaign's progress if it is then asked.
    void poll(json body, int backers = 1) {
        follower->look_after();
        ASSERT_EQ(gate.requests.back().sent.path, "v1/campaigns/saison-2/pledges/p-1");
        ASSERT_FALSE(gate.requests.back().answered);
        gate.reply_last(answered(std::move(body)));
        if (!gate.requests.back().answered && gate.requests.back().sent.path == "v1/campaigns/saison-2") {
            gate.reply_last(answered(progress("open", backers)));
        }
    }

    static json progress(std::string const& state, int backers) {
        return {{"campaignId", "saison-2"},
                {"bundleId", "night-watch"},
                {"state", state},
                {"backers", backers},
                {"amount", backers * 1500}};
    }

    // The campaign's two tiers, as a tiered bundle.json lists them.
    void offer_tiers() {
        protocol::pledge_tier season;
        season.id = "season";
        season.title = "The season";
        season.price = 1500;
        protocol::pledge_tier collector;
        collector.id = "collector";
        collector.title = "The season and its making-of";
        collector.price = 4000;
        collector.limit = 500;
        bundle.manifest.gates.pledge->tiers = {season, collector};
    }

    static constexpr char const* checkout = "https://checkout.example/c/pay/cs_1";

    testing::host_parts host;
    testing::scripted_gate gate;
    testing::test_bundle bundle = testing::test_bundle::make(host.dir.path(), "night-watch", 1, 1000);
    std::unique_ptr<pledge_follower> follower;
    testing::answers replies;

    void SetUp() override { use_poll_interval(60s); }
};

TEST_F(PledgeFollower, KeepsThePledgeBeforeItIsSent) {
    follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    ASSERT_EQ(gate.requests.size(), 1u);
    auto const& r = gate.requests[0];
    EXPECT_EQ(r.gate_url, "http://127.0.0.1:9/");
    EXPECT_EQ(r.sent.method, "POST");
    EXPECT_EQ(r.sent.path, "v1/campaigns/saison-2/pledges");
    EXPECT_EQ(r.sent.body, json({{"device", device()}})); // no amount: the campaign's price
    EXPECT_EQ(r.sent.timeout, 20s);
    EXPECT_TRUE(replies.got.empty());
    // On disk, in the keystore's own spelling, before any reply.
    auto const file = json::parse(testing::read_file(host.keys.file()));
    ASSERT_EQ(file.at("pledges").size(), 1u);
    EXPECT_EQ(file["pledges"][0]["state"], "sending");
    EXPECT_EQ(file["pledges"][0]["campaignId"], "saison-2");
    EXPECT_EQ(r.header("Idempotency-Key"), file["pledges"][0]["idempotencyKey"].get<std::string>());
    EXPECT_EQ(r.header("Idempotency-Key").size(), 22u);
}

TEST_F(PledgeFollower, AnAcknowledgedPledgeIsPendingAndItsPageReachesTheCaller) {
    follower->pledge(bundle.manifest, 2000, std::nullopt, replies.to());
    EXPECT_EQ(gate.requests[0].sent.body.at("amount"), 2000);
    auto const signed_receipt =
        testing::signed_receipt(bundle.gate, "pledge", "p-1", "saison-2", "night-watch", 2000, device());
    gate.reply(0, answered(created(signed_receipt, {{"amount", 2000}})));
    ASSERT_EQ(replies.got.size(), 1u);
    auto const& r = replies.result();
    EXPECT_EQ(r.at("status"), "pledged");
    EXPECT_EQ(r.at("state"), "pending");
    EXPECT_EQ(r.at("pledgeId"), "p-1");
    EXPECT_EQ(r.at("campaignId"), "saison-2");
    EXPECT_EQ(r.at("bundleId"), "night-watch");
    EXPECT_EQ(r.at("amount"), 2000);
    EXPECT_EQ(r.at("receipts"), 1);
    // Where the backer saves a payment method, and when it is charged if the campaign is funded.
    EXPECT_EQ(r.at("checkoutUrl"), checkout);
    EXPECT_EQ(r.at("chargedOn"), "2027-03-01T00:00:00Z");
    auto const record = kept();
    EXPECT_EQ(record.state, "pending");
    EXPECT_EQ(record.checkout_url, checkout);
    EXPECT_EQ(record.receipts, std::vector<std::string>{signed_receipt});
    EXPECT_EQ(follower->schedule().failures("saison-2"), 0);
    // Asked about at the checkout's pace while the backer is on the page, not the poll interval's.
    auto const now = retry_schedule::clock::now();
    EXPECT_FALSE(follower->schedule().due("saison-2", now));
    EXPECT_TRUE(follower->schedule().due("saison-2", now + pledge_follower::checkout_poll + 1s));
}

TEST_F(PledgeFollower, AnAnswerWithoutAPageToOpenIsRetried) {
    for (json const url : {json("javascript:alert(1)"), json(nullptr)}) {
        use_poll_interval(0s);
        follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
        gate.reply_last(answered(created(receipt("pledge"), {{"checkoutUrl", url}})));
        ASSERT_TRUE(replies.is_error(replies.got.size() - 1)) << url.dump();
        EXPECT_EQ(replies.error(replies.got.size() - 1).code, error_code::gate_bad_answer);
        EXPECT_EQ(replies.error(replies.got.size() - 1).data.at("willRetry"), true);
        EXPECT_EQ(kept().state, "sending");
        EXPECT_EQ(kept().checkout_url, "");
    }
}

TEST_F(PledgeFollower, ARefusedPledgeIsKeptAsRefusedAndNotSentAgain) {
    use_poll_interval(0s);
    follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    gate.reply(0, refused(409, "campaign_closed", "the campaign is closed"));
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::gate_refused);
    EXPECT_EQ(replies.error().data.at("gateCode"), "campaign_closed");
    EXPECT_EQ(kept().state, "refused");
    follower->look_after();
    EXPECT_EQ(gate.requests.size(), 1u);
}

TEST_F(PledgeFollower, ANetworkErrorKeepsThePledgeAndBacksOff) {
    follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    gate.reply(0, unavailable());
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::gate_unreachable);
    EXPECT_EQ(replies.error().data.at("willRetry"), true);
    EXPECT_EQ(kept().state, "sending");
    EXPECT_EQ(follower->schedule().failures("saison-2"), 1);
    // Not due for twice the poll interval.
    auto const now = retry_schedule::clock::now();
    EXPECT_FALSE(follower->schedule().due("saison-2", now + 119s));
    EXPECT_TRUE(follower->schedule().due("saison-2", now + 121s));
    follower->look_after();
    EXPECT_EQ(gate.requests.size(), 1u);
    // The viewer asks again: the same request goes out, and a second failure doubles the wait again.
    follower->pledge(bundle.manifest, 9999, std::nullopt, replies.to());
    ASSERT_EQ(gate.requests.size(), 2u);
    EXPECT_EQ(gate.requests[1].header("Idempotency-Key"), gate.requests[0].header("Idempotency-Key"));
    EXPECT_EQ(gate.requests[1].sent.body, gate.requests[0].sent.body);
    gate.reply(1, unavailable());
    EXPECT_EQ(follower->schedule().failures("saison-2"), 2);
    EXPECT_FALSE(follower->schedule().due("saison-2", retry_schedule::clock::now() + 239s));
}

TEST_F(PledgeFollower, AFailedPaymentProviderIsSaidAndThePledgeSentAgainWithItsKey) {
    use_poll_interval(0s);
    follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    gate.reply(0, testing::provider_failed());
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::payment_provider_failed);
    EXPECT_EQ(replies.error().data.at("willRetry"), true);
    EXPECT_EQ(replies.error().data.at("gateCode"), "payment_provider_failed");
    EXPECT_EQ(kept().state, "sending");
    follower->look_after();
    ASSERT_EQ(gate.requests.size(), 2u);
    EXPECT_EQ(gate.requests[1].header("Idempotency-Key"), gate.requests[0].header("Idempotency-Key"));
    gate.reply(1, answered(created(receipt("pledge"))));
    EXPECT_EQ(kept().state, "pending");
}

TEST_F(PledgeFollower, AnUnacknowledgedPledgeIsSentAgainWithTheSameKeyWhenDue) {
    use_poll_interval(0s);
    follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    gate.reply(0, unavailable());
    follower->look_after();
    ASSERT_EQ(gate.requests.size(), 2u);
    EXPECT_EQ(gate.requests[1].sent.path, "v1/campaigns/saison-2/pledges");
    EXPECT_EQ(gate.requests[1].header("Idempotency-Key"), gate.requests[0].header("Idempotency-Key"));
    // Never two requests about one pledge at once.
    follower->look_after();
    EXPECT_EQ(gate.requests.size(), 2u);
    gate.reply(1, answered(created(receipt("pledge"))));
    EXPECT_EQ(kept().state, "pending");
    EXPECT_EQ(kept().pledge_id, "p-1");
}

TEST_F(PledgeFollower, AReceiptNotSignedByTheBundlesGateIsRefusedAndRetried) {
    auto const stranger = protocol::generate_signing_keypair();
    follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    gate.reply(0, answered(created(receipt("pledge", "p-1", &stranger))));
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::gate_bad_answer);
    EXPECT_EQ(replies.error().data.at("willRetry"), true);
    EXPECT_EQ(kept().state, "sending");
    EXPECT_TRUE(kept().receipts.empty());
    EXPECT_EQ(follower->schedule().failures("saison-2"), 1);
}

TEST_F(PledgeFollower, AReceiptForAnotherPledgeIsRefused) {
    follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    gate.reply(0, answered(created(receipt("pledge", "p-2"))));
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::gate_bad_answer);
    EXPECT_EQ(kept().state, "sending");
}

TEST_F(PledgeFollower, AnAnswerWithoutAReceiptIsRetried) {
    follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    auto body = created("");
    body.erase("receipt");
    gate.reply(0, answered(body));
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::gate_bad_answer);
    EXPECT_EQ(replies.error().data.at("willRetry"), true);
    EXPECT_EQ(kept().state, "sending");
}

TEST_F(PledgeFollower, PledgingAgainAnswersTheKeptPledgeAndItsPage) {
    pledge_acknowledged();
    follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    EXPECT_EQ(gate.requests.size(), 1u);
    ASSERT_EQ(replies.got.size(), 2u);
    EXPECT_EQ(replies.result(1).at("status"), "alreadyPledged");
    EXPECT_EQ(replies.result(1).at("pledgeId"), "p-1");
    // Still pending: the page can be opened again.
    EXPECT_EQ(replies.result(1).at("checkoutUrl"), checkout);
}

TEST_F(PledgeFollower, APledgeUnderWayIsNotSentTwice) {
    follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    EXPECT_EQ(gate.requests.size(), 1u);
    ASSERT_EQ(replies.got.size(), 1u);
    EXPECT_EQ(replies.error().code, error_code::pledge_pending);
}

TEST_F(PledgeFollower, AnAmountBelowThePriceIsRefusedBeforeAnythingIsKept) {
    follower->pledge(bundle.manifest, 1499, std::nullopt, replies.to());
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::invalid_params);
    EXPECT_TRUE(gate.requests.empty());
    EXPECT_TRUE(host.keys.pledges().empty());
}

TEST_F(PledgeFollower, TheTierChosenIsSentKeptAndSaid) {
    offer_tiers();
    follower->pledge(bundle.manifest, std::nullopt, "collector", replies.to());
    ASSERT_EQ(gate.requests.size(), 1u);
    EXPECT_EQ(gate.requests[0].sent.body, json({{"device", device()}, {"tier", "collector"}}));
    auto const file = json::parse(testing::read_file(host.keys.file()));
    EXPECT_EQ(file["pledges"][0]["tier"], "collector");
    gate.reply(0, answered(created(receipt("pledge"), {{"tier", "collector"}})));
    ASSERT_EQ(replies.got.size(), 1u);
    EXPECT_EQ(replies.result().at("status"), "pledged");
    EXPECT_EQ(replies.result().at("tier"), "collector");
    EXPECT_EQ(kept().tier, "collector");
    follower->campaign(bundle.manifest, replies.to());
    gate.reply_last(answered(progress("open", 1)));
    EXPECT_EQ(replies.result(1).at("pledge").at("tier"), "collector");
}

TEST_F(PledgeFollower, AnUnacknowledgedTierIsSentAgainAsItWasAfterARestart) {
    offer_tiers();
    follower->pledge(bundle.manifest, 4500, "collector", replies.to());
    gate.reply(0, unavailable());
    // A new run of the host: the keystore read again from its file, a follower with nothing scheduled.
    std::error_code ec;
    host.keys = keystore::open(host.keys.file(), ec);
    ASSERT_FALSE(ec);
    ASSERT_EQ(kept().tier, "collector");
    use_poll_interval(0s);
    follower->look_after();
    ASSERT_EQ(gate.requests.size(), 2u);
    EXPECT_EQ(gate.requests[1].sent.path, "v1/campaigns/saison-2/pledges");
    EXPECT_EQ(gate.requests[1].header("Idempotency-Key"), gate.requests[0].header("Idempotency-Key"));
    EXPECT_EQ(gate.requests[1].sent.body,
              json({{"device", device()}, {"amount", 4500}, {"tier", "collector"}}));
    EXPECT_EQ(gate.requests[1].sent.body, gate.requests[0].sent.body);
    // Asked again meanwhile for another tier: the request kept goes out as it was.
    gate.reply(1, unavailable());
    follower->pledge(bundle.manifest, std::nullopt, "season", replies.to());
    ASSERT_EQ(gate.requests.size(), 3u);
    EXPECT_EQ(gate.requests[2].sent.body, gate.requests[0].sent.body);
    auto const signed_receipt =
        testing::signed_receipt(bundle.gate, "pledge", "p-1", "saison-2", "night-watch", 4500, device());
    gate.reply(2, answered(created(signed_receipt, {{"amount", 4500}, {"tier", "collector"}})));
    EXPECT_EQ(kept().state, "pending");
    EXPECT_EQ(kept().tier, "collector");
}

TEST_F(PledgeFollower, AnAmountBelowTheTiersPriceIsRefusedBeforeAnythingIsKept) {
    offer_tiers();
    follower->pledge(bundle.manifest, 3999, "collector", replies.to());
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::invalid_params);
    EXPECT_TRUE(gate.requests.empty());
    EXPECT_TRUE(host.keys.pledges().empty());
    // Enough for the cheaper tier: sent.
    follower->pledge(bundle.manifest, 3999, "season", replies.to());
    ASSERT_EQ(gate.requests.size(), 1u);
    EXPECT_EQ(gate.requests[0].sent.body.at("amount"), 3999);
}

TEST_F(PledgeFollower, ATierTheGateDoesNotOfferIsItsRefusal) {
    offer_tiers();
    // Not in the manifest: the gate, which knows its campaign's tiers, says.
    follower->pledge(bundle.manifest, 2000, "gold", replies.to());
    ASSERT_EQ(gate.requests.size(), 1u);
    EXPECT_EQ(gate.requests[0].sent.body.at("tier"), "gold");
    gate.reply(0, refused(400, "unknown_tier", "the campaign has no tier gold"));
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::unknown_tier);
    EXPECT_EQ(replies.error().data.at("gateCode"), "unknown_tier");
    EXPECT_EQ(kept().state, "refused");
}

TEST_F(PledgeFollower, AFullTierIsRefusedAndAnotherCanBeChosen) {
    use_poll_interval(0s);
    offer_tiers();
    follower->pledge(bundle.manifest, std::nullopt, "collector", replies.to());
    gate.reply(0, refused(409, "tier_sold_out", "every place in this tier is taken"));
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::tier_sold_out);
    EXPECT_EQ(replies.error().data.at("gateCode"), "tier_sold_out");
    EXPECT_FALSE(replies.error().data.contains("willRetry"));
    EXPECT_EQ(kept().state, "refused");
    follower->look_after();
    EXPECT_EQ(gate.requests.size(), 1u);
    // Another tier is another pledge, with its own key.
    follower->pledge(bundle.manifest, std::nullopt, "season", replies.to());
    ASSERT_EQ(gate.requests.size(), 2u);
    EXPECT_EQ(gate.requests[1].sent.body.at("tier"), "season");
    EXPECT_NE(gate.requests[1].header("Idempotency-Key"), gate.requests[0].header("Idempotency-Key"));
    EXPECT_EQ(kept().tier, "season");
}

TEST_F(PledgeFollower, AnAnswerAboutAnotherTierIsRefusedAndRetried) {
    offer_tiers();
    follower->pledge(bundle.manifest, std::nullopt, "collector", replies.to());
    gate.reply(0, answered(created(receipt("pledge"), {{"tier", "season"}})));
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::gate_bad_answer);
    EXPECT_EQ(replies.error().data.at("willRetry"), true);
    EXPECT_EQ(kept().state, "sending");
    EXPECT_EQ(kept().tier, "collector");
}

TEST_F(PledgeFollower, APledgeSentWithoutATierTakesTheGatesWordForIt) {
    follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    EXPECT_FALSE(gate.requests[0].sent.body.contains("tier"));
    EXPECT_FALSE(json::parse(testing::read_file(host.keys.file()))["pledges"][0].contains("tier"));
    gate.reply(0, answered(created(receipt("pledge"), {{"tier", "pledge"}})));
    EXPECT_EQ(kept().tier, "pledge");
    EXPECT_EQ(replies.result().at("tier"), "pledge");
}

TEST_F(PledgeFollower, APledgeKeptBeforeTiersLearnsItsTierWhenAskedAbout) {
    use_poll_interval(0s);
    pledge_acknowledged();
    ASSERT_EQ(kept().tier, "");
    poll(status("confirmed", "open", {{"tier", "pledge"}}));
    EXPECT_EQ(kept().tier, "pledge");
    auto const updated = host.events_named("campaign.updated");
    ASSERT_FALSE(updated.empty());
    EXPECT_EQ(updated.back()["pledge"]["tier"], "pledge");
}

TEST_F(PledgeFollower, APledgeWhoseTierFilledUpIsReleasedWithTheReason) {
    use_poll_interval(0s);
    offer_tiers();
    follower->pledge(bundle.manifest, std::nullopt, "collector", replies.to());
    gate.reply_last(answered(created(receipt("pledge"), {{"tier", "collector"}})));
    ASSERT_EQ(kept().state, "pending");
    poll(status("released", "open",
                {{"tier", "collector"}, {"reason", "tier_sold_out"}, {"release", receipt("release")}}));
    EXPECT_EQ(kept().state, "released");
    EXPECT_EQ(kept().release_reason, "tier_sold_out");
    auto const released = host.events_named("campaign.released");
    ASSERT_EQ(released.size(), 1u);
    EXPECT_EQ(released[0], json({{"campaignId", "saison-2"},
                                 {"bundleId", "night-watch"},
                                 {"pledgeId", "p-1"},
                                 {"campaignState", "open"},
                                 {"reason", "tier_sold_out"}}));
    auto const updated = host.events_named("campaign.updated");
    ASSERT_FALSE(updated.empty());
    EXPECT_EQ(updated.back()["pledge"]["state"], "released");
    EXPECT_EQ(updated.back()["pledge"]["reason"], "tier_sold_out");
    EXPECT_EQ(updated.back()["pledge"]["tier"], "collector");
    // Kept on disk: a later run says it too.
    auto const file = json::parse(testing::read_file(host.keys.file()));
    EXPECT_EQ(file["pledges"][0]["releaseReason"], "tier_sold_out");
}

TEST_F(PledgeFollower, TheCampaignsTiersReachTheCaller) {
    follower->campaign(bundle.manifest, replies.to());
    auto body = progress("open", 7);
    body["tiers"] = json::array({{{"id", "season"}, {"title", "The season"}, {"price", 1500}, {"backers", 5}},
                                 {{"id", "collector"},
                                  {"title", "The season and its making-of"},
                                  {"price", 4000},
                                  {"backers", 2},
                                  {"limit", 500},
                                  {"left", 498}},
                                 {{"id", "broken"}}});
    gate.reply(0, answered(body));
    auto const& tiers = replies.result().at("campaign").at("tiers");
    ASSERT_EQ(tiers.size(), 2u);
    EXPECT_EQ(tiers[0].at("id"), "season");
    EXPECT_EQ(tiers[1].at("left"), 498);
}

TEST_F(PledgeFollower, ABundleWithoutACampaignHasNothingToPledgeTo) {
    bundle.manifest.gates.pledge.reset();
    follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    follower->cancel(bundle.manifest, replies.to());
    follower->campaign(bundle.manifest, replies.to());
    follower->update_payment(bundle.manifest, replies.to());
    ASSERT_EQ(replies.got.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(replies.error(i).code, error_code::gate_not_offered);
    }
    EXPECT_TRUE(gate.requests.empty());
}

TEST_F(PledgeFollower, APendingPledgeThatIsChargedHasItsTokenTaken) {
    use_poll_interval(0s);
    pledge_acknowledged();
    follower->look_after();
    ASSERT_EQ(gate.requests.size(), 2u);
    EXPECT_EQ(gate.requests[1].sent.method, "GET");
    EXPECT_EQ(gate.requests[1].sent.path, "v1/campaigns/saison-2/pledges/p-1");
    auto const token = bundle.token_for(host.keys.device().public_key);
    gate.reply(1, answered(status("charged", "funded", {{"token", token}})));
    EXPECT_EQ(kept().state, "charged");
    auto const funded = host.events_named("campaign.funded");
    ASSERT_EQ(funded.size(), 1u);
    EXPECT_EQ(funded[0].at("campaignId"), "saison-2");
    EXPECT_EQ(funded[0].at("bundleId"), "night-watch");
    EXPECT_EQ(funded[0].at("pledgeId"), "p-1");
    EXPECT_EQ(funded[0].at("items").size(), 2u);
    // No verified bundle in the session yet: the token is held for it.
    auto const held = host.keys.tokens_for("night-watch");
    ASSERT_EQ(held.size(), 1u);
    EXPECT_EQ(held[0].text, token);
    // The campaign's progress is read once, since none was seen, and tells the pledge charged.
    ASSERT_EQ(gate.requests.size(), 3u);
    EXPECT_EQ(gate.requests[2].sent.path, "v1/campaigns/saison-2");
    gate.reply(2, answered(progress("funded", 3)));
    auto const updated = host.events_named("campaign.updated");
    ASSERT_EQ(updated.size(), 1u);
    EXPECT_EQ(updated[0]["pledge"]["state"], "charged");
    EXPECT_FALSE(updated[0]["pledge"].contains("checkoutUrl"));
}

TEST_F(PledgeFollower, ATokenBesideAnotherStateIsNeverTaken) {
    use_poll_interval(0s);
    pledge_confirmed();
    // Funded, but this pledge is still being charged: no token yet, whatever the answer carries.
    poll(status("charging", "funded", {{"token", bundle.token_for(host.keys.device().public_key)}}));
    EXPECT_EQ(kept().state, "charging");
    EXPECT_TRUE(host.events_named("campaign.funded").empty());
    EXPECT_TRUE(host.keys.tokens_for("night-watch").empty());
}

TEST_F(PledgeFollower, AChargedPledgeWithoutATokenIsAskedAgainLater) {
    use_poll_interval(0s);
    pledge_confirmed();
    poll(status("charged", "funded"));
    EXPECT_EQ(kept().state, "confirmed");
    EXPECT_EQ(follower->schedule().failures("saison-2"), 1);
    EXPECT_TRUE(host.events_named("campaign.funded").empty());
}

TEST_F(PledgeFollower, ATokenFromAnotherGateIsNotTaken) {
    use_poll_interval(0s);
    pledge_confirmed();
    auto const stranger = protocol::generate_signing_keypair();
    poll(status("charged", "funded",
                {{"token", bundle.token_for(host.keys.device().public_key, {}, std::nullopt, &stranger)}}));
    EXPECT_EQ(kept().state, "confirmed");
    EXPECT_EQ(follower->schedule().failures("saison-2"), 1);
    EXPECT_TRUE(host.events_named("campaign.funded").empty());
    EXPECT_TRUE(host.keys.tokens_for("night-watch").empty());
}

TEST_F(PledgeFollower, AReleasedPledgeKeepsItsRelease) {
    use_poll_interval(0s);
    pledge_confirmed();
    auto const release = receipt("release");
    poll(status("released", "failed", {{"release", release}}));
    auto const record = kept();
    EXPECT_EQ(record.state, "released");
    ASSERT_EQ(record.receipts.size(), 2u);
    EXPECT_EQ(record.receipts[1], release);
    auto const released = host.events_named("campaign.released");
    ASSERT_EQ(released.size(), 1u);
    EXPECT_EQ(released[0], json({{"campaignId", "saison-2"},
                                 {"bundleId", "night-watch"},
                                 {"pledgeId", "p-1"},
                                 {"campaignState", "failed"}}));
    // A released pledge is followed no more.
    auto const sent = gate.requests.size();
    follower->look_after();
    EXPECT_EQ(gate.requests.size(), sent);
}

TEST_F(PledgeFollower, APledgeStillPendingWhenItsCampaignIsFundedIsReleased) {
    use_poll_interval(0s);
    pledge_acknowledged();
    poll(status("released", "funded", {{"release", receipt("release")}}));
    EXPECT_EQ(kept().state, "released");
    auto const released = host.events_named("campaign.released");
    ASSERT_EQ(released.size(), 1u);
    EXPECT_EQ(released[0].at("campaignState"), "funded");
    EXPECT_TRUE(host.events_named("campaign.funded").empty());
}

TEST_F(PledgeFollower, AReleaseOfAnotherKindIsRefused) {
    use_poll_interval(0s);
    pledge_confirmed();
    poll(status("released", "failed", {{"release", receipt("cancellation")}}));
    EXPECT_EQ(kept().state, "confirmed");
    EXPECT_EQ(follower->schedule().failures("saison-2"), 1);
    EXPECT_TRUE(host.events_named("campaign.released").empty());
}

TEST_F(PledgeFollower, AChargeFailedIsAnnouncedWithItsReasonOnce) {
    use_poll_interval(0s);
    pledge_confirmed();
    auto declined = [](std::string const& code, std::string const& next) {
        return status("charge_failed", "funded",
                      {{"declineCode", code}, {"retryUntil", "2027-03-08T00:00:00Z"}, {"nextAttempt", next}});
    };
    poll(declined("insufficient_funds", "2027-03-02T00:00:00Z"));
    EXPECT_EQ(kept().state, "charge_failed");
    auto failed = host.events_named("campaign.chargeFailed");
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed[0], json({{"campaignId", "saison-2"},
                               {"bundleId", "night-watch"},
                               {"pledgeId", "p-1"},
                               {"declineCode", "insufficient_funds"},
                               {"retryUntil", "2027-03-08T00:00:00Z"},
                               {"nextAttempt", "2027-03-02T00:00:00Z"}}));
    // The pledge as the extension sees it says so too.
    auto const updated = host.events_named("campaign.updated");
    ASSERT_FALSE(updated.empty());
    EXPECT_EQ(updated.back()["pledge"]["state"], "charge_failed");
    EXPECT_EQ(updated.back()["pledge"]["declineCode"], "insufficient_funds");
    EXPECT_EQ(updated.back()["pledge"]["retryUntil"], "2027-03-08T00:00:00Z");

    // A retry declined for the same reason is not told again; another reason is.
    poll(declined("insufficient_funds", "2027-03-03T00:00:00Z"));
    EXPECT_EQ(host.events_named("campaign.chargeFailed").size(), 1u);
    poll(declined("authentication_required", "2027-03-04T00:00:00Z"));
    failed = host.events_named("campaign.chargeFailed");
    ASSERT_EQ(failed.size(), 2u);
    EXPECT_EQ(failed[1].at("declineCode"), "authentication_required");

    // Another method saved, the charge goes through: the token is taken.
    poll(status("charged", "funded", {{"token", bundle.token_for(host.keys.device().public_key)}}));
    EXPECT_EQ(kept().state, "charged");
    EXPECT_EQ(host.events_named("campaign.funded").size(), 1u);
}

TEST_F(PledgeFollower, ADeclineWithoutReasonIsToldWithNulls) {
    use_poll_interval(0s);
    pledge_confirmed();
    poll(status("charge_failed", "funded", {{"declineCode", ""}}));
    auto const failed = host.events_named("campaign.chargeFailed");
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_TRUE(failed[0].at("declineCode").is_null());
    EXPECT_TRUE(failed[0].at("retryUntil").is_null());
    EXPECT_TRUE(failed[0].at("nextAttempt").is_null());
}

TEST_F(PledgeFollower, AChargeThatFailedForGoodEndsThePledge) {
    use_poll_interval(0s);
    pledge_confirmed();
    poll(status("failed", "funded"));
    EXPECT_EQ(kept().state, "failed");
    EXPECT_TRUE(host.events_named("campaign.funded").empty());
    auto const sent = gate.requests.size();
    follower->look_after();
    EXPECT_EQ(gate.requests.size(), sent);
}

TEST_F(PledgeFollower, AMalformedOrUnknownStateChangesNothing) {
    use_poll_interval(0s);
    pledge_confirmed();
    for (auto const& body :
         {status("active", "funded"), status("charged ", "funded"), status("confirmed", "closed"),
          status("charge_failed", "funded", {{"retryUntil", "next week"}}),
          status("charge_failed", "funded", {{"declineCode", json::object()}})}) {
        auto const failures = follower->schedule().failures("saison-2");
        follower->look_after();
        ASSERT_EQ(gate.requests.back().sent.path, "v1/campaigns/saison-2/pledges/p-1") << body.dump();
        gate.reply_last(answered(body));
        EXPECT_EQ(kept().state, "confirmed") << body.dump();
        EXPECT_EQ(follower->schedule().failures("saison-2"), failures + 1) << body.dump();
    }
    EXPECT_TRUE(host.events_named("campaign.chargeFailed").empty());
}

TEST_F(PledgeFollower, TheProvidersConfirmationIsAnnouncedAndSlowsTheAsking) {
    // This follower polls every minute, and at the checkout's pace while the backer is on the page.
    pledge_acknowledged();
    auto const acknowledged = retry_schedule::clock::now();
    ASSERT_TRUE(host.run_until(
        [&] { return follower->schedule().due("saison-2", retry_schedule::clock::now()); }, 10s));
    EXPECT_LT(retry_schedule::clock::now() - acknowledged, 10s);
    follower->look_after();
    gate.reply_last(answered(status("confirmed", "open")));
    gate.reply_last(answered(progress("open", 5)));
    EXPECT_EQ(kept().state, "confirmed");
    auto const updated = host.events_named("campaign.updated");
    ASSERT_EQ(updated.size(), 1u);
    EXPECT_EQ(updated[0]["pledge"]["state"], "confirmed");
    EXPECT_FALSE(updated[0]["pledge"].contains("checkoutUrl"));
    // Saved: nothing happens before the deadline, so the poll interval again.
    auto const now = retry_schedule::clock::now();
    EXPECT_FALSE(follower->schedule().due("saison-2", now + 30s));
    EXPECT_TRUE(follower->schedule().due("saison-2", now + 61s));
}

TEST_F(PledgeFollower, AStateChangeIsAnnouncedEvenWhenTheProgressIsTheSame) {
    use_poll_interval(0s);
    pledge_acknowledged();
    poll(status("pending", "open"), 7);
    poll(status("confirmed", "open"), 7);
    poll(status("confirmed", "open"), 7);
    auto const updated = host.events_named("campaign.updated");
    ASSERT_EQ(updated.size(), 2u);
    EXPECT_EQ(updated[0]["pledge"]["state"], "pending");
    EXPECT_EQ(updated[1]["pledge"]["state"], "confirmed");
    EXPECT_EQ(updated[1]["campaign"]["backers"], 7);
}

TEST_F(PledgeFollower, APendingPledgesNewPageIsKept) {
    use_poll_interval(0s);
    pledge_acknowledged();
    poll(status("pending", "open", {{"checkoutUrl", "https://checkout.example/c/pay/cs_9"}}));
    EXPECT_EQ(kept().checkout_url, "https://checkout.example/c/pay/cs_9");
    follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    EXPECT_EQ(replies.result(1).at("checkoutUrl"), "https://checkout.example/c/pay/cs_9");
}

TEST_F(PledgeFollower, APledgeCancelledElsewhereIsKeptAsCancelled) {
    use_poll_interval(0s);
    pledge_confirmed();
    poll(status("cancelled", "open"));
    EXPECT_EQ(kept().state, "cancelled");
}

TEST_F(PledgeFollower, AnUnreachableGateBacksTheFollowingOff) {
    use_poll_interval(0s);
    pledge_confirmed();
    use_poll_interval(60s);
    follower->look_after();
    auto const sent = gate.requests.size();
    gate.reply_last(unavailable());
    EXPECT_EQ(follower->schedule().failures("saison-2"), 1);
    EXPECT_EQ(kept().state, "confirmed");
    follower->look_after();
    EXPECT_EQ(gate.requests.size(), sent);
}

TEST_F(PledgeFollower, AnAnswerAboutAnotherPledgeChangesNothing) {
    use_poll_interval(0s);
    pledge_confirmed();
    poll(status("charged", "funded", {{"pledgeId", "p-2"}}));
    EXPECT_EQ(kept().state, "confirmed");
    EXPECT_EQ(follower->schedule().failures("saison-2"), 1);
}

TEST_F(PledgeFollower, ProgressIsAnnouncedWhenItChanges) {
    use_poll_interval(0s);
    pledge_confirmed();
    auto const before = host.events_named("campaign.updated").size();
    for (int backers : {3, 3, 4}) {
        follower->look_after();
        gate.reply_last(answered(status("confirmed", "open")));
        ASSERT_EQ(gate.requests.back().sent.path, "v1/campaigns/saison-2");
        gate.reply_last(answered(progress("open", backers)));
    }
    auto const updated = host.events_named("campaign.updated");
    ASSERT_EQ(updated.size(), before + 2);
    EXPECT_EQ(updated[before]["campaign"]["backers"], 3);
    EXPECT_EQ(updated[before + 1]["campaign"]["backers"], 4);
    EXPECT_EQ(updated[before + 1]["pledge"]["state"], "confirmed");
    EXPECT_EQ(updated[before + 1]["pledge"]["pledgeId"], "p-1");
}

TEST_F(PledgeFollower, DeliveriesOfAChargedPledgeAreTakenOnce) {
    use_poll_interval(0s);
    pledge_confirmed();
    poll(status("charged", "funded", {{"token", bundle.token_for(host.keys.device().public_key)}}));
    ASSERT_EQ(kept().state, "charged");
    auto const delivery_token =
        bundle.token_for(host.keys.device().public_key, {}, std::nullopt, nullptr, "night-watch-extra");
    std::string const hash = "c9e15763f722f23e98a29decdfae341b98d53056";
    json const deliveries = {{"deliveries",
                              {{{"bundleId", "night-watch-extra"},
                                {"version", 2},
                                {"magnet", "magnet:?xt=urn:btih:" + hash + "&dn=extra"},
                                {"token", delivery_token}}}}};
    for (int round = 0; round < 2; ++round) {
        follower->look_after();
        ASSERT_EQ(gate.requests.back().sent.path, "v1/campaigns/saison-2/pledges/p-1");
        gate.reply_last(answered(status("charged", "funded", deliveries)));
    }
    auto const delivered = host.events_named("campaign.delivered");
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0], json({{"campaignId", "saison-2"},
                                  {"bundleId", "night-watch-extra"},
                                  {"version", 2},
                                  {"infoHash", hash}}));
    EXPECT_EQ(kept().deliveries, std::vector<std::string>{"night-watch-extra"});
    EXPECT_EQ(host.keys.tokens_for("night-watch-extra").size(), 1u);
    EXPECT_TRUE(host.engine.find(hash).has_value());
}

TEST_F(PledgeFollower, ACancellationIsKeptWithItsReceipt) {
    pledge_acknowledged();
    follower->cancel(bundle.manifest, replies.to());
    ASSERT_EQ(gate.requests.size(), 2u);
    EXPECT_EQ(gate.requests[1].sent.method, "POST");
    EXPECT_EQ(gate.requests[1].sent.path, "v1/campaigns/saison-2/pledges/p-1/cancel");
    EXPECT_TRUE(gate.requests[1].sent.body.is_null());
    gate.reply(1, answered({{"pledgeId", "p-1"},
                            {"campaignId", "saison-2"},
                            {"state", "cancelled"},
                            {"receipt", receipt("cancellation")}}));
    ASSERT_EQ(replies.got.size(), 2u);
    EXPECT_EQ(replies.result(1).at("status"), "cancelled");
    EXPECT_EQ(replies.result(1).at("state"), "cancelled");
    EXPECT_EQ(kept().state, "cancelled");
    EXPECT_EQ(kept().receipts.size(), 2u);
    // Cancelling again answers at once.
    follower->cancel(bundle.manifest, replies.to());
    EXPECT_EQ(gate.requests.size(), 2u);
    EXPECT_EQ(replies.result(2).at("status"), "cancelled");
}

TEST_F(PledgeFollower, ACancellationIsSentEvenWhileTheStatusIsAsked) {
    use_poll_interval(0s);
    pledge_acknowledged();
    follower->look_after(); // under way, not answered
    follower->cancel(bundle.manifest, replies.to());
    ASSERT_EQ(gate.requests.size(), 3u);
    EXPECT_EQ(gate.requests[2].sent.path, "v1/campaigns/saison-2/pledges/p-1/cancel");
    gate.reply(2, answered({{"pledgeId", "p-1"}, {"receipt", receipt("cancellation")}}));
    EXPECT_EQ(kept().state, "cancelled");
    // The status asked before, answered after: a cancelled pledge stays cancelled.
    gate.reply(1, answered(status("pending", "open")));
    EXPECT_EQ(kept().state, "cancelled");
}

TEST_F(PledgeFollower, ACancellationAboutAnotherPledgeIsRefused) {
    pledge_acknowledged();
    follower->cancel(bundle.manifest, replies.to());
    gate.reply(1, answered({{"pledgeId", "p-2"}, {"receipt", receipt("cancellation", "p-2")}}));
    ASSERT_TRUE(replies.is_error(1));
    EXPECT_EQ(replies.error(1).code, error_code::gate_bad_answer);
    EXPECT_EQ(kept().state, "pending");
}

TEST_F(PledgeFollower, NothingToCancelBeforeThePledgeIsAcknowledged) {
    follower->cancel(bundle.manifest, replies.to());
    EXPECT_EQ(replies.error(0).code, error_code::pledge_not_found);
    follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    follower->cancel(bundle.manifest, replies.to());
    EXPECT_EQ(replies.error(1).code, error_code::pledge_pending);
    EXPECT_EQ(gate.requests.size(), 1u);
}

TEST_F(PledgeFollower, ANewPaymentMethodPageIsAskedForAndAnswered) {
    use_poll_interval(0s);
    pledge_confirmed();
    poll(status("charge_failed", "funded", {{"declineCode", "insufficient_funds"}}));
    ASSERT_EQ(kept().state, "charge_failed");
    auto const sent = gate.requests.size();
    follower->update_payment(bundle.manifest, replies.to());
    ASSERT_EQ(gate.requests.size(), sent + 1);
    EXPECT_EQ(gate.requests.back().sent.method, "POST");
    EXPECT_EQ(gate.requests.back().sent.path, "v1/campaigns/saison-2/pledges/p-1/payment-method");
    EXPECT_TRUE(gate.requests.back().sent.body.is_null());
    gate.reply_last(answered({{"pledgeId", "p-1"}, {"checkoutUrl", "https://checkout.example/c/pay/cs_2"}}));
    auto const& r = replies.result(replies.got.size() - 1);
    EXPECT_EQ(r.at("status"), "checkout");
    EXPECT_EQ(r.at("checkoutUrl"), "https://checkout.example/c/pay/cs_2");
    EXPECT_EQ(r.at("state"), "charge_failed");
    EXPECT_EQ(r.at("pledgeId"), "p-1");
    EXPECT_EQ(r.at("declineCode"), "insufficient_funds");
    EXPECT_EQ(kept().checkout_url, "https://checkout.example/c/pay/cs_2");
    // Asked about again at once: the gate charges a new method as soon as the provider confirms it.
    EXPECT_TRUE(follower->schedule().due("saison-2", retry_schedule::clock::now()));
}

TEST_F(PledgeFollower, ANewPaymentMethodIsAskedForEvenWhileTheStatusIsAsked) {
    use_poll_interval(0s);
    pledge_acknowledged();
    follower->look_after(); // under way, not answered
    follower->update_payment(bundle.manifest, replies.to());
    ASSERT_EQ(gate.requests.size(), 3u);
    EXPECT_EQ(gate.requests[2].sent.path, "v1/campaigns/saison-2/pledges/p-1/payment-method");
}

TEST_F(PledgeFollower, ANewPaymentMethodIsRefusedPastThatPoint) {
    use_poll_interval(0s);
    // No pledge; one not acknowledged.
    follower->update_payment(bundle.manifest, replies.to());
    EXPECT_EQ(replies.error(0).code, error_code::pledge_not_found);
    follower->pledge(bundle.manifest, std::nullopt, std::nullopt, replies.to());
    follower->update_payment(bundle.manifest, replies.to());
    EXPECT_EQ(replies.error(1).code, error_code::pledge_pending);
    gate.reply(0, answered(created(receipt("pledge"))));

    // The gate says no: the pledge was charged meanwhile.
    follower->update_payment(bundle.manifest, replies.to());
    gate.reply_last(refused(409, "pledge_not_updatable", "this pledge is charged"));
    EXPECT_EQ(replies.error(3).code, error_code::pledge_not_updatable);
    EXPECT_EQ(replies.error(3).data.at("gateCode"), "pledge_not_updatable");

    // Its provider failed: worth asking again.
    follower->update_payment(bundle.manifest, replies.to());
    gate.reply_last(testing::provider_failed());
    EXPECT_EQ(replies.error(4).code, error_code::payment_provider_failed);

    // An answer about another pledge, or without a page to open.
    follower->update_payment(bundle.manifest, replies.to());
    gate.reply_last(answered({{"pledgeId", "p-2"}, {"checkoutUrl", "https://checkout.example/x"}}));
    EXPECT_EQ(replies.error(5).code, error_code::gate_bad_answer);
    follower->update_payment(bundle.manifest, replies.to());
    gate.reply_last(answered({{"pledgeId", "p-1"}, {"checkoutUrl", "javascript:void(0)"}}));
    EXPECT_EQ(replies.error(6).code, error_code::gate_bad_answer);
    EXPECT_EQ(kept().checkout_url, checkout);

    // Charged: the host knows, and does not ask.
    poll(status("charged", "funded", {{"token", bundle.token_for(host.keys.device().public_key)}}));
    ASSERT_EQ(kept().state, "charged");
    auto const sent = gate.requests.size();
    follower->update_payment(bundle.manifest, replies.to());
    EXPECT_EQ(replies.error(7).code, error_code::pledge_not_updatable);
    EXPECT_EQ(gate.requests.size(), sent);
}

TEST_F(PledgeFollower, TheCampaignIsAnsweredWithThisHostsPledge) {
    follower->campaign(bundle.manifest, replies.to());
    ASSERT_EQ(gate.requests.size(), 1u);
    EXPECT_EQ(gate.requests[0].sent.path, "v1/campaigns/saison-2");
    gate.reply(0, answered(progress("open", 7)));
    EXPECT_EQ(replies.result(0).at("campaign").at("backers"), 7);
    EXPECT_TRUE(replies.result(0).at("pledge").is_null());

    pledge_acknowledged();
    follower->campaign(bundle.manifest, replies.to());
    gate.reply_last(answered(progress("open", 8)));
    EXPECT_EQ(replies.result(2).at("pledge").at("state"), "pending");
    EXPECT_EQ(replies.result(2).at("pledge").at("checkoutUrl"), checkout);
}

TEST_F(PledgeFollower, TheProgressOfAnotherCampaignIsRefused) {
    follower->campaign(bundle.manifest, replies.to());
    auto other = progress("open", 7);
    other["campaignId"] = "saison-3";
    gate.reply(0, answered(other));
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::gate_bad_answer);
}

TEST_F(PledgeFollower, APledgeKeptBeforePreOrdersIsFollowedAsConfirmed) {
    use_poll_interval(0s);
    // As the previous version wrote it: "active", no checkoutUrl.
    auto earlier = gate_api::to_json(gate_api::pledge_record{});
    earlier.erase("checkoutUrl");
    earlier.update(
        {{"campaignId", "saison-2"},
         {"bundleId", "night-watch"},
         {"gateUrl", "http://127.0.0.1:9/"},
         {"gateKeys", json::array({protocol::encode_public_key("ed25519", bundle.gate.public_key)})},
         {"idempotencyKey", "k"},
         {"pledgeId", "p-1"},
         {"state", "active"},
         {"receipts", json::array({receipt("pledge")})}});
    std::error_code ec;
    host.keys.put_pledge(gate_api::pledge_from_json(earlier), ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(kept().state, "confirmed");
    poll(status("charged", "funded", {{"token", bundle.token_for(host.keys.device().public_key)}}));
    EXPECT_EQ(kept().state, "charged");
    EXPECT_EQ(host.events_named("campaign.funded").size(), 1u);
}

TEST_F(PledgeFollower, APledgeInAStateNoVersionWroteIsLeftAlone) {
    use_poll_interval(0s);
    gate_api::pledge_record record;
    record.campaign_id = "saison-2";
    record.bundle_id = "night-watch";
    record.gate_url = "http://127.0.0.1:9/";
    record.idempotency_key = "k";
    record.pledge_id = "p-1";
    record.state = "paused";
    std::error_code ec;
    host.keys.put_pledge(record, ec);
    ASSERT_FALSE(ec);
    follower->look_after();
    EXPECT_TRUE(gate.requests.empty());
    EXPECT_EQ(kept().state, "paused");
    follower->update_payment(bundle.manifest, replies.to());
    EXPECT_EQ(replies.error().code, error_code::pledge_not_found);
}

} // namespace
} // namespace sluice::bundle
