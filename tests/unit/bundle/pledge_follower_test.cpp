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

    // Pledges and has the gate confirm it: the pledge is then active, with the pledge id p-1.
    void pledge_confirmed() {
        follower->pledge(bundle.manifest, std::nullopt, replies.to());
        gate.reply_last(answered({{"pledgeId", "p-1"}, {"receipt", receipt("pledge")}}));
        ASSERT_EQ(kept().state, "active");
    }

    // What the gate says of pledge p-1 of campaign saison-2.
    static json status(std::string const& campaign_state, json extra = json::object()) {
        json body = {{"pledgeId", "p-1"},
                     {"campaignId", "saison-2"},
                     {"state", "active"},
                     {"campaignState", campaign_state}};
        body.update(extra);
        return body;
    }

    static json progress(std::string const& state, int backers) {
        return {{"campaignId", "saison-2"},
                {"bundleId", "night-watch"},
                {"state", state},
                {"backers", backers},
                {"amount", backers * 1500}};
    }

    testing::host_parts host;
    testing::scripted_gate gate;
    testing::test_bundle bundle = testing::test_bundle::make(host.dir.path(), "night-watch", 1, 1000);
    std::unique_ptr<pledge_follower> follower;
    testing::answers replies;

    void SetUp() override { use_poll_interval(60s); }
};

TEST_F(PledgeFollower, KeepsThePledgeBeforeItIsSent) {
    follower->pledge(bundle.manifest, std::nullopt, replies.to());
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

TEST_F(PledgeFollower, AConfirmedPledgeIsActiveWithItsReceipt) {
    follower->pledge(bundle.manifest, 2000, replies.to());
    EXPECT_EQ(gate.requests[0].sent.body.at("amount"), 2000);
    auto const signed_receipt =
        testing::signed_receipt(bundle.gate, "pledge", "p-1", "saison-2", "night-watch", 2000, device());
    gate.reply(0, answered({{"pledgeId", "p-1"}, {"receipt", signed_receipt}}));
    ASSERT_EQ(replies.got.size(), 1u);
    auto const& r = replies.result();
    EXPECT_EQ(r.at("status"), "pledged");
    EXPECT_EQ(r.at("state"), "active");
    EXPECT_EQ(r.at("pledgeId"), "p-1");
    EXPECT_EQ(r.at("campaignId"), "saison-2");
    EXPECT_EQ(r.at("bundleId"), "night-watch");
    EXPECT_EQ(r.at("amount"), 2000);
    EXPECT_EQ(r.at("receipts"), 1);
    auto const record = kept();
    EXPECT_EQ(record.state, "active");
    EXPECT_EQ(record.receipts, std::vector<std::string>{signed_receipt});
    EXPECT_EQ(follower->schedule().failures("saison-2"), 0);
    EXPECT_FALSE(follower->schedule().due("saison-2", retry_schedule::clock::now()));
}

TEST_F(PledgeFollower, ARefusedPledgeIsKeptAsRefusedAndNotSentAgain) {
    use_poll_interval(0s);
    follower->pledge(bundle.manifest, std::nullopt, replies.to());
    gate.reply(0, refused(409, "campaign_closed", "the campaign is closed"));
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::gate_refused);
    EXPECT_EQ(replies.error().data.at("gateCode"), "campaign_closed");
    EXPECT_EQ(kept().state, "refused");
    follower->look_after();
    EXPECT_EQ(gate.requests.size(), 1u);
}

TEST_F(PledgeFollower, ANetworkErrorKeepsThePledgeAndBacksOff) {
    follower->pledge(bundle.manifest, std::nullopt, replies.to());
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
    follower->pledge(bundle.manifest, 9999, replies.to());
    ASSERT_EQ(gate.requests.size(), 2u);
    EXPECT_EQ(gate.requests[1].header("Idempotency-Key"), gate.requests[0].header("Idempotency-Key"));
    EXPECT_EQ(gate.requests[1].sent.body, gate.requests[0].sent.body);
    gate.reply(1, unavailable());
    EXPECT_EQ(follower->schedule().failures("saison-2"), 2);
    EXPECT_FALSE(follower->schedule().due("saison-2", retry_schedule::clock::now() + 239s));
}

TEST_F(PledgeFollower, AnUnacknowledgedPledgeIsSentAgainWithTheSameKeyWhenDue) {
    use_poll_interval(0s);
    follower->pledge(bundle.manifest, std::nullopt, replies.to());
    gate.reply(0, unavailable());
    follower->look_after();
    ASSERT_EQ(gate.requests.size(), 2u);
    EXPECT_EQ(gate.requests[1].sent.path, "v1/campaigns/saison-2/pledges");
    EXPECT_EQ(gate.requests[1].header("Idempotency-Key"), gate.requests[0].header("Idempotency-Key"));
    // Never two requests about one pledge at once.
    follower->look_after();
    EXPECT_EQ(gate.requests.size(), 2u);
    gate.reply(1, answered({{"pledgeId", "p-1"}, {"receipt", receipt("pledge")}}));
    EXPECT_EQ(kept().state, "active");
    EXPECT_EQ(kept().pledge_id, "p-1");
}

TEST_F(PledgeFollower, AReceiptNotSignedByTheBundlesGateIsRefusedAndRetried) {
    auto const stranger = protocol::generate_signing_keypair();
    follower->pledge(bundle.manifest, std::nullopt, replies.to());
    gate.reply(0, answered({{"pledgeId", "p-1"}, {"receipt", receipt("pledge", "p-1", &stranger)}}));
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::gate_bad_answer);
    EXPECT_EQ(replies.error().data.at("willRetry"), true);
    EXPECT_EQ(kept().state, "sending");
    EXPECT_TRUE(kept().receipts.empty());
    EXPECT_EQ(follower->schedule().failures("saison-2"), 1);
}

TEST_F(PledgeFollower, AReceiptForAnotherPledgeIsRefused) {
    follower->pledge(bundle.manifest, std::nullopt, replies.to());
    gate.reply(0, answered({{"pledgeId", "p-1"}, {"receipt", receipt("pledge", "p-2")}}));
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::gate_bad_answer);
    EXPECT_EQ(kept().state, "sending");
}

TEST_F(PledgeFollower, AnAnswerWithoutAReceiptIsRetried) {
    follower->pledge(bundle.manifest, std::nullopt, replies.to());
    gate.reply(0, answered({{"pledgeId", "p-1"}}));
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::gate_bad_answer);
    EXPECT_EQ(replies.error().data.at("willRetry"), true);
    EXPECT_EQ(kept().state, "sending");
}

TEST_F(PledgeFollower, PledgingAgainAnswersTheKeptPledge) {
    pledge_confirmed();
    follower->pledge(bundle.manifest, std::nullopt, replies.to());
    EXPECT_EQ(gate.requests.size(), 1u);
    ASSERT_EQ(replies.got.size(), 2u);
    EXPECT_EQ(replies.result(1).at("status"), "alreadyPledged");
    EXPECT_EQ(replies.result(1).at("pledgeId"), "p-1");
}

TEST_F(PledgeFollower, APledgeUnderWayIsNotSentTwice) {
    follower->pledge(bundle.manifest, std::nullopt, replies.to());
    follower->pledge(bundle.manifest, std::nullopt, replies.to());
    EXPECT_EQ(gate.requests.size(), 1u);
    ASSERT_EQ(replies.got.size(), 1u);
    EXPECT_EQ(replies.error().code, error_code::pledge_pending);
}

TEST_F(PledgeFollower, AnAmountBelowThePriceIsRefusedBeforeAnythingIsKept) {
    follower->pledge(bundle.manifest, 1499, replies.to());
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::invalid_params);
    EXPECT_TRUE(gate.requests.empty());
    EXPECT_TRUE(host.keys.pledges().empty());
}

TEST_F(PledgeFollower, ABundleWithoutACampaignHasNothingToPledgeTo) {
    bundle.manifest.gates.pledge.reset();
    follower->pledge(bundle.manifest, std::nullopt, replies.to());
    follower->cancel(bundle.manifest, replies.to());
    follower->campaign(bundle.manifest, replies.to());
    ASSERT_EQ(replies.got.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(replies.error(i).code, error_code::gate_not_offered);
    }
    EXPECT_TRUE(gate.requests.empty());
}

TEST_F(PledgeFollower, AFundedCampaignsTokenIsTakenAndAnnounced) {
    use_poll_interval(0s);
    pledge_confirmed();
    follower->look_after();
    ASSERT_EQ(gate.requests.size(), 2u);
    EXPECT_EQ(gate.requests[1].sent.method, "GET");
    EXPECT_EQ(gate.requests[1].sent.path, "v1/campaigns/saison-2/pledges/p-1");
    auto const token = bundle.token_for(host.keys.device().public_key);
    gate.reply(1, answered(status("funded", {{"token", token}})));
    EXPECT_EQ(kept().state, "funded");
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
    // The campaign's progress is read once, since none was seen.
    ASSERT_EQ(gate.requests.size(), 3u);
    EXPECT_EQ(gate.requests[2].sent.path, "v1/campaigns/saison-2");
}

TEST_F(PledgeFollower, AFundedCampaignWithoutATokenIsAskedAgainLater) {
    pledge_confirmed();
    // Due after a success only once the poll interval has passed; a fresh follower has no schedule yet.
    use_poll_interval(60s);
    follower->look_after();
    ASSERT_EQ(gate.requests.size(), 2u);
    gate.reply(1, answered(status("funded")));
    EXPECT_EQ(kept().state, "active");
    EXPECT_EQ(follower->schedule().failures("saison-2"), 1);
    EXPECT_TRUE(host.events_named("campaign.funded").empty());
}

TEST_F(PledgeFollower, ATokenFromAnotherGateIsNotTaken) {
    use_poll_interval(0s);
    pledge_confirmed();
    follower->look_after();
    auto const stranger = protocol::generate_signing_keypair();
    gate.reply(1, answered(status("funded", {{"token", bundle.token_for(host.keys.device().public_key, {},
                                                                        std::nullopt, &stranger)}})));
    EXPECT_EQ(kept().state, "active");
    EXPECT_TRUE(host.events_named("campaign.funded").empty());
    EXPECT_TRUE(host.keys.tokens_for("night-watch").empty());
}

TEST_F(PledgeFollower, AFailedCampaignsReleaseIsKept) {
    use_poll_interval(0s);
    pledge_confirmed();
    follower->look_after();
    auto const release = receipt("release");
    gate.reply(1, answered(status("failed", {{"release", release}})));
    auto const record = kept();
    EXPECT_EQ(record.state, "failed");
    ASSERT_EQ(record.receipts.size(), 2u);
    EXPECT_EQ(record.receipts[1], release);
    auto const failed = host.events_named("campaign.failed");
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed[0],
              json({{"campaignId", "saison-2"}, {"bundleId", "night-watch"}, {"pledgeId", "p-1"}}));
    // A failed pledge is followed no more.
    auto const sent = gate.requests.size();
    follower->look_after();
    EXPECT_EQ(gate.requests.size(), sent);
}

TEST_F(PledgeFollower, AReleaseOfAnotherKindIsRefused) {
    use_poll_interval(0s);
    pledge_confirmed();
    follower->look_after();
    gate.reply(1, answered(status("failed", {{"release", receipt("cancellation")}})));
    EXPECT_EQ(kept().state, "active");
    EXPECT_EQ(follower->schedule().failures("saison-2"), 1);
    EXPECT_TRUE(host.events_named("campaign.failed").empty());
}

TEST_F(PledgeFollower, APledgeCancelledElsewhereIsKeptAsCancelled) {
    use_poll_interval(0s);
    pledge_confirmed();
    follower->look_after();
    gate.reply(1, answered(status("open", {{"state", "cancelled"}})));
    EXPECT_EQ(kept().state, "cancelled");
}

TEST_F(PledgeFollower, AnUnreachableGateBacksTheFollowingOff) {
    pledge_confirmed();
    use_poll_interval(60s);
    follower->look_after();
    gate.reply(1, unavailable());
    EXPECT_EQ(follower->schedule().failures("saison-2"), 1);
    EXPECT_EQ(kept().state, "active");
    follower->look_after();
    EXPECT_EQ(gate.requests.size(), 2u);
}

TEST_F(PledgeFollower, AnAnswerAboutAnotherPledgeChangesNothing) {
    use_poll_interval(0s);
    pledge_confirmed();
    follower->look_after();
    gate.reply(1, answered(status("funded", {{"pledgeId", "p-2"}})));
    EXPECT_EQ(kept().state, "active");
    EXPECT_EQ(follower->schedule().failures("saison-2"), 1);
}

TEST_F(PledgeFollower, ProgressIsAnnouncedWhenItChanges) {
    use_poll_interval(0s);
    pledge_confirmed();
    for (int backers : {3, 3, 4}) {
        follower->look_after();
        gate.reply_last(answered(status("open")));
        ASSERT_EQ(gate.requests.back().sent.path, "v1/campaigns/saison-2");
        gate.reply_last(answered(progress("open", backers)));
    }
    auto const updated = host.events_named("campaign.updated");
    ASSERT_EQ(updated.size(), 2u);
    EXPECT_EQ(updated[0]["campaign"]["backers"], 3);
    EXPECT_EQ(updated[1]["campaign"]["backers"], 4);
    EXPECT_EQ(updated[1]["pledge"]["state"], "active");
    EXPECT_EQ(updated[1]["pledge"]["pledgeId"], "p-1");
}

TEST_F(PledgeFollower, DeliveriesOfAFundedCampaignAreTakenOnce) {
    use_poll_interval(0s);
    pledge_confirmed();
    follower->look_after();
    gate.reply_last(answered(status("funded", {{"token", bundle.token_for(host.keys.device().public_key)}})));
    ASSERT_EQ(kept().state, "funded");
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
        gate.reply_last(answered(status("funded", deliveries)));
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
    pledge_confirmed();
    follower->cancel(bundle.manifest, replies.to());
    ASSERT_EQ(gate.requests.size(), 2u);
    EXPECT_EQ(gate.requests[1].sent.method, "POST");
    EXPECT_EQ(gate.requests[1].sent.path, "v1/campaigns/saison-2/pledges/p-1/cancel");
    EXPECT_TRUE(gate.requests[1].sent.body.is_null());
    gate.reply(1, answered({{"pledgeId", "p-1"}, {"receipt", receipt("cancellation")}}));
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

TEST_F(PledgeFollower, ACancellationAboutAnotherPledgeIsRefused) {
    pledge_confirmed();
    follower->cancel(bundle.manifest, replies.to());
    gate.reply(1, answered({{"pledgeId", "p-2"}, {"receipt", receipt("cancellation", "p-2")}}));
    ASSERT_TRUE(replies.is_error(1));
    EXPECT_EQ(replies.error(1).code, error_code::gate_bad_answer);
    EXPECT_EQ(kept().state, "active");
}

TEST_F(PledgeFollower, NothingToCancelBeforeThePledgeIsAcknowledged) {
    follower->cancel(bundle.manifest, replies.to());
    EXPECT_EQ(replies.error(0).code, error_code::pledge_not_found);
    follower->pledge(bundle.manifest, std::nullopt, replies.to());
    follower->cancel(bundle.manifest, replies.to());
    EXPECT_EQ(replies.error(1).code, error_code::pledge_pending);
    EXPECT_EQ(gate.requests.size(), 1u);
}

TEST_F(PledgeFollower, TheCampaignIsAnsweredWithThisHostsPledge) {
    follower->campaign(bundle.manifest, replies.to());
    ASSERT_EQ(gate.requests.size(), 1u);
    EXPECT_EQ(gate.requests[0].sent.path, "v1/campaigns/saison-2");
    gate.reply(0, answered(progress("open", 7)));
    EXPECT_EQ(replies.result(0).at("campaign").at("backers"), 7);
    EXPECT_TRUE(replies.result(0).at("pledge").is_null());

    pledge_confirmed();
    follower->campaign(bundle.manifest, replies.to());
    gate.reply_last(answered(progress("open", 8)));
    EXPECT_EQ(replies.result(2).at("pledge").at("state"), "active");
}

TEST_F(PledgeFollower, TheProgressOfAnotherCampaignIsRefused) {
    follower->campaign(bundle.manifest, replies.to());
    auto other = progress("open", 7);
    other["campaignId"] = "saison-3";
    gate.reply(0, answered(other));
    ASSERT_TRUE(replies.is_error());
    EXPECT_EQ(replies.error().code, error_code::gate_bad_answer);
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
}

} // namespace
} // namespace sluice::bundle
