#pragma once

#include "sluice-gate/gate_context.hpp"
#include "sluice-gate/http_types.hpp"
#include "sluice-gate/responder.hpp"

#include <string_view>

namespace sluice::gate {

// The pay gate (protocol/gate-api.md, "Pay what you want"): the host creates a payment, the viewer pays on
// the provider's checkout page, the provider tells the gate through a signed webhook, and the host, which
// follows the payment, then receives its unlock token. Nothing is unlocked on the host's word alone.

// POST /v1/bundles/{id}/unlock/pay with an Idempotency-Key header: a pending payment and its checkout URL.
// Answered once the provider opened its checkout.
void handle_pay(gate_context& ctx, gate_request const& req, std::string_view bundle_id,
                responder const& respond);

// GET /v1/payments/{payment}: its state, and once paid its token (issued the first time, recorded first).
gate_response handle_payment_status(gate_context& ctx, std::string_view payment_id);

// POST /v1/payments/webhook: the provider's signed event, applied at most once per event id: a payment paid
// or expired, a pledge's method saved, a charge settled (when its answer was lost); others acknowledged.
gate_response handle_payment_webhook(gate_context& ctx, gate_request const& req);

} // namespace sluice::gate
