// libFuzzer entry point: a pledge's status as a gate answers it (GET /v1/campaigns/{c}/pledges/{p}), with
// the deliveries it lists and the check of the tokens it carries; then the same bytes as the answer for a new
// payment method (POST .../payment-method), which shares its checkout URL's rule.

#include "gate_api/campaign_progress.hpp"
#include "gate_fuzz_support.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <algorithm>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace sluice;
    using namespace sluice::fuzzing;
    auto const& k = fuzz_keys();
    auto const reply = fuzz_reply(std::string_view(reinterpret_cast<char const*>(data), size), 200);
    if (reply.what != gate_api::gate_reply::outcome::answered) {
        return 0;
    }
    if (auto const page = gate_api::read_payment_method(reply.body, "p-1")) {
        auto const& url = page.value.checkout_url;
        if (url.size() > 2048 || !(url.starts_with("https://") || url.starts_with("http://"))) {
            std::abort();
        }
    } else if (page.problem.empty()) {
        std::abort();
    }
    auto const status = gate_api::read_pledge_status(reply.body, "p-1", "saison-2");
    if (!status) {
        return status.problem.empty() ? (std::abort(), 0) : 0;
    }
    auto const& s = status.value;
    static constexpr std::string_view states[] = {"pending",       "confirmed", "charging",  "charged",
                                                  "charge_failed", "failed",    "cancelled", "released"};
    if (std::find(std::begin(states), std::end(states), s.state) == std::end(states) ||
        (s.campaign_state != "open" && s.campaign_state != "funded" && s.campaign_state != "failed")) {
        std::abort();
    }
    // Each member only in its state: a token is never read beside a pledge that was not charged.
    if ((!s.token.empty() && s.state != "charged") || (!s.release.empty() && s.state != "released") ||
        (!s.reason.empty() && s.state != "released") || (!s.checkout_url.empty() && s.state != "pending") ||
        ((!s.decline_code.empty() || !s.retry_until.empty() || !s.next_attempt.empty()) &&
         s.state != "charge_failed")) {
        std::abort();
    }
    // The page the extension would open in a tab, and the texts it would show.
    if (!s.checkout_url.empty() &&
        (s.checkout_url.size() > 2048 ||
         !(s.checkout_url.starts_with("https://") || s.checkout_url.starts_with("http://")))) {
        std::abort();
    }
    for (auto const* time : {&s.charged_on, &s.retry_until, &s.next_attempt}) {
        if (!time->empty() && !protocol::parse_utc_timestamp(*time)) {
            std::abort();
        }
    }
    for (unsigned char c : s.decline_code) {
        if (c <= 0x20 || c >= 0x7f) {
            std::abort();
        }
    }
    // A tier is an id, a reason a code: both reach the extension, which words the reason itself.
    if ((!s.tier.empty() && !protocol::is_bundle_slug(s.tier)) || s.reason.size() > 64 ||
        !std::all_of(s.reason.begin(), s.reason.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; })) {
        std::abort();
    }
    if (!s.token.empty()) {
        gate_api::check_gate_token(s.token, "saison-2-bundle", {k.gate.public_key}, k.device, k.now);
    }
    for (auto const& delivery : gate_api::campaign_deliveries(reply.body)) {
        if (!protocol::is_bundle_slug(delivery.bundle_id)) {
            std::abort();
        }
        if (!delivery.token.empty()) {
            gate_api::check_gate_token(delivery.token, delivery.bundle_id, {k.gate.public_key}, k.device,
                                       k.now);
        }
    }
    return 0;
}
