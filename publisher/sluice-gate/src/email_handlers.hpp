#pragma once

#include "sluice-gate/gate_context.hpp"
#include "sluice-gate/http_types.hpp"
#include "sluice-gate/responder.hpp"

#include <string_view>

namespace sluice::gate {

// POST /v1/bundles/{id}/unlock/email {"email","device"}: the unlock token at once (200), or, when the
// bundle asks for double opt-in, a 6-digit code mailed to the address and 202 {"confirmation","requestId"}.
// That answer waits for the mail command, which runs off this thread: `respond` is then called later.
void handle_email_unlock(gate_context& ctx, gate_request const& req, std::string_view id,
                         responder const& respond);

// POST /v1/bundles/{id}/unlock/email/confirm {"requestId","code","device"}: the token for a right code
// within its lifetime and attempts.
gate_response handle_email_confirm(gate_context& ctx, gate_request const& req, std::string_view id);

} // namespace sluice::gate
