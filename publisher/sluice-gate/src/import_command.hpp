#pragma once

#include "common/result.hpp"
#include "sluice-gate/gate_store.hpp"

#include <filesystem>
#include <optional>

namespace sluice::gate {

namespace fs = std::filesystem;

struct import_options {
    fs::path bundle_folder;
    fs::path keys_file;
    fs::path gate_key_file;
    std::optional<fs::path> torrent_file; // default: <bundle folder>.torrent, if there is one
};

struct import_report {
    std::string bundle_id;
    std::uint64_t version = 0;
    import_outcome outcome = import_outcome::inserted;
    std::string magnet;
    std::vector<std::string> warnings;
};

// Reads a bundle as `sluice-bundle create` wrote it and stores it in the gate, refusing (in words) anything
// the gate could not serve correctly: a manifest whose signature does not verify, a folder named otherwise
// than its bundle, a keys file for another bundle or version, a locked item without a key (or with a key
// for another gate), a key for something that is not a locked item, a manifest that does not trust this
// gate's key, a .torrent for another bundle. A lower version than the stored one is refused as well (hosts
// refuse a rollback, so the gate must not serve one); the same version is accepted again only unchanged.
publisher::result<import_report> import_bundle(gate_store& store, import_options const& options);

} // namespace sluice::gate
