#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace sluice::gate {

// The pages of the gate's dashboard (/admin/), as HTML. Each takes the very JSON the admin API answers
// (/v1/admin/stats...), writes every number of it into tables, and carries it in a
// <script type="application/json" id="figures"> from which the dashboard's script draws the plots. Every
// string comes from the store or a manifest, and is escaped for where it lands.

// The login form; `problem` is said above it when not empty.
std::string render_login_page(std::string_view problem);

// Every bundle and campaign, as GET /v1/admin/stats answers them, each linking to its page.
std::string render_overview_page(nlohmann::json const& stats);

// GET /v1/admin/stats/bundles/{id}'s figures.
std::string render_bundle_page(nlohmann::json const& figures);

// GET /v1/admin/stats/campaigns/{id}'s figures.
std::string render_campaign_page(nlohmann::json const& figures);

// Every submitted translation, as GET /v1/admin/translations answers them, each linking to its page.
std::string render_translations_page(nlohmann::json const& list);

// One submission as GET /v1/admin/translations/{id} answers it: who made it and its state, its track as text,
// and a preview: the creator picks the item's video on their own disk and the page plays it with the track,
// beside a list of its cues (nothing of the video leaves the browser). Then how to approve or reject it.
std::string render_translation_page(nlohmann::json const& submission);

} // namespace sluice::gate
