#include "install/make_dirs.hpp"

#include <algorithm>
#include <sys/stat.h>

namespace sluice::install {

namespace fs = std::filesystem;

std::vector<fs::path> make_dirs(fs::path const& dir, std::error_code& ec) {
    ec.clear();
    std::vector<fs::path> missing;
    for (auto p = dir; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
        missing.push_back(p);
        if (p == p.parent_path()) {
            break;
        }
    }
    ec.clear();
    std::reverse(missing.begin(), missing.end());
    std::vector<fs::path> made;
    for (auto const& p : missing) {
        // An explicit mode: a system install runs under root's umask, and browsers of every user read these.
        if (::mkdir(p.c_str(), 0755) != 0 && errno != EEXIST) {
            ec = {errno, std::generic_category()};
            return made;
        }
        made.push_back(p);
    }
    if (!fs::is_directory(dir, ec) && !ec) {
        ec = std::make_error_code(std::errc::not_a_directory);
    }
    return made;
}

} // namespace sluice::install
