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

} // namespace sluice::gate
