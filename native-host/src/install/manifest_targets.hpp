#pragma once

#include "install/browser_table.hpp"
#include "install/install_env.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sluice::install {

// A Windows registry key: HKEY_LOCAL_MACHINE when `machine`, else HKEY_CURRENT_USER.
struct registry_key {
    bool machine = false;
    std::string path{}; // e.g. Software\Google\Chrome\NativeMessagingHosts\org.sluice.host

    std::string display() const { return (machine ? "HKLM\\" : "HKCU\\") + path; }
    bool operator==(registry_key const&) const = default;
};

// One place that registers the host: a manifest file, and on Windows the registry key naming it.
// Several browsers can share one (Opera, Brave and Vivaldi read Chrome's system folder on Linux).
struct target {
    family kind = family::chromium;
    std::filesystem::path manifest_file{};
    std::optional<registry_key> key{};
    std::vector<std::string> browsers{}; // the names it serves, for people
};

// Where to register for `wanted` in `s` on env.os, without duplicates. On Windows the manifest lives
// beside the binary (one per family) and each browser key points at it.
std::vector<target> plan_targets(install_env const& env, scope s, std::vector<browser const*> const& wanted);

} // namespace sluice::install
