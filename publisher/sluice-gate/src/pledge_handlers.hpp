#pragma once

#include "sluice-gate/gate_context.hpp"
#include "sluice-gate/http_types.hpp"
#include "sluice-gate/responder.hpp"

#include <string_view>

namespace sluice::gate {

// The pledge gate (protocol/gate-api.md, "Pledge campaigns"). Where a campaign stands is campaigns.hpp's.

// GET /v1/campaigns/{id}: progress.
gate_response handle_campaign_status(gate_context& ctx, std::string_view campaign_id);
// POST /v1/campaigns/{id}/pledges with an Idempotency-Key header: a pending pledge and the provider's page
// that saves the backer's payment method (answered once the provider opened it).
void handle_pledge(gate_context& ctx, gate_request const& req, std::string_view campaign_id,
                   responder const& respond);
// POST /v1/campaigns/{id}/pledges/{pledge}/payment-method: a new page to save another method (a declined
// card, within the grace period). `redirect`: the same as a 303 to that page (GET /pledges/{id}/{pledge}/
// payment-method, the link of the backer's notice).
void handle_pledge_payment_method(gate_context& ctx, std::string_view campaign_id, std::string_view pledge_id,
                                  responder const& respond, bool redirect = false);
// GET /v1/campaigns/{id}/pledges/{pledge}: the pledge, with its token (and a token for each delivery) once
// charged, or its release once released.
gate_response handle_pledge_status(gate_context& ctx, std::string_view campaign_id,
                                   std::string_view pledge_id);
// POST /v1/campaigns/{id}/pledges/{pledge}/cancel.
gate_response handle_pledge_cancel(gate_context& ctx, std::string_view campaign_id,
                                   std::string_view pledge_id);

} // namespace sluice::gate
