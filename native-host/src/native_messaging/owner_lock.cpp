#include "owner_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
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

void owner_lock::release() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

} // namespace sluice::native_messaging
