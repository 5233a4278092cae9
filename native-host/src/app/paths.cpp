#include "paths.hpp"

#include "fd_io.hpp"

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

std::error_code last_error() {
    return {errno, std::generic_category()};
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
        ec = last_error();
        return;
    }
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) {
        ec = last_error();
        return;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) {
        ec = std::make_error_code(std::errc::permission_denied);
        return;
    }
    if ((st.st_mode & 0777) != 0700 && ::chmod(dir.c_str(), 0700) != 0) {
        ec = last_error();
    }
}

void write_file_atomically(std::filesystem::path const& file, std::string_view contents, std::error_code& ec,
                           unsigned mode) {
    ec.clear();
    auto const tmp = std::filesystem::path(file.string() + ".tmp-" + std::to_string(::getpid()));
    int const fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd >= 0) {
        // Not left to the umask: a system-wide manifest must be readable by every user's browser.
        ::fchmod(fd, mode);
    }
    if (fd < 0) {
        ec = last_error();
        return;
    }
    write_all(fd, contents, ec);
    if (!ec && ::fsync(fd) != 0) {
        ec = last_error();
    }
    ::close(fd);
    if (!ec && ::rename(tmp.c_str(), file.c_str()) != 0) {
        ec = last_error();
    }
    if (ec) {
        ::unlink(tmp.c_str());
    }
}

} // namespace sluice::app
