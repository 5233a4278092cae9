#pragma once

#include "sluice-gate/admin_commands.hpp"
#include "sluice-gate/gate_store.hpp"

#include <cstdint>
#include <string_view>

namespace sluice::gate {

// What a creator sees of a bundle and of a campaign: counted by the gate (views, unlocks, pledges, charges)
// or read from the bundle's tracker (seeds, downloads), never by following a viewer. Shared by `sluice-gate
// stats --bundle|--campaign` and /v1/admin/stats/.... Days are UTC, "YYYY-MM-DD", oldest first.

// A bundle's figures up to `now`: {"bundleId",
//   "days": [{"day", "views", "visitors", "returning"}] (landing-page views, view_counting.hpp; days with
//   views), "referrers": [{"site", "views"}] (the 50 first, most views first), "totals": {"views",
//   "visitorDays", "returning"} (a visitor is told apart within a day only, so
//             "visitorDays" sums each day's visitors),
//   "swarm": [{"day", "version", "infoHash", "seeds", "leechers", "downloaded"}] (each day's last reading of
//   the
//            tracker's scrape, tracker_reader.hpp; "downloaded" is the tracker's own count since it began),
//   "funnel": [{"day", "views", "downloads", "unlocks": {"email", "payment", "pledge"}, "pledges",
//   "charged"}]}.
// In the funnel, a day's downloads are what the tracker's count of each version grew by since its reading of
// an earlier day (a version's hashes, v1 and v2, count the same downloads: the larger is taken); its pledges
// are the pledges of the bundle's campaign whose card was saved that day, its charged those charged that day.
// 404 bundle_not_found.
admin_outcome bundle_figures(gate_store& store, std::string_view bundle_id, std::int64_t now);

// A campaign's progress over time: {"campaignId", "state", "currency",
//   "goal": {"backers", "amount", "deadline"} (a goal not set is null),
//   "days": [{"day", "backers", "amount", "charged", "needed": {"backers", "amount"}, "onTrack"}]}.
// "backers" and "amount" are the campaign's totals at the end of the day (pledges confirmed, less those
// cancelled); "charged" the charges that succeeded that day. "needed" is where the straight line from nothing
// on the day of the first pledge to the goal on the deadline's day stands that day; "onTrack" whether the
// totals are on or above it. 404 campaign_not_found.
admin_outcome campaign_figures(gate_store& store, std::string_view campaign_id);

} // namespace sluice::gate
