#pragma once

#include "install/browser_table.hpp"

#include <filesystem>
#include <string_view>
#include <vector>

namespace sluice::install {

enum class scope { user, system };

// Everything about the machine that decides where manifests go, gathered once so that the planning code
// is a pure function of it (and the Windows and macOS rows can be tested on Linux).
struct install_env {
    desktop os = desktop::gnu_linux;
    std::filesystem::path home{};
    std::filesystem::path config_home{}; // $XDG_CONFIG_HOME or ~/.config (Linux)
    std::filesystem::path data_home{};   // $XDG_DATA_HOME or ~/.local/share (Linux)
    std::filesystem::path root = "/";    // system folders are placed under it (a package's staging root)
    std::vector<std::filesystem::path> path_dirs{};
    std::filesystem::path host_binary{}; // the absolute path written into every manifest
};

// This process's environment: HOME, XDG_CONFIG_HOME, XDG_DATA_HOME, PATH and its own executable.
install_env current_env();

// Expands a table folder (`$CONFIG/...`, `$HOME/...` or absolute) for `env`. Absolute folders go under
// env.root; `$HOME` and `$CONFIG` never do.
std::filesystem::path expand(std::string_view dir, install_env const& env);

// Whether `b` looks installed: one of its found_if paths exists, or one of its programs is on PATH.
// On Windows every browser counts as found (registry keys cost nothing when the browser is absent).
bool browser_found(browser const& b, install_env const& env);

// The file that remembers what `install` created, so that `uninstall` removes exactly that.
std::filesystem::path record_file(install_env const& env, scope s);

} // namespace sluice::install
