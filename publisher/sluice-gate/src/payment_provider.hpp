#pragma once

#include <string>
#include <string_view>

namespace sluice::gate {

// The service that takes the viewer's money. The gate never sees a card: it records a payment, sends the
// viewer (through the host) to the provider's checkout page, and learns the outcome from the provider's
// signed webhook (webhook_signature.hpp). A provider is therefore two things to the gate: where a payment is
// paid, and the secret its webhooks are signed with.
class payment_provider {
public:
    virtual ~payment_provider() = default;

    // The page where the viewer pays for `payment_id` (an http(s) URL).
    virtual std::string checkout_url(std::string_view payment_id) const = 0;
    // The secret shared with the provider, the key of each webhook's HMAC.
    virtual std::string_view webhook_secret() const = 0;
};

// A provider with a hosted checkout page: its URL is a template in which `{payment}` stands for the
// payment id (`https://pay.example/checkout?p={payment}`), and webhooks are signed with one shared secret.
// This is how the publisher configures it (`serve --checkout-url --payment-secret-file`).
class hosted_checkout final : public payment_provider {
public:
    static constexpr std::string_view placeholder = "{payment}";

    // The template must be an http(s) URL holding the placeholder (is_valid_template); the secret not empty.
    hosted_checkout(std::string url_template, std::string secret)
        : url_template_(std::move(url_template)), secret_(std::move(secret)) {}

    static bool is_valid_template(std::string_view url_template);

    std::string checkout_url(std::string_view payment_id) const override;
    std::string_view webhook_secret() const override { return secret_; }

private:
    std::string url_template_;
    std::string secret_;
};

} // namespace sluice::gate
