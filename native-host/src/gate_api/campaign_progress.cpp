#include "gate_api/campaign_progress.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <algorithm>
#include <set>
#include <string_view>

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

// Gate update ids are 16 random bytes in unpadded base64url.
bool is_update_id(json const& v) {
    if (!v.is_string()) {
        return false;
    }
    auto const& id = v.get_ref<std::string const&>();
    return id.size() == 22 && std::all_of(id.begin(), id.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
           });
}

// What the creator wrote reaches a person's screen: the gate's rule (UTF-8 within `max` bytes, no control
// character but new lines and tabs in the body), and the C1 controls too, which the API counts as control
// characters as well (U+0085 would break a one-line title).
bool is_readable(json const& v, std::size_t max, bool lines) {
    if (!v.is_string()) {
        return false;
    }
    std::string_view const text = v.get_ref<std::string const&>();
    if (text.empty() || text.size() > max || !protocol::is_valid_utf8(text)) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto const u = static_cast<unsigned char>(text[i]);
        bool const c0 = u < 0x20 && !(lines && (u == '\n' || u == '\t'));
        bool const c1 = u == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9f;
        if (c0 || c1 || u == 0x7f) {
            return false;
        }
    }
    return true;
}

json campaign_updates(json const& answer) {
    json out = json::array();
    auto const it = answer.find("updates");
    if (it == answer.end() || !it->is_array()) {
        return out;
    }
    std::set<std::string> seen;
    for (auto const& u : *it) {
        if (!u.is_object()) {
            continue;
        }
        auto const id = u.value("id", json());
        auto const title = u.value("title", json());
        auto const text = u.value("text", json());
        auto const posted = u.value("postedAt", json());
        if (!is_update_id(id) || !is_readable(title, max_update_title_bytes, false) ||
            !is_readable(text, max_update_text_bytes, true) || !posted.is_string() ||
            !protocol::parse_utc_timestamp(posted.get<std::string>()) ||
            !seen.insert(id.get<std::string>()).second) {
            continue;
        }
        out.push_back({{"id", id}, {"title", title}, {"text", text}, {"postedAt", posted}});
    }
    // The newest are the ones a backer has not read yet; the host's messages stay bounded.
    if (out.size() > max_campaign_updates) {
        out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(max_campaign_updates));
    }
    return out;
}

// A list of unique strings each passing `fits`, of at most `max` (and at least `min`) entries; nullopt when
// the list is not that.
template <typename Fits>
std::optional<json> string_list(json const& v, std::size_t min, std::size_t max, Fits fits) {
    if (!v.is_array() || v.size() < min || v.size() > max) {
        return std::nullopt;
    }
    std::set<std::string, std::less<>> seen;
    for (auto const& s : v) {
        if (!s.is_string() || !fits(s.get_ref<std::string const&>()) ||
            !seen.insert(s.get_ref<std::string const&>()).second) {
            return std::nullopt;
        }
    }
    return v;
}

// One tier as the API defines it, or nullopt. A limited tier says both its limit and the places left, which
// cannot be more than the limit.
std::optional<json> campaign_tier(json const& t) {
    if (!t.is_object()) {
        return std::nullopt;
    }
    auto const id = t.value("id", json());
    auto const title = t.value("title", json());
    auto const price = t.value("price", json());
    auto const backers = t.value("backers", json());
    if (!id.is_string() || !protocol::is_bundle_slug(id.get<std::string>()) ||
        !is_readable(title, max_tier_title_bytes, false) || !count(price) || !count(backers)) {
        return std::nullopt;
    }
    json out = {{"id", id}, {"title", title}, {"price", price}, {"backers", backers}};
    // An empty description is none.
    if (auto const it = t.find("description");
        it != t.end() && !(it->is_string() && it->get_ref<std::string const&>().empty())) {
        if (!is_readable(*it, max_tier_description_bytes, true)) {
            return std::nullopt;
        }
        out["description"] = *it;
    }
    auto const limit = t.find("limit");
    auto const left = t.find("left");
    if ((limit == t.end()) != (left == t.end())) {
        return std::nullopt;
    }
    if (limit != t.end()) {
        if (!count(*limit) || !count(*left) || limit->get<std::uint64_t>() == 0 ||
            left->get<std::uint64_t>() > limit->get<std::uint64_t>()) {
            return std::nullopt;
        }
        out["limit"] = *limit;
        out["left"] = *left;
    }
    if (auto const it = t.find("items"); it != t.end()) {
        // Named, a tier unlocks at least one item; all of them is said by leaving the list out.
        auto items = string_list(*it, 1, max_tier_items,
                                 [](std::string const& s) { return protocol::is_safe_item_path(s); });
        if (!items) {
            return std::nullopt;
        }
        out["items"] = std::move(*items);
    }
    if (auto const it = t.find("deliveries"); it != t.end()) {
        auto deliveries = string_list(*it, 0, max_tier_deliveries,
                                      [](std::string const& s) { return protocol::is_bundle_slug(s); });
        if (!deliveries) {
            return std::nullopt;
        }
        out["deliveries"] = std::move(*deliveries);
    }
    return out;
}

json campaign_tiers(json const& answer) {
    json out = json::array();
    auto const it = answer.find("tiers");
    if (it == answer.end() || !it->is_array()) {
        return out;
    }
    std::set<std::string> seen;
    for (auto const& t : *it) {
        if (out.size() == max_campaign_tiers) {
            break;
        }
        auto tier = campaign_tier(t);
        if (tier && seen.insert(tier->at("id").get<std::string>()).second) {
            out.push_back(std::move(*tier));
        }
    }
    return out;
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
    out["updates"] = campaign_updates(answer);
    out["tiers"] = campaign_tiers(answer);
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
