#pragma once

#include "sluice-gate/http_types.hpp"

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

} // namespace sluice::gate
