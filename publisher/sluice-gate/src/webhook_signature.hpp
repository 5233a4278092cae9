#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::gate {

// The signature a payment provider puts on each webhook (protocol/gate-api.md, "Payment webhook"):
//     Sluice-Signature: t=<unix seconds>,v1=<lower-case hex HMAC-SHA256(secret, "<t>.<raw body>")>
// The HMAC covers the body exactly as it arrived, before any parsing, and the time, so that a captured
// request cannot be replayed once the tolerance has passed (and, within it, the event id stops a replay).

// How far the signed time may be from the gate's clock, either way.
inline constexpr std::int64_t webhook_tolerance_seconds = 300;
// A longer header is not one a provider sends.
inline constexpr std::size_t max_signature_header_bytes = 1024;

struct signature_header {
    std::string timestamp; // the digits as sent: they are signed as they are
    std::int64_t unix_time = 0;
    std::vector<std::array<unsigned char, 32>> v1; // one or more candidate signatures
};

// Comma-separated key=value pairs without spaces: `t` exactly once (1 to 12 digits), `v1` once or a few
// times (64 lower-case hex digits: a provider rolling its secret signs with both), any other key ignored
// (a later scheme). nullopt when the header is not of that form.
std::optional<signature_header> parse_signature_header(std::string_view text);

// |now - signed_at| <= webhook_tolerance_seconds.
bool within_tolerance(std::int64_t signed_at, std::int64_t now);

// HMAC-SHA256 with `secret` as the key over "<timestamp>.<body>".
std::array<unsigned char, 32> webhook_hmac(std::string_view secret, std::string_view timestamp,
                                           std::string_view body);

// Whether one of the header's v1 signatures is the HMAC of `body`, compared in constant time.
bool signature_matches(signature_header const& header, std::string_view secret, std::string_view body);

enum class webhook_check {
    valid,
    malformed_header, // missing or not of the form above
    expired,          // signed too long ago, or too far ahead
    bad_signature,    // no v1 is the body's HMAC under the secret
};

// The three checks in order; `header` is nullptr when the request has none.
webhook_check check_webhook_signature(std::string const* header, std::string_view secret,
                                      std::string_view body, std::int64_t now);

} // namespace sluice::gate
