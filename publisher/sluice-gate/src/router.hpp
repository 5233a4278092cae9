#pragma once

#include "gate_context.hpp"
#include "http_types.hpp"

namespace sluice::gate {

// The whole HTTP API as one function from a request read in full to the response (protocol/gate-api.md),
// kept apart from the connection handling so tests can call it without a socket. Never throws: whatever
// the input, the answer is a response, and a 5xx only when the gate itself fails (its storage, its mail).
gate_response handle_request(gate_context& ctx, gate_request const& req);

} // namespace sluice::gate
