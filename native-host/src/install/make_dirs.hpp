#pragma once

#include <filesystem>
#include <system_error>
#include <vector>

namespace sluice::install {

// Creates `dir` and its missing parents (mode 0755) and returns the ones it created, parents first, so
// that they can be removed again in reverse order.
std::vector<std::filesystem::path> make_dirs(std::filesystem::path const& dir, std::error_code& ec);

} // namespace sluice::install
