#pragma once

#include "sluice-gate/gate_context.hpp"
#include "sluice-gate/http_types.hpp"

#include <string_view>

namespace sluice::gate {

// `POST /v1/bundles/<id>/plays`: what a viewer's host reports, only when its viewer said yes, of the bundle's
// items played since its last report: `{"version": N, "items": [{"item": "<path>", "started": n, "finished":
// n}]}`. The host sends it a random while after the plays, several together, with no device key, token or
// other name; the gate keeps only the counts, on the day it received them. 204 when counted or when the
// sender is over its rate (the report is then dropped: the counts are estimates, not records).
gate_response handle_plays(gate_context& ctx, gate_request const& req, std::string_view bundle_id);

// The most items one report may name, and the most plays of one item it may count.
inline constexpr std::size_t max_report_items = 100;
inline constexpr std::uint64_t max_item_plays = 1000;

} // namespace sluice::gate
