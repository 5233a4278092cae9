#include "file_io.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sluice::fileio {

namespace {

std::error_code last_error() {
    return {errno, std::system_category()};
}

} // namespace

void unique_fd::reset(int fd) {
    if (fd_ >= 0) {
        ::close(fd_);
    }
    fd_ = fd;
}

unique_fd open_for_reading(fs::path const& path, std::error_code& ec) {
    ec.clear();
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        ec = last_error();
    }
    return fd;
}

unique_fd create_new_file(fs::path const& path, unsigned mode, std::error_code& ec) {
    ec.clear();
    unique_fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
    if (!fd) {
        ec = last_error();
    }
    return fd;
}

std::size_t read_full(int fd, std::span<char> buffer, std::error_code& ec) {
    ec.clear();
    std::size_t got = 0;
    while (got < buffer.size()) {
        auto const n = ::read(fd, buffer.data() + got, buffer.size() - got);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            ec = last_error();
            return got;
        }
        if (n == 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    return got;
}

void write_all(int fd, std::string_view bytes, std::error_code& ec) {
    ec.clear();
    while (!bytes.empty()) {
        auto const n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            ec = last_error();
            return;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::string read_small_file(fs::path const& path, std::size_t max_bytes, std::error_code& ec) {
    auto fd = open_for_reading(path, ec);
    if (ec) {
        return {};
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        ec = last_error();
        return {};
    }
    if (!S_ISREG(st.st_mode)) {
        ec = std::make_error_code(S_ISDIR(st.st_mode) ? std::errc::is_a_directory
                                                      : std::errc::invalid_argument);
        return {};
    }
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
        ec = std::make_error_code(std::errc::file_too_large);
        return {};
    }
    // Sized by fstat, plus one byte: reaching it means the file grew since, and the buffer grows up to the
    // limit (a limit generous enough for resume data must not cost its whole size for every small file).
    std::string text(static_cast<std::size_t>(std::min<std::uint64_t>(st.st_size, max_bytes)) + 1, '\0');
    std::size_t n = 0;
    for (;;) {
        n += read_full(fd.get(), std::span<char>(text).subspan(n), ec);
        if (ec) {
            return {};
        }
        if (n < text.size()) {
            break;
        }
        if (n > max_bytes) {
            ec = std::make_error_code(std::errc::file_too_large);
            return {};
        }
        text.resize(std::min(text.size() * 2, max_bytes + 1));
    }
    text.resize(n);
    return text;
}

void sync_path(fs::path const& path, std::error_code& ec) {
    ec.clear();
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        ec = last_error();
        return;
    }
    if (::fsync(fd.get()) != 0) {
        ec = last_error();
    }
}

void rename_no_replace(fs::path const& from, fs::path const& to, std::error_code& ec) {
    ec.clear();
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
        return;
    }
    if (errno != EINVAL && errno != ENOSYS) {
        ec = last_error();
        return;
    }
    // No RENAME_NOREPLACE on this file system: link(2) refuses an existing target just the same.
    if (::link(from.c_str(), to.c_str()) != 0) {
        ec = last_error();
        return;
    }
    ::unlink(from.c_str());
}

std::string describe(fs::path const& path, std::error_code const& ec) {
    std::string message = path.string();
    if (ec == std::errc::file_too_large) {
        return message + ": the file is larger than expected";
    }
    return message + ": " + ec.message();
}

} // namespace sluice::fileio
