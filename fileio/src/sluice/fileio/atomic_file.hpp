#pragma once

#include <filesystem>
#include <string_view>
#include <system_error>

namespace sluice::fileio {

namespace fs = std::filesystem;

// Writes `bytes` to a new file at `path` created with `mode` (never an existing one: std::errc::file_exists)
// and fsyncs it. For files inside a staging folder, which is renamed into place as a whole.
void write_new_file(fs::path const& path, std::string_view bytes, unsigned mode, std::error_code& ec);

// Replaces or creates `path` so that a reader sees either the old file or the whole new one, never a part:
// the bytes go to a temporary name in the same folder, created O_EXCL with `mode` (so a secret key is
// never readable by others, not even for a moment), are fsynced, then renamed over `path`, and the folder
// is fsynced. `mode` is the file's, whatever the umask. Unless `overwrite`, an existing `path` is left alone
// and the result is std::errc::file_exists.
void write_file_atomically(fs::path const& path, std::string_view bytes, unsigned mode, bool overwrite,
                           std::error_code& ec);

} // namespace sluice::fileio
