#pragma once

#include "sluice-gate/gate_context.hpp"
#include "sluice-gate/http_types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::gate {

// Requests that create something the viewer pays for (a pledge, a payment) carry an Idempotency-Key: the
// host picks it and stores it before the first attempt, so a retry after a lost answer finds the first
// record instead of making a second one (protocol/gate-api.md, "Pledge campaigns").

// The header's value when it is 1 to 128 visible ASCII characters; nullopt when missing or malformed.
std::optional<std::string> idempotency_key(gate_request const& req);

// 400 idempotency_key_required.
gate_response idempotency_key_required();

// Lower-case hex SHA-256 of `request`, the request's meaningful fields in a fixed order. Stored with the
// record: the same key with the same digest is a retry, with another digest a reuse (422).
std::string request_digest(std::string_view request);

// A recorded pledge or payment whose checkout is not open yet is opened by one request at a time, on any
// gate: the one holding its lease (gate_store.hpp, take_checkout_lease) for as long as the provider usually
// takes to answer. A lease outlives a gate killed while holding it, and the retries of that pledge wait it
// out: so it is short. A provider slower than the lease may be asked twice, under the same idempotency key,
// which opens the same page. nullopt when this request holds it now; else the answer to give:
// 409 idempotency_key_in_flight with Retry-After, or the storage's failure.
inline constexpr std::int64_t checkout_lease_seconds = 10;
std::optional<gate_response> lease_checkout(gate_context& ctx, checkout_of of, std::string_view id);
// Gives the lease back when the provider failed, so that the client's retry opens the checkout at once.
void end_checkout_lease(gate_context& ctx, checkout_of of, std::string_view id);

} // namespace sluice::gate
