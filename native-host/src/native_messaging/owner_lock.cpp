#include "native_messaging/owner_lock.hpp"

#include "base/log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace sluice::native_messaging {

owner_lock::~owner_lock() {
    release();
}

owner_lock::owner_lock(owner_lock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

owner_lock& owner_lock::operator=(owner_lock&& other) noexcept {
    if (this != &other) {
        release();
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

bool owner_lock::try_acquire(std::filesystem::path const& lock_file, std::error_code& ec) {
    ec.clear();
    release();
    int const fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        ec = {errno, std::generic_category()};
        return false;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int const err = errno;
        ::close(fd);
        if (err != EWOULDBLOCK) {
            ec = {err, std::generic_category()};
        }
        return false;
    }
    fd_ = fd;
    return true;
}

bool owner_lock::acquire_when_free(std::filesystem::path const& lock_file,
                                   std::filesystem::path const& socket_file,
                                   std::chrono::milliseconds patience, std::error_code& ec) {
    auto const start = std::chrono::steady_clock::now();
    bool waited = false;
    for (;;) {
        if (try_acquire(lock_file, ec) || ec) {
            if (waited && !ec) {
                auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start);
                base::log::info("took the session after waiting " + std::to_string(ms.count()) +
                                " ms for the owner before");
            }
            return !ec;
        }
        std::error_code exists_ec;
        if (std::filesystem::exists(std::filesystem::symlink_status(socket_file, exists_ec)) ||
            std::chrono::steady_clock::now() >= start + patience) {
            return false;
        }
        if (!waited) {
            base::log::info(
                "another owner holds the session and does not listen (leaving, or starting); waiting");
            waited = true;
        }
        // Polled: flock has no timeout, and a leaving owner takes tens to hundreds of milliseconds.
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void owner_lock::release() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

} // namespace sluice::native_messaging
