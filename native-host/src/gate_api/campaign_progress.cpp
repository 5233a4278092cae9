#include "gate_api/campaign_progress.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

namespace sluice::gate_api {

using nlohmann::json;

namespace {

bool short_text(json const& v, std::size_t max) {
    return v.is_string() && !v.get_ref<std::string const&>().empty() &&
           v.get_ref<std::string const&>().size() <= max;
}

bool count(json const& v) {
    return v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
}

} // namespace

std::optional<json> campaign_progress(json const& answer) {
    if (!answer.is_object()) {
        return std::nullopt;
    }
    json out = json::object();
    // Required, then optional members, each with its rule.
    for (auto const* key : {"campaignId", "bundleId"}) {
        auto const it = answer.find(key);
        if (it == answer.end() || !it->is_string() || !protocol::is_bundle_slug(it->get<std::string>())) {
            return std::nullopt;
        }
        out[key] = *it;
    }
    auto const state = answer.value("state", json());
    if (state != "open" && state != "funded" && state != "failed") {
        return std::nullopt;
    }
    out["state"] = state;
    for (auto const* key : {"backers", "amount"}) {
        auto const it = answer.find(key);
        if (it == answer.end() || !count(*it)) {
            return std::nullopt;
        }
        out[key] = *it;
    }
    for (auto const* key : {"goalBackers", "goalAmount", "price", "secondsLeft"}) {
        if (auto const it = answer.find(key); it != answer.end() && count(*it)) {
            out[key] = *it;
        }
    }
    if (auto const it = answer.find("currency");
        it != answer.end() && it->is_string() && protocol::is_currency_code(it->get<std::string>())) {
        out["currency"] = *it;
    }
    for (auto const* key : {"deadline", "expectedDelivery"}) {
        if (auto const it = answer.find(key); it != answer.end() && short_text(*it, 32)) {
            out[key] = *it;
        }
    }
    if (auto const it = answer.find("ifGoalMissed"); it != answer.end() && short_text(*it, 2000)) {
        out["ifGoalMissed"] = *it;
    }
    json deliveries = json::array();
    for (auto const& d : campaign_deliveries(answer)) {
        deliveries.push_back({{"bundleId", d.bundle_id}, {"version", d.version}});
    }
    out["deliveries"] = std::move(deliveries);
    return out;
}

std::vector<campaign_delivery> campaign_deliveries(json const& answer) {
    std::vector<campaign_delivery> out;
    auto const it = answer.find("deliveries");
    if (it == answer.end() || !it->is_array()) {
        return out;
    }
    for (auto const& d : *it) {
        if (!d.is_object()) {
            continue;
        }
        auto const id = d.value("bundleId", json());
        auto const version = d.value("version", json());
        if (!id.is_string() || !protocol::is_bundle_slug(id.get<std::string>()) || !count(version)) {
            continue;
        }
        campaign_delivery delivery{id.get<std::string>(), version.get<std::uint64_t>(), {}, {}};
        if (auto const magnet = d.value("magnet", json()); short_text(magnet, 8 * 1024)) {
            delivery.magnet = magnet.get<std::string>();
        }
        if (auto const token = d.value("token", json()); short_text(token, 64 * 1024)) {
            delivery.token = token.get<std::string>();
        }
        out.push_back(std::move(delivery));
    }
    return out;
}

} // namespace sluice::gate_api
