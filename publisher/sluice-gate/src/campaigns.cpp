#include "sluice-gate/campaigns.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <algorithm>

namespace sluice::gate {

using nlohmann::json;

protocol::pledge_tier const* campaign_record::find_tier(std::string_view tier_id) const {
    auto const it = std::find_if(tiers.begin(), tiers.end(), [&](auto const& t) { return t.id == tier_id; });
    return it == tiers.end() ? nullptr : &*it;
}

tier_totals campaign_totals::tier(std::string_view tier_id) const {
    auto const it = by_tier.find(tier_id);
    return it == by_tier.end() ? tier_totals{} : it->second;
}

std::optional<campaign_record> current_campaign(gate_store& store, std::string_view id, std::int64_t now,
                                                std::error_code& ec) {
    ec.clear();
    if (!protocol::is_bundle_slug(id)) {
        return std::nullopt;
    }
    auto campaign = store.find_campaign(id, ec);
    if (ec || !campaign) {
        return std::nullopt;
    }
    if (campaign->state == "open" && now >= campaign->deadline) {
        store.close_campaign(id, now, ec);
        if (ec) {
            return std::nullopt;
        }
        campaign = store.find_campaign(id, ec);
    }
    return campaign;
}

json tier_progress(protocol::pledge_tier const& tier, std::uint64_t backers) {
    auto out = protocol::to_json(tier);
    out["backers"] = backers;
    if (tier.limit) {
        out["left"] = *tier.limit - std::min(backers, *tier.limit);
    }
    return out;
}

json magnet_json(std::string const& magnet) {
    return magnet.empty() ? json(nullptr) : json(magnet);
}

std::optional<json> campaign_progress(gate_store& store, std::string_view id, std::int64_t now,
                                      std::error_code& ec) {
    auto const c = current_campaign(store, id, now, ec);
    if (ec || !c) {
        return std::nullopt;
    }
    auto const t = store.totals(c->id, ec);
    if (ec) {
        return std::nullopt;
    }
    auto const delivered = store.deliveries(c->id, ec);
    auto const posted = ec ? std::vector<campaign_update>() : store.updates(c->id, ec);
    if (ec) {
        return std::nullopt;
    }
    json updates = json::array();
    for (auto const& u : posted) {
        updates.push_back({{"id", u.update_id},
                           {"title", u.title},
                           {"text", u.text},
                           {"postedAt", protocol::format_utc_timestamp(u.posted_at)}});
    }
    json tiers = json::array();
    for (auto const& tier : c->tiers) {
        tiers.push_back(tier_progress(tier, t.tier(tier.id).backers));
    }
    json deliveries = json::array();
    for (auto const& d : delivered) {
        deliveries.push_back({{"bundleId", d.bundle_id},
                              {"version", d.version},
                              {"magnet", magnet_json(d.magnet)},
                              {"publishedAt", protocol::format_utc_timestamp(d.delivered_at)}});
    }
    json out{{"campaignId", c->id},
             {"bundleId", c->bundle_id},
             {"state", c->state},
             {"backers", t.backers},
             {"amount", t.amount},
             {"price", c->price},
             {"currency", c->currency},
             {"deadline", protocol::format_utc_timestamp(c->deadline)},
             {"secondsLeft", std::max<std::int64_t>(0, c->deadline - now)},
             {"expectedDelivery", c->expected_delivery},
             {"ifGoalMissed", c->if_goal_missed},
             {"tiers", std::move(tiers)},
             {"deliveries", std::move(deliveries)},
             {"updates", std::move(updates)}};
    if (c->goal_backers) {
        out["goalBackers"] = *c->goal_backers;
    }
    if (c->goal_amount) {
        out["goalAmount"] = *c->goal_amount;
    }
    return out;
}

} // namespace sluice::gate
