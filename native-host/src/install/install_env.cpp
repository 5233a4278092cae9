#include "install/install_env.hpp"

#include "base/paths.hpp"

#include <cstdlib>
#include <unistd.h>

namespace sluice::install {

namespace fs = std::filesystem;

namespace {

fs::path env_path(char const* name) {
    char const* value = std::getenv(name);
    return value != nullptr && *value == '/' ? fs::path(value) : fs::path();
}

bool is_executable_file(fs::path const& file) {
    std::error_code ec;
    return fs::is_regular_file(file, ec) && ::access(file.c_str(), X_OK) == 0;
}

} // namespace

install_env current_env() {
    install_env env;
#if defined(_WIN32)
    env.os = desktop::windows;
#elif defined(__APPLE__)
    env.os = desktop::macos;
#endif
    env.home = env_path("HOME");
    env.config_home = env_path("XDG_CONFIG_HOME");
    if (env.config_home.empty() && !env.home.empty()) {
        env.config_home = env.home / ".config";
    }
    env.data_home = env_path("XDG_DATA_HOME");
    if (env.data_home.empty() && !env.home.empty()) {
        env.data_home = env.home / ".local" / "share";
    }
    if (char const* path = std::getenv("PATH")) {
        std::string_view rest = path;
        while (!rest.empty()) {
            auto const colon = rest.find(':');
            auto const part = rest.substr(0, colon);
            if (!part.empty()) {
                env.path_dirs.emplace_back(part);
            }
            rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
        }
    }
    env.host_binary = base::own_executable();
    return env;
}

fs::path expand(std::string_view dir, install_env const& env) {
    constexpr std::string_view config = "$CONFIG/";
    constexpr std::string_view home = "$HOME/";
    if (dir.starts_with(config)) {
        return env.config_home / dir.substr(config.size());
    }
    if (dir.starts_with(home)) {
        return env.home / dir.substr(home.size());
    }
    // Absolute: relative to the root, so `--root /tmp/stage` writes /tmp/stage/etc/...
    return env.root / fs::path(dir).relative_path();
}

bool browser_found(browser const& b, install_env const& env) {
    auto const* p = places_on(b, env.os);
    if (p == nullptr) {
        return true;
    }
    std::error_code ec;
    for (auto const dir : p->found_if) {
        if (fs::exists(expand(dir, env), ec)) {
            return true;
        }
    }
    for (auto const program : p->programs) {
        for (auto const& dir : env.path_dirs) {
            if (is_executable_file(dir / program)) {
                return true;
            }
        }
    }
    return false;
}

fs::path record_file(install_env const& env, scope s) {
    constexpr char const* name = "native-messaging-install.json";
    switch (env.os) {
    case desktop::windows:
        return env.host_binary.parent_path() /
               (s == scope::user ? "user-install.json" : "system-install.json");
    case desktop::macos:
        return s == scope::user ? env.home / "Library/Application Support/Sluice" / name
                                : expand("/Library/Application Support/Sluice", env) / name;
    case desktop::gnu_linux:
        break;
    }
    return s == scope::user ? env.data_home / "sluice" / name : expand("/var/lib/sluice", env) / name;
}

} // namespace sluice::install
