#include "native_messaging/stdin_reader.hpp"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace sluice::native_messaging {

stdin_reader::stdin_reader(int fd, bytes_handler on_bytes, end_handler on_end)
    : fd_(fd), on_bytes_(std::move(on_bytes)), on_end_(std::move(on_end)) {
    if (::pipe2(wake_, O_CLOEXEC) != 0) {
        wake_[0] = wake_[1] = -1;
    }
}

stdin_reader::~stdin_reader() {
    stop();
    for (int fd : wake_) {
        if (fd >= 0) {
            ::close(fd);
        }
    }
}

void stdin_reader::start() {
    thread_ = std::thread([this] { run(); });
}

void stdin_reader::stop() {
    if (wake_[1] >= 0) {
        char const c = 1;
        [[maybe_unused]] auto n = ::write(wake_[1], &c, 1);
    }
    if (thread_.joinable()) {
        thread_.join();
    }
}

void stdin_reader::run() {
    std::array<char, 64 * 1024> buf{};
    for (;;) {
        // Regular files always poll readable; pipes and sockets block here until there is input.
        pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
        int const nfds = wake_[0] >= 0 ? 2 : 1;
        if (::poll(fds, nfds, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if (nfds == 2 && (fds[1].revents & POLLIN)) {
            return; // stopped: no end-of-input report, the owner already knows
        }
        auto const n = ::read(fd_, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            break;
        }
        if (n == 0) {
            break;
        }
        on_bytes_(std::span<char const>(buf.data(), static_cast<std::size_t>(n)));
    }
    on_end_();
}

} // namespace sluice::native_messaging
