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
    std::filesystem::path plays_file() const { return data_dir / "plays.json"; }
    std::filesystem::path translations_dir() const { return data_dir / "translations"; }
    std::filesystem::path socket_file() const { return runtime_dir / "host.sock"; }
    std::filesystem::path lock_file() const { return runtime_dir / "host.lock"; }
};

// Reads the environment (XDG_DATA_HOME, XDG_RUNTIME_DIR, HOME) without touching the disk.
host_paths resolve_host_paths();

} // namespace sluice::app
