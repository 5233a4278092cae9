#pragma once

#include <string_view>
#include <system_error>

namespace sluice::app {

// Writes all of `bytes` to a blocking descriptor, retrying short writes and EINTR.
void write_all(int fd, std::string_view bytes, std::error_code& ec);

} // namespace sluice::app
