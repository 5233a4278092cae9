#include "app/paths.hpp"

#include <algorithm>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace sluice::app {

namespace {

std::filesystem::path env_path(char const* name) {
    char const* v = std::getenv(name);
    // XDG: relative paths in these variables are invalid and must be ignored.
    if (v == nullptr || v[0] != '/') {
        return {};
    }
    return v;
}

} // namespace

host_paths resolve_host_paths() {
    host_paths p;
    auto data = env_path("XDG_DATA_HOME");
    if (data.empty()) {
        auto home = env_path("HOME");
        data = home.empty() ? std::filesystem::path("/tmp") / ("sluice-data-" + std::to_string(::getuid()))
                            : home / ".local" / "share";
    }
    p.data_dir = data / "sluice";
    auto runtime = env_path("XDG_RUNTIME_DIR");
    p.runtime_dir = runtime.empty() ? std::filesystem::path("/tmp") / ("sluice-" + std::to_string(::getuid()))
                                    : runtime / "sluice";
    return p;
}

} // namespace sluice::app
