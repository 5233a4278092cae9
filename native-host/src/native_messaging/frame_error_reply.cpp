#include "native_messaging/frame_error_reply.hpp"

#include <sluice/protocol/jsonrpc.hpp>

namespace sluice::native_messaging {

using protocol::error_code;
using protocol::rpc_error;

std::optional<nlohmann::json> frame_error_reply(frame_event event, std::uint64_t announced,
                                                std::uint32_t limit) {
    switch (event) {
    case frame_event::oversized: {
        auto e = rpc_error::make(error_code::frame_too_large);
        e.data = {{"detail", "frame of " + std::to_string(announced) + " bytes refused; the limit is " +
                                 std::to_string(limit) + " bytes"},
                  {"announced", announced},
                  {"limit", limit}};
        return protocol::make_error(nullptr, e);
    }
    case frame_event::empty_frame:
        return protocol::make_error(
            nullptr, rpc_error::make(error_code::empty_frame, "a frame must carry a JSON message"));
    case frame_event::frame:
    case frame_event::truncated:
        break;
    }
    return std::nullopt;
}

} // namespace sluice::native_messaging
