#pragma once

#include "common/result.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::publisher {

namespace protocol = sluice::protocol;

// What a creator writes to describe a bundle (publisher/README.md, "The spec file"): the manifest's words
// (title, gates, ...) plus what only the tool needs (source files, trackers, web seeds). Parsing checks
// everything that can be checked without the file system, so a wrong spec fails before any work starts;
// the files themselves are checked by plan_bundle_files.

struct spec_subtitle {
    std::string lang;
    std::string label;
    std::string source;      // relative to the source folder; stored as it is, at the same path
    std::string credit = {}; // a carried translation's translators (carried_translations.hpp)
};

struct spec_item {
    std::string source; // relative to the source folder, '/'-separated
    protocol::item_access access = protocol::item_access::free;
    std::optional<protocol::gate_kind> gate; // set exactly when locked
    std::string media_type;                  // as given, or inferred from the extension
    std::vector<spec_subtitle> subtitles;

    bool locked() const { return access == protocol::item_access::locked; }
    // Where the item lives in the bundle and the torrent: its source path, plus ".locked" when locked
    // (the stored bytes are then the locked-item format, not the media itself).
    std::string bundle_path() const;
};

struct bundle_spec {
    static constexpr std::string_view format = "sluice-bundle-spec/1";
    static constexpr std::size_t max_bytes = 1024 * 1024;

    std::string id;
    std::uint64_t version = 0;
    std::string title;
    std::string creator;
    std::string description;
    std::optional<std::string> cover; // a source file, stored as it is
    std::string gate_url;
    std::vector<std::array<unsigned char, 32>> gate_keys;
    // Keys that may sign translation add-ons besides the publisher's (protocol/translations.md).
    std::vector<std::array<unsigned char, 32>> translation_keys;
    std::vector<spec_item> items;
    protocol::bundle_gates gates;
    std::vector<std::string> trackers;
    std::vector<std::string> web_seeds; // each ends with '/' (BEP 19: the torrent's name and path follow)
};

inline constexpr std::string_view locked_suffix = ".locked";

// Parses spec text. Errors name the member as a JSON pointer ("at /items/2/gate: ...") and, for an unknown
// member, list the members allowed there. Never throws.
result<bundle_spec> parse_bundle_spec(std::string_view text);

} // namespace sluice::publisher
