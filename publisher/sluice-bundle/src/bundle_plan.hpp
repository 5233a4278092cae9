#pragma once

#include "common/result.hpp"
#include "sluice-bundle/bundle_spec.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sluice::publisher {

namespace fs = std::filesystem;

// One file a bundle will hold, besides bundle.json and bundle.sig, and where its bytes come from.
struct planned_file {
    std::string bundle_path; // inside the bundle folder, '/'-separated
    fs::path source;         // the file in the source folder
    std::uint64_t size = 0;  // of the source, when planned
    bool locked = false;     // stored in the locked-item format
    std::string where;       // the spec member that asked for it, for messages ("/items/2/source")
};

// Resolves the spec's source files in `source_dir`: items in spec order, then subtitles, then the cover.
// Each must be a regular file inside the folder (a symbolic link that leads out of it is refused: a bundle
// must not publish what its creator did not mean to). A subtitle or cover that is also a free item is
// stored once; two different files for one bundle path are an error.
result<std::vector<planned_file>> plan_bundle_files(bundle_spec const& spec, fs::path const& source_dir);

} // namespace sluice::publisher
