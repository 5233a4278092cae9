#pragma once

#include "bundle/bundle_library.hpp"

#include <filesystem>
#include <string>

namespace sluice::bundle {

struct export_result {
    bool ok = false;
    std::string error; // for a person
    std::uint64_t bytes = 0;
};

// Writes the plaintext of a bundle item (decrypted when locked) to `destination`, checking its SHA-256
// against the manifest. The bytes go to a temporary file beside the destination, which is synced and then
// renamed into place only if everything checked out: a failure leaves no file, never half of one. An
// existing destination is not replaced. Blocking; meant for a worker thread.
export_result export_item(std::string const& source_file, file_access const& access,
                          std::filesystem::path const& destination);

} // namespace sluice::bundle
