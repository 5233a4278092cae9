#pragma once

#include "common/result.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace sluice::publisher {

namespace fs = std::filesystem;
namespace protocol = sluice::protocol;

// A viewers' translation the creator approved for an earlier version, carried into the version being made
// (`create --include-translations FOLDER`, FOLDER being what `sluice-gate translations export` wrote): a
// subtitle track of its item like the creator's own, with its translators' credit.
struct carried_translation {
    std::string item;               // the item's manifest path
    protocol::subtitle_track track; // lang, label, credit and its path in the bundle
    fs::path source;                // the exported track
};

// Reads FOLDER/translations.json and checks each add-on against `draft`, the manifest being made: an earlier
// version of the same bundle, signed by its publisher key or a translation key it lists, its item still
// there, its track whole and strict WebVTT. Any failure refuses the whole, naming the add-on and why.
result<std::vector<carried_translation>> read_carried_translations(fs::path const& folder,
                                                                   protocol::bundle_manifest const& draft);

} // namespace sluice::publisher
