#pragma once

#include "sluice-gate/payment_provider.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace sluice::gate {

// How the creator connects a Stripe account (`serve --stripe-key-file --stripe-webhook-secret-file`, and
// `--stripe-api` for another base URL: the fake provider in tests and the demo).
struct stripe_config {
    std::string api_base = "https://api.stripe.com/"; // ends with '/'
    std::string secret_key;     // sk_live_… or sk_test_… (a restricted key with these rights does too)
    std::string webhook_secret; // whsec_…, the endpoint's signing secret
    std::chrono::seconds timeout{30};
    int max_attempts = 4; // per call, all with the same Idempotency-Key
    std::chrono::milliseconds first_retry_delay{500};
};

// The last answer to one call: status 0 when none came (`error` says why).
struct stripe_reply {
    int status = 0;
    std::string body;
    std::string error;
};
struct stripe_call;

// The Stripe adapter: Stripe's documented v1 HTTP API (form-encoded requests with the secret key as a bearer
// token; Customers, Checkout Sessions in `payment` and `setup` mode, PaymentIntents confirmed off-session,
// Refunds, PaymentMethod detach, lists) and its webhooks (`Stripe-Signature`, HMAC-SHA256 over
// "<t>.<body>" with the endpoint's secret, 300 s tolerance). Every POST carries an Idempotency-Key; a call
// whose outcome is unknown (network, timeout, 409, 429, 5xx) is sent again with the same key and body after
// a growing delay, up to `max_attempts`, so a lost answer never becomes a second charge.
class stripe_provider final : public payment_provider {
public:
    stripe_provider(boost::asio::io_context& io, stripe_config config);

    void create_checkout(checkout_request request, callback<checkout_session> done) const override;
    void charge(charge_request request, callback<charge_outcome> done) const override;
    void refund(refund_request request, callback<refund_outcome> done) const override;
    void release(std::string payment_method, std::string idempotency_key, callback<bool> done) const override;
    void list_payments(std::string cursor, callback<provider_page<provider_payment>> done) const override;
    void list_refunds(std::string cursor, callback<provider_page<provider_refund>> done) const override;

    webhook_check check_webhook(gate_request const& request, std::int64_t now) const override;
    std::optional<provider_event> read_event(std::string_view body) const override;

private:
    // One call, retried while its outcome is unknown; `done` gets the last reply.
    void call(std::string method, std::string path, std::string body, std::string idempotency_key,
              std::function<void(stripe_reply)> done) const;
    void attempt(std::shared_ptr<stripe_call> pending) const;

    boost::asio::io_context& io_;
    stripe_config config_;
};

} // namespace sluice::gate
