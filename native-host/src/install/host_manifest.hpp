#pragma once

#include "install/browser_table.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace sluice::install {

inline constexpr std::string_view host_name = "org.sluice.host";

// The native-messaging manifest for one browser family, naming exactly our extension and `binary`.
nlohmann::json make_manifest(family kind, std::filesystem::path const& binary);

// What is wrong with a manifest found on disk, each in words a person can act on; empty when nothing is.
// `text` is the file's contents (untrusted: anyone may have written it).
std::vector<std::string> manifest_problems(std::string const& text, family kind);

// The `path` a well-formed manifest names, or empty.
std::filesystem::path manifest_binary(std::string const& text);

} // namespace sluice::install
