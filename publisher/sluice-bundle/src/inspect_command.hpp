#pragma once

#include "common/result.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace sluice::publisher {

namespace fs = std::filesystem;

struct inspect_options {
    fs::path target;              // a bundle folder or a .torrent
    std::optional<fs::path> data; // for a .torrent: where its bundle folder is, if not next to it
};

// `sluice-bundle inspect`: what a bundle holds, as one JSON document (its shape is in publisher/README.md,
// "inspect --json"). A folder's torrent is looked for next to it (`<id>.torrent`), a torrent's folder as
// verify does. Reading is all it does: the signature is reported, not enforced (verify is for that).
result<nlohmann::json> inspect_bundle(inspect_options const& options);

// The same for a person.
std::string render_inspection(nlohmann::json const& inspection);

} // namespace sluice::publisher
