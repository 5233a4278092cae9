#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace sluice::fileio {

namespace fs = std::filesystem;

// An owned POSIX file descriptor, closed on destruction. Files are read and written through plain
// descriptors because that gives what iostreams hide: O_EXCL, the mode a file is created with, and fsync.
class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) : fd_(fd) {}
    unique_fd(unique_fd&& other) noexcept : fd_(other.release()) {}
    unique_fd& operator=(unique_fd&& other) noexcept {
        reset(other.release());
        return *this;
    }
    unique_fd(unique_fd const&) = delete;
    unique_fd& operator=(unique_fd const&) = delete;
    ~unique_fd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release() {
        int const fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset(int fd = -1);

private:
    int fd_ = -1;
};

unique_fd open_for_reading(fs::path const& path, std::error_code& ec);

// Creates a new file (O_CREAT | O_EXCL: an existing file is never truncated or followed through a symlink).
unique_fd create_new_file(fs::path const& path, unsigned mode, std::error_code& ec);

// Reads up to `buffer.size()` bytes, retrying short reads; returns fewer only at end of file.
std::size_t read_full(int fd, std::span<char> buffer, std::error_code& ec);
void write_all(int fd, std::string_view bytes, std::error_code& ec);

// A whole file that is expected to be small (a spec, a key file, bundle.json). A file over `max_bytes` is
// std::errc::file_too_large rather than a large allocation.
std::string read_small_file(fs::path const& path, std::size_t max_bytes, std::error_code& ec);

// fsync of a file or a directory (a directory's entry for a new or renamed file is durable only then).
void sync_path(fs::path const& path, std::error_code& ec);

// rename(2) that fails with std::errc::file_exists instead of replacing `to` (renameat2 RENAME_NOREPLACE;
// link + unlink where the file system lacks it, which is only possible for files).
void rename_no_replace(fs::path const& from, fs::path const& to, std::error_code& ec);

// "a.webm: No such file or directory" with the path quoted only when it needs to be.
std::string describe(fs::path const& path, std::error_code const& ec);

} // namespace sluice::fileio
