#pragma once

#include <filesystem>
#include <string_view>
#include <system_error>

namespace sluice::base {

// Whether a path holds a control character (U+0000 to U+001F, U+007F). No folder a person picks has one,
// and each does harm below us: a NUL cuts the path short in every C call while the whole string is kept
// and shown, a line break forges lines in the log and in config.json.
bool has_control_character(std::string_view path);

// Creates `dir` (and parents) if needed and makes sure it is a real directory owned by this user with
// mode 0700 — the runtime directory holds the socket that carries the session, so another user must not
// be able to swap it or reach into it. Fails if it is a symlink or belongs to someone else.
void ensure_private_dir(std::filesystem::path const& dir, std::error_code& ec);

// This executable's own path (from /proc/self/exe), for starting the owner and writing host manifests.
std::filesystem::path own_executable();

} // namespace sluice::base
