#pragma once

#include "sluice-gate/gate_context.hpp"
#include "sluice-gate/http_types.hpp"

#include <string_view>

namespace sluice::gate {

// GET /v1/bundles/{id}: the bundle's public status (id, version, title, gates as the manifest has them).
gate_response handle_bundle_status(gate_context& ctx, std::string_view id);

// GET /b/{id}: the landing page (landing_page.hpp).
gate_response handle_landing_page(gate_context& ctx, std::string_view id);

} // namespace sluice::gate
