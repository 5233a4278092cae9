#pragma once

#include "sluice-gate/payment_provider.hpp"
#include "sluice-gate/stripe_objects.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace sluice::testing {

using namespace sluice::gate;

// The payment provider as the router and the charge run see it, answering at once and keeping every call,
// for tests of the gate's own rules (the unit tests, the router's fuzzer). Its webhooks are Stripe's, checked
// and read by the Stripe adapter's own code; the adapter's HTTP side is tested against the fake provider
// server (tests/integration).
class scripted_provider final : public payment_provider {
public:
    explicit scripted_provider(std::string webhook_secret) : secret_(std::move(webhook_secret)) {}

    mutable std::vector<checkout_request> checkouts;
    mutable std::vector<charge_request> charges;
    mutable std::vector<refund_request> refunds;
    mutable std::vector<std::string> releases;
    // How a charge of a method ends (succeeded when not listed).
    std::map<std::string, charge_outcome::status> outcome_by_method;
    provider_failure fail_next_checkout = provider_failure::none;
    provider_failure fail_charges = provider_failure::none;
    // While set, checkouts are not answered: each waits here until the test answers it (a slow provider).
    bool hold_checkouts = false;
    mutable std::vector<std::pair<checkout_request, callback<checkout_session>>> held_checkouts;

    void create_checkout(checkout_request request, callback<checkout_session> done) const override {
        checkouts.push_back(request);
        if (hold_checkouts) {
            held_checkouts.emplace_back(std::move(request), std::move(done));
            return;
        }
        if (fail_next_checkout != provider_failure::none) {
            auto const why = std::exchange(const_cast<scripted_provider*>(this)->fail_next_checkout,
                                           provider_failure::none);
            return done({std::nullopt, why, "scripted failure"});
        }
        // The same key opens the same page, as a real provider's idempotency makes it.
        done({checkout_session{"cs_" + request.idempotency_key,
                               "https://checkout.example/c/" + request.idempotency_key},
              provider_failure::none,
              {}});
    }

    void charge(charge_request request, callback<charge_outcome> done) const override {
        charges.push_back(request);
        if (fail_charges != provider_failure::none) {
            return done({std::nullopt, fail_charges, "scripted failure"});
        }
        auto const found = outcome_by_method.find(request.payment_method);
        charge_outcome out;
        out.result = found == outcome_by_method.end() ? charge_outcome::status::succeeded : found->second;
        out.provider_id = "pi_" + request.idempotency_key;
        if (out.result != charge_outcome::status::succeeded) {
            out.decline_code = out.result == charge_outcome::status::declined ? "insufficient_funds"
                                                                              : "authentication_required";
        }
        done({out, provider_failure::none, {}});
    }

    void refund(refund_request request, callback<refund_outcome> done) const override {
        refunds.push_back(request);
        done({refund_outcome{"re_" + request.idempotency_key, request.amount}, provider_failure::none, {}});
    }

    void release(std::string payment_method, std::string, callback<bool> done) const override {
        releases.push_back(payment_method);
        done({true, provider_failure::none, {}});
    }

    void list_payments(std::string, callback<provider_page<provider_payment>> done) const override {
        done({provider_page<provider_payment>{}, provider_failure::none, {}});
    }
    void list_refunds(std::string, callback<provider_page<provider_refund>> done) const override {
        done({provider_page<provider_refund>{}, provider_failure::none, {}});
    }

    webhook_check check_webhook(gate_request const& request, std::int64_t now) const override {
        return check_webhook_signature(request.header("stripe-signature"), secret_, request.body, now);
    }
    std::optional<provider_event> read_event(std::string_view body) const override {
        return stripe::read_event(body);
    }

private:
    std::string secret_;
};

// A Stripe event of `type` about `object`, as Stripe sends it.
inline std::string stripe_event(std::string const& id, std::string const& type, nlohmann::json object) {
    return nlohmann::json{{"id", id},
                          {"object", "event"},
                          {"api_version", "2024-06-20"},
                          {"created", 1780000000},
                          {"livemode", false},
                          {"type", type},
                          {"data", {{"object", std::move(object)}}}}
        .dump();
}

} // namespace sluice::testing
