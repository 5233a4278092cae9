#pragma once

#include "sluice-gate/gate_context.hpp"
#include "sluice-gate/http_types.hpp"

#include <string_view>

namespace sluice::gate {

// `POST /v1/bundles/<id>/views`: the landing page's count of itself (view_counting.hpp), sent by its script
// with `{"returning": bool, "referrer": "<document.referrer>"}`. Answered 204 whether or not the view was
// counted (a robot's, or one over the per-address rate, is not), so that nothing is learnt from the answer.
gate_response handle_view(gate_context& ctx, gate_request const& req, std::string_view bundle_id);

// `GET /assets/views.js`: that script.
gate_response views_script();

} // namespace sluice::gate
