#pragma once

#include <sluice/fileio/file_io.hpp>

#include <filesystem>
#include <string>

namespace sluice::install {

// A whole (small) file: a manifest or the install record. "" when it cannot be read or is implausibly large;
// the callers then see an invalid manifest, which is what such a file is to a browser too.
inline std::string read_text(std::filesystem::path const& file) {
    std::error_code ec;
    auto text = fileio::read_small_file(file, 1024 * 1024, ec);
    return ec ? std::string() : text;
}

} // namespace sluice::install
