#pragma once

#include "sluice-gate/gate_store.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace sluice::gate {

// Where a pledge campaign stands, from the store alone, so that the HTTP handlers and the command line
// (`campaign`, `close`, `deliver`) read it the same way. A campaign still open past its deadline is closed
// by the first look at it: no timer is needed for the state to be right.

// The campaign `id` as it stands at `now`; nullopt when there is none (or `id` is not a campaign id) or the
// store failed (`ec`).
std::optional<campaign_record> current_campaign(gate_store& store, std::string_view id, std::int64_t now,
                                                std::error_code& ec);

// Its progress as GET /v1/campaigns/{id} answers it: state, totals, goals, terms, tiers and deliveries.
std::optional<nlohmann::json> campaign_progress(gate_store& store, std::string_view id, std::int64_t now,
                                                std::error_code& ec);

// A tier as the progress tells it: its terms as the manifest has them, its backers, and for a limited tier
// the places left.
nlohmann::json tier_progress(protocol::pledge_tier const& tier, std::uint64_t backers);

// A delivery's magnet link as the API tells it: null when the bundle was imported without a .torrent.
nlohmann::json magnet_json(std::string const& magnet);

} // namespace sluice::gate
