#pragma once

#include "native_messaging/frame_decoder.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>

namespace sluice::native_messaging {

// The error reply a framing problem earns. A framing error has no request id (the body was never read),
// so the reply's id is null; `data` says what the header announced and what the limit is.
std::optional<nlohmann::json> frame_error_reply(frame_event event, std::uint64_t announced,
                                                std::uint32_t limit);

} // namespace sluice::native_messaging
