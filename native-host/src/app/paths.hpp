#pragma once

#include <filesystem>
#include <string_view>
#include <system_error>

namespace sluice::app {

// Where the host keeps things, following the XDG base directory spec on Linux.
struct host_paths {
    std::filesystem::path data_dir;    // $XDG_DATA_HOME/sluice: config, session state, logs
    std::filesystem::path runtime_dir; // $XDG_RUNTIME_DIR/sluice: the owner's socket and lock

    std::filesystem::path config_file() const { return data_dir / "config.json"; }
    std::filesystem::path session_state_file() const { return data_dir / "session.state"; }
    std::filesystem::path log_dir() const { return data_dir / "logs"; }
    std::filesystem::path keystore_file() const { return data_dir / "keystore.json"; }
    std::filesystem::path socket_file() const { return runtime_dir / "host.sock"; }
    std::filesystem::path lock_file() const { return runtime_dir / "host.lock"; }
};

// Reads the environment (XDG_DATA_HOME, XDG_RUNTIME_DIR, HOME) without touching the disk.
host_paths resolve_host_paths();

// Whether a path holds a control character (U+0000 to U+001F, U+007F). No folder a person picks has one,
// and each does harm below us: a NUL cuts the path short in every C call while the whole string is kept
// and shown, a line break forges lines in the log and in config.json.
bool has_control_character(std::string_view path);

// Creates `dir` (and parents) if needed and makes sure it is a real directory owned by this user with
// mode 0700 — the runtime directory holds the socket that carries the session, so another user must not
// be able to swap it or reach into it. Fails if it is a symlink or belongs to someone else.
void ensure_private_dir(std::filesystem::path const& dir, std::error_code& ec);

// Writes `contents` to `file` through a temporary file and rename, so a crash leaves either the old or
// the new contents, never half of them. `mode` is the new file's permissions (before the umask).
void write_file_atomically(std::filesystem::path const& file, std::string_view contents, std::error_code& ec,
                           unsigned mode = 0600);

} // namespace sluice::app
