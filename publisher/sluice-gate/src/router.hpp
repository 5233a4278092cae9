#pragma once

#include "sluice-gate/gate_context.hpp"
#include "sluice-gate/http_types.hpp"
#include "sluice-gate/responder.hpp"

namespace sluice::gate {

// The whole HTTP API as a function from a request read in full to the response (protocol/gate-api.md),
// kept apart from the connection handling so tests can call it without a socket. Never throws: whatever
// the input, the answer is a response, and a 5xx only when the gate itself fails (its storage, its mail).
//
// `respond` is called exactly once: before handle_request returns for nearly every request, later (on
// `respond.owner()`'s thread) for the one that waits for the mail command. Call it on the thread that owns
// `ctx`.
void handle_request(gate_context& ctx, gate_request const& req, responder const& respond);

// The same, waiting for the answer on the calling thread (a mail command included): for tests and tools
// that hold a context of their own, never for the server's thread.
gate_response handle_request(gate_context& ctx, gate_request const& req);

} // namespace sluice::gate
