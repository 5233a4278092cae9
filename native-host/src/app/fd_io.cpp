#include "fd_io.hpp"

#include <cerrno>
#include <unistd.h>

namespace sluice::app {

void write_all(int fd, std::string_view bytes, std::error_code& ec) {
    ec.clear();
    while (!bytes.empty()) {
        auto const n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            ec = {errno, std::generic_category()};
            return;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

} // namespace sluice::app
