#include "atomic_file.hpp"

#include "file_io.hpp"

#include <cerrno>
#include <cstdio>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace sluice::fileio {

void write_new_file(fs::path const& path, std::string_view bytes, unsigned mode, std::error_code& ec) {
    auto fd = create_new_file(path, mode, ec);
    if (ec) {
        return;
    }
    write_all(fd.get(), bytes, ec);
    if (!ec && ::fsync(fd.get()) != 0) {
        ec = {errno, std::system_category()};
    }
    if (ec) {
        fd.reset();
        ::unlink(path.c_str());
    }
}

void write_file_atomically(fs::path const& path, std::string_view bytes, unsigned mode, bool overwrite,
                           std::error_code& ec) {
    ec.clear();
    auto const folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (!overwrite && fs::symlink_status(path, ec).type() != fs::file_type::not_found) {
        ec = ec ? ec : std::make_error_code(std::errc::file_exists);
        return;
    }
    fs::path temp;
    std::random_device random;
    for (int attempt = 0;; ++attempt) {
        char suffix[17];
        std::snprintf(suffix, sizeof suffix, "%08x%08x", random(), random());
        // A hidden name beside the target; built by appending, which GCC 12 does not misread (-Wrestrict).
        std::string name(".");
        name += path.filename().string();
        name += ".tmp-";
        name += suffix;
        temp = folder / name;
        write_new_file(temp, bytes, mode, ec);
        if (!ec && ::chmod(temp.c_str(), mode) != 0) {
            // Not left to the umask: a system-wide host manifest must be readable by every user's browser.
            ec = {errno, std::system_category()};
            ::unlink(temp.c_str());
        }
        if (ec != std::errc::file_exists || attempt == 8) {
            break;
        }
    }
    if (ec) {
        return;
    }
    if (overwrite) {
        fs::rename(temp, path, ec);
    } else {
        // The check above saw no file, but another process may have made one since: only a rename that
        // refuses to replace keeps the promise.
        rename_no_replace(temp, path, ec);
    }
    if (ec) {
        ::unlink(temp.c_str());
        return;
    }
    sync_path(folder, ec);
}

} // namespace sluice::fileio
