#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace sluice::install {

// A whole (small) file: a manifest or the install record. "" when it cannot be read; the callers then
// see an invalid manifest, which is what such a file is to a browser too.
inline std::string read_text(std::filesystem::path const& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace sluice::install
