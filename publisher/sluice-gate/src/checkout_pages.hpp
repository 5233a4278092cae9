#pragma once

#include "sluice-gate/http_types.hpp"

#include <string>
#include <string_view>

namespace sluice::gate {

// Where the provider's checkout page sends the viewer back: `<public URL>checkout/done` and
// `checkout/cancelled` (a gate with no public URL answers them on its own address, which is all a viewer on
// this machine needs). The pages only say what happens next: the host learns the outcome from the gate.
std::string checkout_return_url(std::string_view public_url, bool done);

// `path` (no leading '/') under the gate's public URL.
std::string public_link(std::string_view public_url, std::string_view path);

// GET /pledges/{campaign}/{pledge}/payment-method, the link a backer's notice carries: a 303 to the
// provider's page that saves another card (what POST .../payment-method answers as JSON).
gate_response redirect_to(std::string const& url);

// GET /checkout/done and /checkout/cancelled.
gate_response checkout_return_page(bool done);

} // namespace sluice::gate
