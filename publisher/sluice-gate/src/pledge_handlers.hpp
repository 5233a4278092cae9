#pragma once

#include "gate_context.hpp"
#include "http_types.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>
#include <system_error>

namespace sluice::gate {

// The pledge gate (protocol/gate-api.md, "Pledge campaigns"). A campaign that is open past its deadline is
// closed by the first request that sees it, so no timer is needed for the state to be right.

// The campaign's progress as GET /v1/campaigns/{id} answers it (closing it first if its deadline has
// passed); nullopt when there is no such campaign or the store failed (`ec`).
std::optional<nlohmann::json> campaign_progress(gate_context& ctx, std::string_view campaign_id,
                                                std::error_code& ec);

// GET /v1/campaigns/{id}: progress.
gate_response handle_campaign_status(gate_context& ctx, std::string_view campaign_id);
// POST /v1/campaigns/{id}/pledges with an Idempotency-Key header.
gate_response handle_pledge(gate_context& ctx, gate_request const& req, std::string_view campaign_id);
// GET /v1/campaigns/{id}/pledges/{pledge}: the pledge, with its token once funded or its release once failed.
gate_response handle_pledge_status(gate_context& ctx, std::string_view campaign_id,
                                   std::string_view pledge_id);
// POST /v1/campaigns/{id}/pledges/{pledge}/cancel.
gate_response handle_pledge_cancel(gate_context& ctx, std::string_view campaign_id,
                                   std::string_view pledge_id);

} // namespace sluice::gate
