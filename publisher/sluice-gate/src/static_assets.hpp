#pragma once

#include <span>
#include <string_view>

namespace sluice::gate {

// A file the gate serves as it is, built into the binary (cmake/embed_files.cmake).
struct static_asset {
    std::string_view name;         // as it is served under /admin/assets/
    std::string_view content_type; // every one is UTF-8 text: "text/css", "text/javascript"...
    std::string_view body;
};

// The dashboard's script and style sheet, and the chart library it draws with (uPlot, from npm, with its
// licence), so that the dashboard needs nothing from another server.
std::span<static_asset const> dashboard_assets();

} // namespace sluice::gate
