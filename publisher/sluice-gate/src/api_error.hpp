#pragma once

#include "sluice-gate/http_types.hpp"

#include <string_view>
#include <system_error>

namespace sluice::gate {

// The stable `error.code` strings of the gate's HTTP API; protocol/gate-api.md lists each with its status.
namespace error_code {
inline constexpr std::string_view bad_request = "bad_request";
inline constexpr std::string_view body_too_large = "body_too_large";
inline constexpr std::string_view malformed_json = "malformed_json";
inline constexpr std::string_view invalid_request = "invalid_request";
inline constexpr std::string_view invalid_email = "invalid_email";
inline constexpr std::string_view invalid_device = "invalid_device";
inline constexpr std::string_view not_found = "not_found";
inline constexpr std::string_view method_not_allowed = "method_not_allowed";
inline constexpr std::string_view bundle_not_found = "bundle_not_found";
inline constexpr std::string_view gate_not_offered = "gate_not_offered";
inline constexpr std::string_view rate_limited = "rate_limited";
inline constexpr std::string_view request_not_found = "request_not_found";
inline constexpr std::string_view wrong_code = "wrong_code";
inline constexpr std::string_view code_expired = "code_expired";
inline constexpr std::string_view too_many_attempts = "too_many_attempts";
inline constexpr std::string_view already_confirmed = "already_confirmed";
inline constexpr std::string_view device_mismatch = "device_mismatch";
inline constexpr std::string_view mail_unavailable = "mail_unavailable";
inline constexpr std::string_view gate_misconfigured = "gate_misconfigured";
inline constexpr std::string_view internal_error = "internal_error";
inline constexpr std::string_view storage_unavailable = "storage_unavailable";
inline constexpr std::string_view campaign_not_found = "campaign_not_found";
inline constexpr std::string_view pledge_not_found = "pledge_not_found";
inline constexpr std::string_view campaign_closed = "campaign_closed";
inline constexpr std::string_view amount_too_low = "amount_too_low";
inline constexpr std::string_view unknown_tier = "unknown_tier";
inline constexpr std::string_view tier_sold_out = "tier_sold_out";
inline constexpr std::string_view idempotency_key_required = "idempotency_key_required";
inline constexpr std::string_view idempotency_key_reused = "idempotency_key_reused";
inline constexpr std::string_view idempotency_key_in_flight = "idempotency_key_in_flight";
inline constexpr std::string_view currency_mismatch = "currency_mismatch";
inline constexpr std::string_view payments_unavailable = "payments_unavailable";
inline constexpr std::string_view payment_provider_failed = "payment_provider_failed";
inline constexpr std::string_view pledge_not_updatable = "pledge_not_updatable";
inline constexpr std::string_view payment_not_found = "payment_not_found";
inline constexpr std::string_view payment_state_conflict = "payment_state_conflict";
inline constexpr std::string_view invalid_signature_header = "invalid_signature_header";
inline constexpr std::string_view signature_expired = "signature_expired";
inline constexpr std::string_view invalid_signature = "invalid_signature";
inline constexpr std::string_view unauthorized = "unauthorized";
inline constexpr std::string_view campaign_open = "campaign_open";
inline constexpr std::string_view campaign_failed = "campaign_failed";
inline constexpr std::string_view campaign_mismatch = "campaign_mismatch";
} // namespace error_code

// {"error":{"code":..,"message":..}} with `status`.
gate_response error_response(unsigned status, std::string_view code, std::string_view message);

// 405 method_not_allowed with the `Allow` header: `allowed` is "GET", "POST" or "GET, POST".
gate_response wrong_method(std::string_view allowed);

// 204 with no body.
gate_response no_content();

// 200 (or `status`) with a JSON body.
gate_response json_response(std::string body, unsigned status = 200);

// 500 internal_error: the gate's storage failed, nothing was recorded.
gate_response storage_failed();

// The same for the store's failure `ec`, unless it is passing (is_transient: the database out of reach for a
// moment, busy, or asking for the transaction to be run again): then 503 storage_unavailable with
// `Retry-After: 1`, since the same request sent again may well succeed, and hosts retry a 503.
gate_response storage_failed(std::error_code const& ec);

} // namespace sluice::gate
