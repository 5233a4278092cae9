#include "sluice-gate/creator_figures.hpp"

#include "sluice-gate/api_error.hpp"
#include "sluice-gate/bundle_lookup.hpp"
#include "sluice-gate/view_counting.hpp"

#include <algorithm>
#include <map>

namespace sluice::gate {

namespace {

using nlohmann::json;

// Each version's downloads by day: what the tracker's count of the version grew by since its reading of an
// earlier day. A version's v1 and v2 hashes count the same downloads, so the larger is taken; a count that
// went down (the tracker restarted and counts afresh) grew by its new value.
std::map<std::uint64_t, std::map<std::int64_t, std::uint64_t>>
downloads_by_version(std::vector<swarm_reading> const& readings) {
    std::map<std::uint64_t, std::map<std::int64_t, std::uint64_t>> counts; // version -> day -> count
    for (auto const& r : readings) {
        auto& count = counts[r.version][r.day];
        count = std::max(count, r.downloaded);
    }
    for (auto& [version, days] : counts) {
        std::uint64_t before = 0;
        for (auto& [day, count] : days) {
            auto const grew = count >= before ? count - before : count;
            before = count;
            count = grew;
        }
    }
    return counts;
}

json funnel_of(std::vector<view_day> const& views,
               std::map<std::uint64_t, std::map<std::int64_t, std::uint64_t>> const& downloads,
               std::vector<day_count> const& plays, std::vector<day_count> const& unlocks,
               std::vector<day_count> const& pledges, std::vector<day_count> const& charged) {
    std::map<std::int64_t, json> days;
    auto const day_row = [&](std::int64_t day) -> json& {
        auto& row = days[day];
        if (row.is_null()) {
            row = {{"day", day_text(day)},
                   {"views", 0},
                   {"downloads", 0},
                   {"plays", {{"started", 0}, {"finished", 0}}},
                   {"unlocks", {{"email", 0}, {"payment", 0}, {"pledge", 0}}},
                   {"pledges", 0},
                   {"charged", 0}};
        }
        return row;
    };
    for (auto const& v : views) {
        day_row(v.day)["views"] = v.views;
    }
    for (auto const& [version, days] : downloads) {
        for (auto const& [day, n] : days) {
            auto& row = day_row(day);
            row["downloads"] = row["downloads"].get<std::uint64_t>() + n;
        }
    }
    for (auto const& p : plays) {
        day_row(p.day)["plays"][p.kind] = p.count;
    }
    for (auto const& u : unlocks) {
        day_row(u.day)["unlocks"][u.kind] = u.count;
    }
    for (auto const& p : pledges) {
        day_row(p.day)["pledges"] = p.count;
    }
    for (auto const& c : charged) {
        day_row(c.day)["charged"] = c.count;
    }
    json out = json::array();
    for (auto& [day, row] : days) {
        out.push_back(std::move(row));
    }
    return out;
}

// What can be told of each version of the bundle: its downloads and its plays (views, unlocks and pledges are
// the bundle's, whatever version a viewer has).
json versions_of(std::map<std::uint64_t, std::map<std::int64_t, std::uint64_t>> const& downloads,
                 std::vector<version_plays> const& plays) {
    std::map<std::uint64_t, json> rows;
    auto const row = [&](std::uint64_t version) -> json& {
        auto& r = rows[version];
        if (r.is_null()) {
            r = {{"version", version}, {"downloads", 0}, {"plays", {{"started", 0}, {"finished", 0}}}};
        }
        return r;
    };
    for (auto const& [version, days] : downloads) {
        std::uint64_t total = 0;
        for (auto const& [day, n] : days) {
            total += n;
        }
        row(version)["downloads"] = total;
    }
    for (auto const& p : plays) {
        row(p.version)["plays"][p.event] = p.plays;
    }
    json out = json::array();
    for (auto& [version, r] : rows) {
        out.push_back(std::move(r));
    }
    return out;
}

json or_null(std::optional<std::uint64_t> v) {
    return v ? json(*v) : json(nullptr);
}

} // namespace

admin_outcome bundle_figures(gate_store& store, std::string_view bundle_id, std::int64_t now) {
    auto const found = lookup_bundle(store, bundle_id);
    if (!found.bundle) {
        return found.error.status == 404
                   ? refused(404, error_code::bundle_not_found, "no bundle " + std::string(bundle_id))
                   : refused(500, error_code::internal_error, "the bundle cannot be read");
    }
    std::error_code ec;
    auto const today = day_of(now);
    auto const views = store.view_days(bundle_id, 0, today, ec);
    auto const referrers =
        ec ? std::vector<referrer_count>{} : store.view_referrers(bundle_id, 0, today, 50, ec);
    auto const swarm = ec ? std::vector<swarm_reading>{} : store.swarm_days(bundle_id, ec);
    auto const plays = ec ? std::vector<day_count>{} : store.daily(daily_series::plays, bundle_id, ec);
    auto const plays_per_version = ec ? std::vector<version_plays>{} : store.plays_by_version(bundle_id, ec);
    auto const unlocks = ec ? std::vector<day_count>{} : store.daily(daily_series::unlocks, bundle_id, ec);
    std::vector<day_count> pledges;
    std::vector<day_count> charged;
    if (auto const& pledge = found.bundle->manifest.gates.pledge; pledge && !ec) {
        pledges = store.daily(daily_series::pledges_confirmed, pledge->campaign_id, ec);
        charged = ec ? charged : store.daily(daily_series::charges_succeeded, pledge->campaign_id, ec);
    }
    if (ec) {
        return storage_failure(ec);
    }
    json day_rows = json::array();
    view_totals totals;
    std::uint64_t returners = 0;
    for (auto const& d : views) {
        day_rows.push_back({{"day", day_text(d.day)},
                            {"views", d.views},
                            {"visitors", d.visitors},
                            {"returning", d.returners}});
        totals.views += d.views;
        totals.visitor_days += d.visitors;
        returners += d.returners;
    }
    auto const downloads = downloads_by_version(swarm);
    std::map<std::string, std::uint64_t> played;
    for (auto const& p : plays) {
        played[p.kind] += p.count;
    }
    json sites = json::array();
    for (auto const& r : referrers) {
        sites.push_back({{"site", r.site}, {"views", r.views}});
    }
    json swarm_rows = json::array();
    for (auto const& r : swarm) {
        swarm_rows.push_back({{"day", day_text(r.day)},
                              {"version", r.version},
                              {"infoHash", r.info_hash},
                              {"seeds", r.seeds},
                              {"leechers", r.leechers},
                              {"downloaded", r.downloaded}});
    }
    return {200,
            {},
            {},
            json{{"bundleId", bundle_id},
                 {"days", day_rows},
                 {"referrers", sites},
                 {"swarm", swarm_rows},
                 {"funnel", funnel_of(views, downloads, plays, unlocks, pledges, charged)},
                 {"versions", versions_of(downloads, plays_per_version)},
                 {"totals",
                  {{"views", totals.views},
                   {"visitorDays", totals.visitor_days},
                   {"returning", returners},
                   {"plays", {{"started", played["started"]}, {"finished", played["finished"]}}}}}}};
}

admin_outcome campaign_figures(gate_store& store, std::string_view campaign_id) {
    std::error_code ec;
    auto const campaign =
        protocol::is_bundle_slug(campaign_id) ? store.find_campaign(campaign_id, ec) : std::nullopt;
    if (ec) {
        return storage_failure(ec);
    }
    if (!campaign) {
        return refused(404, error_code::campaign_not_found, "no campaign " + std::string(campaign_id));
    }
    auto const confirmed = store.daily(daily_series::pledges_confirmed, campaign_id, ec);
    auto const cancelled =
        ec ? std::vector<day_count>{} : store.daily(daily_series::pledges_cancelled, campaign_id, ec);
    auto const charged =
        ec ? std::vector<day_count>{} : store.daily(daily_series::charges_succeeded, campaign_id, ec);
    if (ec) {
        return storage_failure(ec);
    }
    struct day_moves {
        std::int64_t backers = 0;
        std::int64_t amount = 0;
        std::uint64_t charged = 0;
    };
    std::map<std::int64_t, day_moves> moves;
    for (auto const& c : confirmed) {
        moves[c.day].backers += static_cast<std::int64_t>(c.count);
        moves[c.day].amount += static_cast<std::int64_t>(c.amount);
    }
    for (auto const& c : cancelled) {
        moves[c.day].backers -= static_cast<std::int64_t>(c.count);
        moves[c.day].amount -= static_cast<std::int64_t>(c.amount);
    }
    for (auto const& c : charged) {
        moves[c.day].charged += c.count;
    }
    auto const deadline_day = day_of(campaign->deadline);
    auto const first_day = moves.empty() ? deadline_day : moves.begin()->first;
    // Where the straight line from nothing on the first day to the goal on the deadline's day stands on
    // `day`.
    auto const needed = [&](std::optional<std::uint64_t> goal, std::int64_t day) -> json {
        if (!goal) {
            return nullptr;
        }
        if (day >= deadline_day || deadline_day <= first_day) {
            return *goal;
        }
        auto const share =
            static_cast<double>(day - first_day) / static_cast<double>(deadline_day - first_day);
        return static_cast<std::uint64_t>(static_cast<double>(*goal) * std::max(0.0, share) + 0.999999);
    };
    json days = json::array();
    std::int64_t backers = 0;
    std::int64_t amount = 0;
    for (auto const& [day, m] : moves) {
        backers += m.backers;
        amount += m.amount;
        auto const need_backers = needed(campaign->goal_backers, day);
        auto const need_amount = needed(campaign->goal_amount, day);
        bool const on_track = (need_backers.is_null() || backers >= need_backers.get<std::int64_t>()) &&
                              (need_amount.is_null() || amount >= need_amount.get<std::int64_t>());
        days.push_back({{"day", day_text(day)},
                        {"backers", backers},
                        {"amount", amount},
                        {"charged", m.charged},
                        {"needed", {{"backers", need_backers}, {"amount", need_amount}}},
                        {"onTrack", on_track}});
    }
    return {200,
            {},
            {},
            json{{"campaignId", campaign_id},
                 {"state", campaign->state},
                 {"currency", campaign->currency},
                 {"goal",
                  {{"backers", or_null(campaign->goal_backers)},
                   {"amount", or_null(campaign->goal_amount)},
                   {"deadline", day_text(deadline_day)}}},
                 {"days", days}}};
}

} // namespace sluice::gate
