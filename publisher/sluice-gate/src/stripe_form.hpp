#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::gate {

// A request body in Stripe's encoding: application/x-www-form-urlencoded, nested parameters named with
// brackets (`metadata[sluice_pledge]=…`, `line_items[0][price_data][currency]=eur`). Built in order, so a
// request's bytes are the same each time it is sent (an idempotent retry sends the very same body).
class stripe_form {
public:
    stripe_form& add(std::string_view name, std::string_view value);
    stripe_form& add(std::string_view name, std::uint64_t value);
    // `prefix[key]=value` for each pair (metadata, payment_intent_data[metadata]...).
    stripe_form& add_map(std::string_view prefix,
                         std::vector<std::pair<std::string, std::string>> const& pairs);

    std::string const& body() const { return body_; }

private:
    std::string body_;
};

// Percent-encoding of one name or value: unreserved characters stay, a space is "+", the rest is %XX.
std::string form_escape(std::string_view text);

} // namespace sluice::gate
