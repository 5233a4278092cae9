#include "gate_api/gate_answers.hpp"
#include "gate_api/gate_records.hpp"

#include <gtest/gtest.h>

namespace sluice::gate_api {
namespace {

using nlohmann::json;
using protocol::error_code;

// The answers are written here from protocol/gate-api.md, as the gate sends them.

json created(json extra = json::object()) {
    json body = {{"pledgeId", "p-1"},
                 {"campaignId", "saison-2"},
                 {"state", "pending"},
                 {"amount", 1500},
                 {"currency", "EUR"},
                 {"checkoutUrl", "https://checkout.example/c/pay/cs_1"},
                 {"chargedOn", "2027-03-01T00:00:00Z"},
                 {"receipt", "{\"format\":\"sluice-receipt/1\"}"}};
    body.update(extra);
    return body;
}

json status(std::string const& state, json extra = json::object()) {
    json body = {{"pledgeId", "p-1"},
                 {"campaignId", "saison-2"},
                 {"state", state},
                 {"amount", 1500},
                 {"currency", "EUR"},
                 {"campaignState", "open"},
                 {"chargedOn", "2027-03-01T00:00:00Z"}};
    body.update(extra);
    return body;
}

net::incoming_response http(int status, std::string body) {
    net::incoming_response r;
    r.ok = true;
    r.status = status;
    r.body = std::move(body);
    return r;
}

gate_reply reply_of(int code, std::string body) {
    return interpret_gate_answer(http(code, std::move(body)), "https://gate.example/",
                                 std::chrono::seconds(20));
}

TEST(PledgeCreated, CarriesTheProvidersPageAndTheChargeDate) {
    auto const answer = read_pledge_created(created(), "saison-2");
    ASSERT_TRUE(answer) << answer.problem;
    EXPECT_EQ(answer.value.pledge_id, "p-1");
    EXPECT_EQ(answer.value.checkout_url, "https://checkout.example/c/pay/cs_1");
    EXPECT_EQ(answer.value.charged_on, "2027-03-01T00:00:00Z");
    EXPECT_EQ(answer.value.receipt, "{\"format\":\"sluice-receipt/1\"}");

    auto const plain =
        read_pledge_created(created({{"checkoutUrl", "http://127.0.0.1:8080/checkout"}}), "saison-2");
    ASSERT_TRUE(plain) << plain.problem;
    EXPECT_EQ(plain.value.checkout_url, "http://127.0.0.1:8080/checkout");
    auto const undated = read_pledge_created(created({{"chargedOn", nullptr}}), "saison-2");
    ASSERT_TRUE(undated) << undated.problem;
    EXPECT_EQ(undated.value.charged_on, "");
}

TEST(PledgeCreated, RefusesAPageTheExtensionMustNotOpen) {
    for (json const url :
         {json("javascript:alert(1)"), json("file:///etc/passwd"), json("checkout.example/c"), json(""),
          json(42), json(nullptr), json("https://checkout.example/" + std::string(2030, 'x'))}) {
        auto const answer = read_pledge_created(created({{"checkoutUrl", url}}), "saison-2");
        EXPECT_FALSE(answer) << url.dump().substr(0, 80);
        EXPECT_NE(answer.problem.find("checkout URL"), std::string::npos) << answer.problem;
    }
    auto body = created();
    body.erase("checkoutUrl");
    EXPECT_FALSE(read_pledge_created(body, "saison-2"));
    // At the limit, it is taken.
    auto const longest = "https://c.example/" + std::string(2048 - 18, 'x');
    EXPECT_TRUE(read_pledge_created(created({{"checkoutUrl", longest}}), "saison-2"));
}

TEST(PledgeCreated, RefusesAnotherCampaignAMissingReceiptAndABadDate) {
    EXPECT_FALSE(read_pledge_created(created({{"campaignId", "saison-3"}}), "saison-2"));
    auto without = created();
    without.erase("receipt");
    EXPECT_FALSE(read_pledge_created(without, "saison-2"));
    EXPECT_FALSE(read_pledge_created(created({{"chargedOn", "next spring"}}), "saison-2"));
    EXPECT_FALSE(read_pledge_created(json::array(), "saison-2"));
}

TEST(PledgeCreated, SaysTheTierOfThePledge) {
    auto const answer = read_pledge_created(created({{"tier", "season"}}), "saison-2");
    ASSERT_TRUE(answer) << answer.problem;
    EXPECT_EQ(answer.value.tier, "season");
    EXPECT_EQ(read_pledge_created(created(), "saison-2").value.tier, "");
    for (json const tier : {json("Season"), json("a/b"), json(7), json(std::string(65, 's'))}) {
        auto const refused = read_pledge_created(created({{"tier", tier}}), "saison-2");
        EXPECT_FALSE(refused) << tier.dump();
        EXPECT_NE(refused.problem.find("tier"), std::string::npos) << refused.problem;
    }
}

TEST(PledgeStatus, ReadsEveryStateOfAPreOrder) {
    for (auto const* state : {"pending", "confirmed", "charging", "charged", "charge_failed", "failed",
                              "cancelled", "released"}) {
        auto const answer = read_pledge_status(status(state), "p-1", "saison-2");
        ASSERT_TRUE(answer) << state << ": " << answer.problem;
        EXPECT_EQ(answer.value.state, state);
        EXPECT_EQ(answer.value.campaign_state, "open");
        EXPECT_EQ(answer.value.charged_on, "2027-03-01T00:00:00Z");
    }
}

TEST(PledgeStatus, RefusesAStateItDoesNotKnow) {
    // "active" was the state of a pledge before pledges were pre-orders: no gate of this API answers it.
    for (json const state :
         {json("active"), json("funded"), json("CHARGED"), json(""), json(3), json(nullptr)}) {
        auto const answer = read_pledge_status(status("pending", {{"state", state}}), "p-1", "saison-2");
        EXPECT_FALSE(answer) << state.dump();
        EXPECT_NE(answer.problem.find("no state it knows"), std::string::npos) << answer.problem;
    }
    EXPECT_FALSE(read_pledge_status(status("pending", {{"campaignState", "closed"}}), "p-1", "saison-2"));
    EXPECT_FALSE(read_pledge_status(status("pending", {{"pledgeId", "p-2"}}), "p-1", "saison-2"));
    EXPECT_FALSE(read_pledge_status(status("pending", {{"campaignId", "saison-3"}}), "p-1", "saison-2"));
    EXPECT_FALSE(read_pledge_status(status("pending", {{"chargedOn", 1700000000}}), "p-1", "saison-2"));
}

TEST(PledgeStatus, APendingPledgeCarriesItsPage) {
    auto const answer = read_pledge_status(
        status("pending", {{"checkoutUrl", "https://checkout.example/cs_1"}}), "p-1", "saison-2");
    ASSERT_TRUE(answer) << answer.problem;
    EXPECT_EQ(answer.value.checkout_url, "https://checkout.example/cs_1");
    EXPECT_FALSE(
        read_pledge_status(status("pending", {{"checkoutUrl", "javascript:alert(1)"}}), "p-1", "saison-2"));
    // Only a pending pledge has a page to complete.
    auto const confirmed = read_pledge_status(
        status("confirmed", {{"checkoutUrl", "https://checkout.example/cs_1"}}), "p-1", "saison-2");
    ASSERT_TRUE(confirmed);
    EXPECT_EQ(confirmed.value.checkout_url, "");
}

TEST(PledgeStatus, AFailedChargeSaysWhyAndUntilWhen) {
    auto const answer = read_pledge_status(status("charge_failed", {{"campaignState", "funded"},
                                                                    {"declineCode", "insufficient_funds"},
                                                                    {"retryUntil", "2027-03-08T00:00:00Z"},
                                                                    {"nextAttempt", "2027-03-02T00:00:00Z"}}),
                                           "p-1", "saison-2");
    ASSERT_TRUE(answer) << answer.problem;
    EXPECT_EQ(answer.value.campaign_state, "funded");
    EXPECT_EQ(answer.value.decline_code, "insufficient_funds");
    EXPECT_EQ(answer.value.retry_until, "2027-03-08T00:00:00Z");
    EXPECT_EQ(answer.value.next_attempt, "2027-03-02T00:00:00Z");

    // The gate may know no reason: an empty code is no code.
    auto const unexplained =
        read_pledge_status(status("charge_failed", {{"declineCode", ""}}), "p-1", "saison-2");
    ASSERT_TRUE(unexplained) << unexplained.problem;
    EXPECT_EQ(unexplained.value.decline_code, "");
    EXPECT_EQ(unexplained.value.retry_until, "");

    std::vector<std::pair<char const*, json>> const malformed = {{"declineCode", "card declined <b>"},
                                                                 {"declineCode", std::string(65, 'x')},
                                                                 {"declineCode", 51},
                                                                 {"retryUntil", "in a week"},
                                                                 {"nextAttempt", "2027-03-02"}};
    for (auto const& [key, value] : malformed) {
        EXPECT_FALSE(read_pledge_status(status("charge_failed", {{key, value}}), "p-1", "saison-2"))
            << key << " " << value.dump();
    }
    // Read only while the charge has failed.
    auto const confirmed =
        read_pledge_status(status("confirmed", {{"declineCode", "insufficient_funds"}}), "p-1", "saison-2");
    ASSERT_TRUE(confirmed);
    EXPECT_EQ(confirmed.value.decline_code, "");
}

TEST(PledgeStatus, OnlyAChargedPledgeHasATokenAndOnlyAReleasedOneARelease) {
    auto const charged = read_pledge_status(status("charged", {{"campaignState", "funded"}, {"token", "T"}}),
                                            "p-1", "saison-2");
    ASSERT_TRUE(charged);
    EXPECT_EQ(charged.value.token, "T");
    for (auto const* state : {"pending", "confirmed", "charging", "charge_failed", "failed", "released"}) {
        auto const answer = read_pledge_status(status(state, {{"token", "T"}}), "p-1", "saison-2");
        ASSERT_TRUE(answer) << state;
        EXPECT_EQ(answer.value.token, "") << state;
    }
    auto const released = read_pledge_status(
        status("released", {{"campaignState", "failed"}, {"release", "R"}}), "p-1", "saison-2");
    ASSERT_TRUE(released);
    EXPECT_EQ(released.value.release, "R");
    auto const cancelled = read_pledge_status(status("cancelled", {{"release", "R"}}), "p-1", "saison-2");
    ASSERT_TRUE(cancelled);
    EXPECT_EQ(cancelled.value.release, "");
}

TEST(PledgeStatus, SaysTheTierAndWhyAPledgeWasReleased) {
    auto const released = read_pledge_status(
        status("released", {{"tier", "collector"}, {"reason", "tier_sold_out"}, {"release", "R"}}), "p-1",
        "saison-2");
    ASSERT_TRUE(released) << released.problem;
    EXPECT_EQ(released.value.tier, "collector");
    EXPECT_EQ(released.value.reason, "tier_sold_out");
    EXPECT_EQ(released.value.release, "R");
    // A release need not say why: the campaign's state then does.
    auto const failed =
        read_pledge_status(status("released", {{"campaignState", "failed"}}), "p-1", "saison-2");
    ASSERT_TRUE(failed) << failed.problem;
    EXPECT_EQ(failed.value.reason, "");
    // Only a release has a reason.
    auto const confirmed =
        read_pledge_status(status("confirmed", {{"reason", "tier_sold_out"}}), "p-1", "saison-2");
    ASSERT_TRUE(confirmed);
    EXPECT_EQ(confirmed.value.reason, "");
    for (json const reason : {json("Tier sold out"), json("<b>"), json(std::string(65, 'r')), json(3)}) {
        EXPECT_FALSE(read_pledge_status(status("released", {{"reason", reason}}), "p-1", "saison-2"))
            << reason.dump();
    }
    EXPECT_FALSE(read_pledge_status(status("confirmed", {{"tier", "Season!"}}), "p-1", "saison-2"));
}

TEST(PaymentMethod, AnswersTheNewPage) {
    auto const answer =
        read_payment_method({{"pledgeId", "p-1"}, {"checkoutUrl", "https://checkout.example/cs_2"}}, "p-1");
    ASSERT_TRUE(answer) << answer.problem;
    EXPECT_EQ(answer.value.checkout_url, "https://checkout.example/cs_2");
    EXPECT_FALSE(
        read_payment_method({{"pledgeId", "p-2"}, {"checkoutUrl", "https://checkout.example/cs_2"}}, "p-1"));
    EXPECT_FALSE(read_payment_method({{"pledgeId", "p-1"}, {"checkoutUrl", "data:text/html,hi"}}, "p-1"));
    EXPECT_FALSE(read_payment_method({{"pledgeId", "p-1"}}, "p-1"));
    EXPECT_FALSE(read_payment_method(json("p-1"), "p-1"));
}

TEST(GateErrors, AFailedPaymentProviderIsItsOwnErrorAndWorthRetrying) {
    auto const reply =
        reply_of(502, R"({"error":{"code":"payment_provider_failed","message":"the provider is down"}})");
    EXPECT_EQ(reply.what, gate_reply::outcome::unavailable);
    EXPECT_EQ(reply.gate_code, "payment_provider_failed");
    EXPECT_NE(reply.message.find("payment provider"), std::string::npos) << reply.message;
    auto const error = to_rpc_error(reply);
    EXPECT_EQ(error.code, error_code::payment_provider_failed);
    EXPECT_EQ(error.data.at("status"), 502);
    EXPECT_EQ(error.data.at("gateCode"), "payment_provider_failed");
}

TEST(GateErrors, AKeyStillInFlightOnAnotherGateIsWorthRetryingNotARefusal) {
    auto const reply = reply_of(
        409,
        R"({"error":{"code":"idempotency_key_in_flight","message":"the first request is being handled"}})");
    EXPECT_EQ(reply.what, gate_reply::outcome::unavailable);
    EXPECT_EQ(to_rpc_error(reply).code, error_code::gate_unreachable);
    // Any other 409 stays a refusal.
    EXPECT_EQ(reply_of(409, R"({"error":{"code":"campaign_closed","message":"closed"}})").what,
              gate_reply::outcome::refused);
}

TEST(GateErrors, APledgePastChangingItsMethodIsItsOwnError) {
    auto const reply =
        reply_of(409, R"({"error":{"code":"pledge_not_updatable","message":"it is charged"}})");
    EXPECT_EQ(reply.what, gate_reply::outcome::refused);
    auto const error = to_rpc_error(reply);
    EXPECT_EQ(error.code, error_code::pledge_not_updatable);
    EXPECT_EQ(error.data.at("gateCode"), "pledge_not_updatable");
}

TEST(GateErrors, AFullOrUnknownTierIsItsOwnError) {
    auto const full = to_rpc_error(
        reply_of(409, R"({"error":{"code":"tier_sold_out","message":"every place in this tier is taken"}})"));
    EXPECT_EQ(full.code, error_code::tier_sold_out);
    EXPECT_EQ(static_cast<int>(full.code), 1115);
    EXPECT_EQ(full.data.at("gateCode"), "tier_sold_out");
    EXPECT_EQ(full.data.at("status"), 409);
    auto const unknown =
        to_rpc_error(reply_of(400, R"({"error":{"code":"unknown_tier","message":"no tier named gold"}})"));
    EXPECT_EQ(unknown.code, error_code::unknown_tier);
    EXPECT_EQ(static_cast<int>(unknown.code), 1116);
    EXPECT_EQ(unknown.data.at("gateCode"), "unknown_tier");
    // A failure naming them is still a failure: only a refusal is about the tier.
    EXPECT_EQ(to_rpc_error(reply_of(503, R"({"error":{"code":"tier_sold_out","message":"?"}})")).code,
              error_code::gate_unreachable);
}

TEST(GateErrors, OtherFailuresKeepTheirCodes) {
    auto const broken = reply_of(503, R"({"error":{"code":"internal_error","message":"storage failed"}})");
    EXPECT_EQ(to_rpc_error(broken).code, error_code::gate_unreachable);
    EXPECT_NE(broken.message.find("HTTP 503"), std::string::npos) << broken.message;
    EXPECT_EQ(to_rpc_error(reply_of(503, "<html>busy</html>")).code, error_code::gate_unreachable);
    EXPECT_EQ(to_rpc_error(reply_of(409, R"({"error":{"code":"campaign_closed","message":"closed"}})")).code,
              error_code::gate_refused);
    // The provider's failure is a 5xx: a 4xx naming it is still a refusal.
    EXPECT_EQ(
        to_rpc_error(reply_of(400, R"({"error":{"code":"payment_provider_failed","message":"?"}})")).code,
        error_code::gate_refused);
}

// What a host of the version before pre-orders wrote, by hand: the file is a promise to every earlier
// install.
json earlier_pledge(std::string const& state) {
    return {{"campaignId", "saison-2"},
            {"bundleId", "night-watch"},
            {"gateUrl", "https://gate.example/"},
            {"gateKeys", json::array()},
            {"idempotencyKey", "k"},
            {"amount", 0},
            {"pledgeId", "p-1"},
            {"state", state},
            {"receipts", {"r"}},
            {"deliveries", json::array()}};
}

TEST(PledgeRecords, AKeptPledgeFromBeforePreOrdersReadsInTodaysStates) {
    EXPECT_EQ(pledge_from_json(earlier_pledge("active")).state, "confirmed");
    EXPECT_EQ(pledge_from_json(earlier_pledge("funded")).state, "charged");
    EXPECT_EQ(pledge_from_json(earlier_pledge("failed")).state, "released");
    for (auto const* same : {"sending", "cancelled", "refused"}) {
        EXPECT_EQ(pledge_from_json(earlier_pledge(same)).state, same);
    }
    auto const record = pledge_from_json(earlier_pledge("active"));
    EXPECT_EQ(record.checkout_url, "");
    EXPECT_EQ(record.pledge_id, "p-1");
    EXPECT_EQ(record.receipts, std::vector<std::string>{"r"});
}

TEST(PledgeRecords, TodaysRecordsKeepTheirStatesAndPage) {
    pledge_record r;
    r.campaign_id = "saison-2";
    r.pledge_id = "p-1";
    r.checkout_url = "https://checkout.example/cs_1";
    for (auto const* state : {"pending", "confirmed", "charge_failed", "failed", "charged", "released"}) {
        r.state = state;
        auto const read = pledge_from_json(to_json(r));
        EXPECT_EQ(read.state, state);
        EXPECT_EQ(read.checkout_url, "https://checkout.example/cs_1");
    }
    auto wrong = to_json(r);
    wrong["checkoutUrl"] = 7;
    EXPECT_THROW(pledge_from_json(wrong), json::exception);
}

TEST(PledgeRecords, TheTierAndTheReleasesReasonAreKept) {
    pledge_record r;
    r.campaign_id = "saison-2";
    r.state = "released";
    r.tier = "collector";
    r.release_reason = "tier_sold_out";
    auto const written = to_json(r);
    EXPECT_EQ(written.at("tier"), "collector");
    EXPECT_EQ(written.at("releaseReason"), "tier_sold_out");
    auto const read = pledge_from_json(written);
    EXPECT_EQ(read.tier, "collector");
    EXPECT_EQ(read.release_reason, "tier_sold_out");
    // Kept before tiers: none, and written back without one.
    auto const earlier = pledge_from_json(earlier_pledge("active"));
    EXPECT_EQ(earlier.tier, "");
    EXPECT_EQ(earlier.release_reason, "");
    EXPECT_FALSE(to_json(earlier).contains("tier"));
    auto wrong = written;
    wrong["tier"] = 7;
    EXPECT_THROW(pledge_from_json(wrong), json::exception);
}

} // namespace
} // namespace sluice::gate_api
