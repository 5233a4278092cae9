#pragma once

#include <string_view>

namespace sluice::protocol {

// Our extension's identities, fixed by the `key` in extension/manifest.json (Chromium family) and
// browser_specific_settings.gecko.id (Firefox family). The host admits callers, stream requests and host
// manifests by them; tests/js/extension_identity.test.mjs keeps them in step with the manifest.
inline constexpr std::string_view chrome_extension_id = "ljkaphncpbkfgfeoncgogkmhcmcompjk";
inline constexpr std::string_view firefox_addon_id = "sluice@sluice-project.org";

} // namespace sluice::protocol
