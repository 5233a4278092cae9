#include "native_messaging/outbound_frame.hpp"

#include "native_messaging/frame_encoder.hpp"

#include <sluice/protocol/jsonrpc.hpp>
#include <sluice/protocol/untrusted_json.hpp>
#include <sluice/protocol/version.hpp>

namespace sluice::native_messaging {

std::string to_outbound_frame(nlohmann::json const& message) {
    std::error_code ec;
    auto frame = encode_frame(protocol::dump_compact(message), protocol::max_outbound_frame_bytes, ec);
    if (!ec) {
        return frame;
    }
    auto const id = message.find("id");
    if (id == message.end()) {
        return {};
    }
    auto const refusal =
        protocol::make_error(*id, protocol::rpc_error::make(protocol::error_code::reply_too_large,
                                                            "the answer exceeds 1 MiB; ask for it in pages"));
    return encode_frame(protocol::dump_compact(refusal), protocol::max_outbound_frame_bytes, ec);
}

} // namespace sluice::native_messaging
