#include "native_messaging/frame_encoder.hpp"

#include <cstring>

namespace sluice::native_messaging {

std::string encode_frame(std::string_view body, std::uint32_t max_body_bytes, std::error_code& ec) {
    ec.clear();
    if (body.size() > max_body_bytes) {
        ec = std::make_error_code(std::errc::message_size);
        return {};
    }
    auto const length = static_cast<std::uint32_t>(body.size());
    std::string frame(sizeof length + body.size(), '\0');
    std::memcpy(frame.data(), &length, sizeof length);
    std::memcpy(frame.data() + sizeof length, body.data(), body.size());
    return frame;
}

} // namespace sluice::native_messaging
