#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace sluice::install {

// The desktop systems the table knows. Only Linux runs here; the others are planned and unit-tested.
enum class desktop { gnu_linux, macos, windows };

// Chromium-family manifests name the extension in `allowed_origins`; Firefox-family ones in
// `allowed_extensions`. One browser family, one manifest shape.
enum class family { chromium, firefox };

// Where one browser looks on one desktop system. Folder strings start with `$CONFIG` (XDG_CONFIG_HOME, or
// ~/.config), `$HOME`, or `/` (absolute: a system folder, placed under --root when one is given).
struct places {
    std::vector<std::string_view> user_dirs{};   // per-user manifest folders, most specific first
    std::vector<std::string_view> system_dirs{}; // all-users manifest folders
    std::vector<std::string_view> found_if{};    // files or folders the browser makes (never the installer)
    std::vector<std::string_view> programs{};    // executables on PATH that say the same (Linux)
};

// One row of the browser x OS table. On Windows there are no folders: the browser reads a registry key
// (HKCU for the user, HKLM for all users) whose default value is the manifest's path.
struct browser {
    std::string_view key;  // what `--browser` takes: "chrome", "firefox", ...
    std::string_view name; // what people call it
    family kind;
    places gnu_linux;
    places macos;
    std::vector<std::string_view> windows_keys{}; // under HKCU\ or HKLM\, without the host name
};

// Every browser Sluice registers with, in the order `doctor` lists them.
std::span<browser const> browsers();

// The row for `key`, or nullptr.
browser const* find_browser(std::string_view key);

places const* places_on(browser const& b, desktop os);

} // namespace sluice::install
