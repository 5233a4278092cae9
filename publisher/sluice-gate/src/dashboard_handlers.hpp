#pragma once

#include "sluice-gate/gate_context.hpp"
#include "sluice-gate/http_types.hpp"

#include <string_view>
#include <vector>

namespace sluice::gate {

// The creator's dashboard, `/admin/...` (`path` is the request's path split at '/', starting "admin"): a
// login page that takes the admin token and keeps it in a cookie (HttpOnly, Secure, SameSite=Strict), then
// one page per bundle and campaign with the figures of /v1/admin/stats/... as tables and plots, and the files
// those pages use (`/admin/assets/...`: the dashboard's script and style, and uPlot, which draws the plots).
// Like the admin API, none of it exists without an admin token. The cookie is taken by these pages only:
// the admin API still wants its bearer token, so a page elsewhere cannot make a browser close a campaign.
gate_response handle_dashboard(gate_context& ctx, gate_request const& req,
                               std::vector<std::string_view> const& path);

// The cookie that keeps the admin token.
inline constexpr std::string_view admin_cookie = "sluice_admin";

} // namespace sluice::gate
