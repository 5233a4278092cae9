#pragma once

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/translation_addon.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::bundle {

// A translation a bundle's creator approved (protocol/translations.md), as this host keeps it.
struct kept_translation {
    protocol::translation_addon addon;
    std::string track_sha256; // hex: names the track among the bundle's
};

// The approved translations this host fetched, kept beside its data: per bundle id, each add-on
// (`<folder>/<bundle-id>/<sha256 of the add-on>.addon`) and its WebVTT track (`<sha256 of the track>.vtt`),
// both written atomically. Nothing is kept or shown that does not verify against the bundle's manifest: the
// add-on's signature by the publisher key or one of the manifest's translation keys, its bundle id and
// version, its item, and the track's size and SHA-256; what is read back is checked again.
class translation_shelf {
public:
    explicit translation_shelf(std::filesystem::path folder) : folder_(std::move(folder)) {}

    // Verifies and keeps one add-on with its track. Returns "" when kept (or already there), else why not.
    std::string keep(protocol::bundle_manifest const& manifest, std::string_view addon_text,
                     std::string_view track);

    // The translations that fit this manifest (its bundle id and version), one per item and language (the
    // last approved), in the order of their items, then languages.
    std::vector<kept_translation> fitting(protocol::bundle_manifest const& manifest);

    // The track whose SHA-256 is `sha256_hex` among those that fit `manifest`, read and checked again.
    std::optional<std::string> track(protocol::bundle_manifest const& manifest, std::string_view sha256_hex);

    // Whether an add-on with this text is kept already (so a fetch skips its track).
    bool has(std::string_view bundle_id, std::string_view addon_text) const;

private:
    std::filesystem::path bundle_folder(std::string_view bundle_id) const;
    std::optional<std::string> read_track(std::string_view bundle_id, std::string_view sha256_hex) const;

    std::filesystem::path folder_;
    // What fitting() found for a bundle id and version, until keep() adds to that bundle.
    std::map<std::pair<std::string, std::uint64_t>, std::vector<kept_translation>> fitting_cache_;
};

} // namespace sluice::bundle
