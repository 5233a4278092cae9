#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::gate_api {

inline constexpr std::size_t max_update_title_bytes = 200;
inline constexpr std::size_t max_update_text_bytes = 10000;
inline constexpr std::size_t max_campaign_updates = 20;
inline constexpr std::size_t max_campaign_tiers = 20;
inline constexpr std::size_t max_tier_title_bytes = 100;
inline constexpr std::size_t max_tier_description_bytes = 1000;
inline constexpr std::size_t max_tier_items = 1000;
inline constexpr std::size_t max_tier_deliveries = 100;

// A campaign's progress as a gate answers it (GET /v1/campaigns/{c}, protocol/gate-api.md), reduced to the
// members the API defines, each of the kind it promises: what reaches the extension is never the gate's JSON
// as it came. nullopt when a required member is missing or of the wrong kind. Its `updates` keep the
// well-formed ones only (a malformed update is dropped, not the whole answer), in the gate's order, the last
// max_campaign_updates of them. Its `tiers` likewise keep the well-formed ones, each id once, in the gate's
// order, the first max_campaign_tiers of them.
std::optional<nlohmann::json> campaign_progress(nlohmann::json const& answer);

// A campaign delivery as a pledge's answer lists it: {"bundleId","version","magnet"?,"token"?}.
struct campaign_delivery {
    std::string bundle_id;
    std::uint64_t version = 0;
    std::string magnet; // empty when the gate has none
    std::string token;  // empty when the gate gave none
};
std::vector<campaign_delivery> campaign_deliveries(nlohmann::json const& answer);

} // namespace sluice::gate_api
