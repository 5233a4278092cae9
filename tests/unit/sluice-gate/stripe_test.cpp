#include "sluice-gate/stripe_form.hpp"
#include "sluice-gate/stripe_objects.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sluice::gate {
namespace {

using nlohmann::json;

TEST(StripeForm, EncodesNestedParametersInOrder) {
    stripe_form form;
    form.add("mode", "setup")
        .add("line_items[0][quantity]", std::uint64_t{1})
        .add("success_url", "https://gate.example/checkout/done?a=1&b=2")
        .add_map("metadata", {{"sluice_pledge", "Ab-_9"}, {"note", "été + 100%"}});
    EXPECT_EQ(form.body(),
              "mode=setup&line_items%5B0%5D%5Bquantity%5D=1&success_url=https%3A%2F%2Fgate.example%2F"
              "checkout%2Fdone%3Fa%3D1%26b%3D2&metadata%5Bsluice_pledge%5D=Ab-_9&metadata%5Bnote%5D="
              "%C3%A9t%C3%A9+%2B+100%25");
}

TEST(StripeAnswers, AChargeIsSucceededDeclinedOrNeedsTheBacker) {
    auto const ok = stripe::read_charge(
        200,
        R"({"id":"pi_1","object":"payment_intent","status":"succeeded","amount":1500,"currency":"eur"})");
    ASSERT_TRUE(ok.value);
    EXPECT_EQ(ok.value->result, charge_outcome::status::succeeded);
    EXPECT_EQ(ok.value->provider_id, "pi_1");

    auto const declined = stripe::read_charge(402, R"({"error":{"type":"card_error","code":"card_declined",
        "decline_code":"insufficient_funds","message":"Your card has insufficient funds.",
        "payment_intent":{"id":"pi_2","object":"payment_intent","status":"requires_payment_method"}}})");
    ASSERT_TRUE(declined.value);
    EXPECT_EQ(declined.value->result, charge_outcome::status::declined);
    EXPECT_EQ(declined.value->provider_id, "pi_2");
    EXPECT_EQ(declined.value->decline_code, "insufficient_funds");

    auto const sca =
        stripe::read_charge(402, R"({"error":{"type":"card_error","code":"authentication_required",
        "payment_intent":{"id":"pi_3","status":"requires_payment_method"}}})");
    ASSERT_TRUE(sca.value);
    EXPECT_EQ(sca.value->result, charge_outcome::status::requires_action);
    EXPECT_EQ(sca.value->decline_code, "authentication_required");

    // The outcome is unknown: the same key must be sent again.
    for (auto const& [status, body] : std::vector<std::pair<int, std::string>>{
             {500, R"({"error":{"type":"api_error","message":"boom"}})"},
             {409, R"({"error":{"type":"idempotency_error","code":"idempotency_key_in_use"}})"},
             {429, "{}"},
             {200, "not json"},
             {200, R"({"id":"pi_4","object":"payment_intent","status":"processing"})"},
             {200, R"({"object":"charge","id":"ch_1"})"}}) {
        auto const answer = stripe::read_charge(status, body);
        EXPECT_FALSE(answer.value) << status << " " << body;
        EXPECT_EQ(answer.failure, provider_failure::transient) << status << " " << body;
    }
    // The provider refused the request: sending it again is useless.
    auto const refused = stripe::read_charge(
        400,
        R"({"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such PaymentMethod"}})");
    EXPECT_EQ(refused.failure, provider_failure::rejected);
    EXPECT_NE(refused.error.find("No such PaymentMethod (resource_missing)"), std::string::npos)
        << refused.error;
    EXPECT_EQ(stripe::read_charge(401, R"({"error":{"type":"invalid_request_error"}})").failure,
              provider_failure::rejected);
}

TEST(StripeAnswers, ACheckoutSessionNeedsAnHttpUrl) {
    auto const ok = stripe::read_checkout_session(
        200,
        R"({"id":"cs_test_1","object":"checkout.session","url":"https://checkout.stripe.com/c/pay/cs_test_1"})");
    ASSERT_TRUE(ok.value);
    EXPECT_EQ(ok.value->id, "cs_test_1");
    EXPECT_EQ(ok.value->url, "https://checkout.stripe.com/c/pay/cs_test_1");
    EXPECT_FALSE(stripe::read_checkout_session(
                     200, R"x({"id":"cs_1","object":"checkout.session","url":"javascript:alert(1)"})x")
                     .value);
    EXPECT_FALSE(stripe::read_checkout_session(200, R"({"id":"cs_1","object":"checkout.session"})").value);
    EXPECT_FALSE(
        stripe::read_checkout_session(200, R"({"id":"cus_1","object":"customer","url":"https://x"})").value);
}

TEST(StripeAnswers, ListsPageByTheirLastId) {
    auto const page = stripe::read_payment_list(200, R"({"object":"list","has_more":true,"data":[
        {"id":"pi_b","object":"payment_intent","amount":1500,"currency":"eur","status":"succeeded",
         "metadata":{"sluice_pledge":"P1","sluice_charge":"K1"},"created":5},
        {"id":"pi_a","object":"payment_intent","amount":700,"currency":"eur","status":"requires_payment_method",
         "metadata":{}}]})");
    ASSERT_TRUE(page.value);
    ASSERT_EQ(page.value->items.size(), 2u);
    EXPECT_EQ(page.value->next_cursor, "pi_a");
    EXPECT_TRUE(page.value->items[0].succeeded);
    EXPECT_EQ(page.value->items[0].currency, "EUR");
    EXPECT_EQ(*page.value->items[0].reference("sluice_pledge"), "P1");
    EXPECT_FALSE(page.value->items[1].succeeded);
    auto const last = stripe::read_refund_list(
        200,
        R"({"object":"list","has_more":false,"data":[{"id":"re_1","amount":500,"payment_intent":"pi_b","status":"succeeded"}]})");
    ASSERT_TRUE(last.value);
    EXPECT_EQ(last.value->next_cursor, "");
    EXPECT_EQ(last.value->items[0].provider_payment_id, "pi_b");
}

json event(std::string const& type, json object) {
    return json{
        {"id", "evt_1"}, {"object", "event"}, {"type", type}, {"created", 7}, {"data", {{"object", object}}}};
}

TEST(StripeEvents, EachEventTheGateActsOnIsRead) {
    using kind = provider_event::kind;
    auto const saved =
        stripe::read_event(event("setup_intent.succeeded", {{"id", "seti_1"},
                                                            {"customer", "cus_1"},
                                                            {"payment_method", "pm_1"},
                                                            {"metadata", {{"sluice_pledge", "P1"}}}})
                               .dump());
    ASSERT_TRUE(saved);
    EXPECT_EQ(saved->what, kind::method_saved);
    EXPECT_EQ(saved->id, "evt_1");
    EXPECT_EQ(saved->customer, "cus_1");
    EXPECT_EQ(saved->payment_method, "pm_1");
    EXPECT_EQ(saved->reference("sluice_pledge"), "P1");

    auto const paid =
        stripe::read_event(event("checkout.session.completed", {{"mode", "payment"},
                                                                {"payment_status", "paid"},
                                                                {"payment_intent", "pi_9"},
                                                                {"metadata", {{"sluice_payment", "X"}}}})
                               .dump());
    ASSERT_TRUE(paid);
    EXPECT_EQ(paid->what, kind::payment_succeeded);
    EXPECT_EQ(paid->provider_payment_id, "pi_9");
    auto const setup = stripe::read_event(
        event("checkout.session.completed", {{"mode", "setup"},
                                             {"customer_details", {{"email", "ada@example.org"}}},
                                             {"metadata", {{"sluice_pledge", "P1"}}}})
            .dump());
    EXPECT_EQ(setup->what, kind::setup_completed);
    EXPECT_EQ(setup->email, "ada@example.org");
    EXPECT_EQ(stripe::read_event(event("checkout.session.expired", {{"mode", "payment"}}).dump())->what,
              kind::payment_expired);
    auto const charged = stripe::read_event(
        event("payment_intent.succeeded", {{"id", "pi_1"}, {"metadata", {{"sluice_charge", "K"}}}}).dump());
    EXPECT_EQ(charged->what, kind::charge_succeeded);
    EXPECT_EQ(charged->provider_payment_id, "pi_1");
    EXPECT_EQ(stripe::read_event(event("payment_intent.payment_failed",
                                       {{"id", "pi_1"}, {"metadata", {{"sluice_charge", "K"}}}})
                                     .dump())
                  ->what,
              kind::charge_failed);
    // A one-off payment's intent is not a charge of a pledge.
    EXPECT_EQ(stripe::read_event(
                  event("payment_intent.succeeded", {{"id", "pi_1"}, {"metadata", json::object()}}).dump())
                  ->what,
              kind::ignored);
    EXPECT_EQ(stripe::read_event(event("charge.refunded", {{"payment_intent", "pi_1"}}).dump())->what,
              kind::refunded);
    EXPECT_EQ(stripe::read_event(event("customer.created", {{"id", "cus_1"}}).dump())->what, kind::ignored);

    for (auto const* bad : {"", "{}", "[]", R"({"id":"evt","object":"event","type":"x"})",
                            R"({"id":"evt","object":"event","type":"x","data":{"object":1}})",
                            R"({"id":"evt","object":"list","type":"x","data":{"object":{}}})"}) {
        EXPECT_FALSE(stripe::read_event(bad)) << bad;
    }
}

} // namespace
} // namespace sluice::gate
