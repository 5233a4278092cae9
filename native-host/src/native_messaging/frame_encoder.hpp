#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace sluice::native_messaging {

// Builds one outbound frame (length header + body). Refuses, with std::errc::message_size, a body over
// `max_body_bytes`: browsers drop the whole port when a host sends more than 1 MiB, so a long answer must
// be paged by its method, never sent whole.
std::string encode_frame(std::string_view body, std::uint32_t max_body_bytes, std::error_code& ec);

} // namespace sluice::native_messaging
