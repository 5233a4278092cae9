#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace sluice::native_messaging {

// Turns one outbound message into a frame that respects the 1 MiB outbound limit. A reply that would be
// too large is replaced by a reply_too_large error for the same id (the client learns why and is not left
// waiting); an event that would be too large yields an empty string: it is dropped, and the caller logs it.
std::string to_outbound_frame(nlohmann::json const& message);

} // namespace sluice::native_messaging
