#pragma once

#include <sluice/protocol/bundle_manifest.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::gate {

// The public page of a bundle, `GET /b/<id>`: plain HTML for a person (title, creator, description, items
// with their access and gate, the pledge campaign) and, for the extension, the bundle markup documented in
// protocol/gate-api.md: a <link rel="sluice-bundle"> to the magnet and a
// <script type="application/sluice-bundle+json"> with the bundle id, version, magnet, publisher key and gate
// URL. Every manifest string is the publisher's text, so all of it is escaped for where it lands.
// Where a pledge campaign stands, for its section of the page.
struct campaign_standing {
    std::string state; // "open", "funded", "failed"
    std::uint64_t backers = 0;
    std::uint64_t amount = 0; // minor units
};

// `public_url`, when known, gives the page its canonical address (`<public_url>b/<id>`). With `count_views`,
// the page runs the gate's script that counts its view (view_handlers.hpp).
std::string render_landing_page(protocol::bundle_manifest const& manifest, std::string_view magnet,
                                std::string_view public_url = {},
                                std::optional<campaign_standing> const& standing = std::nullopt,
                                bool count_views = true);

// For HTML text and quoted attribute values: & < > " ' become character references.
std::string html_escape(std::string_view text);

// JSON text safe inside a <script> element: '<', '>' and '&' are written as \u003c, \u003e, \u0026 (so no
// "</script>" or "<!--" can appear), and U+2028/U+2029 as escapes too.
std::string json_for_script(std::string const& compact_json);

} // namespace sluice::gate
