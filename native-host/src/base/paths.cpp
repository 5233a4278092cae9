#include "base/paths.hpp"

#include <algorithm>
#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

namespace sluice::base {

bool has_control_character(std::string_view path) {
    return std::any_of(path.begin(), path.end(), [](char c) {
        auto const u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7F;
    });
}

void ensure_private_dir(std::filesystem::path const& dir, std::error_code& ec) {
    ec.clear();
    std::filesystem::create_directories(dir.parent_path(), ec);
    if (ec) {
        return;
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        ec = {errno, std::system_category()};
        return;
    }
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) {
        ec = {errno, std::system_category()};
        return;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) {
        ec = std::make_error_code(std::errc::permission_denied);
        return;
    }
    if ((st.st_mode & 0777) != 0700 && ::chmod(dir.c_str(), 0700) != 0) {
        ec = {errno, std::system_category()};
    }
}

std::filesystem::path own_executable() {
    std::error_code ec;
    auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path("sluice-host") : path;
}

} // namespace sluice::base
