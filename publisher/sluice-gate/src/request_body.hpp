#pragma once

#include "sluice-gate/http_types.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string_view>

namespace sluice::gate {

// Request bodies are small JSON objects: parsed with parse_untrusted_json under tight limits (depth 4,
// 256 values), then read by `read` through protocol::strict_object, whose json_shape_error becomes a 400
// invalid_request naming the member. Returns the error response, or nullopt when `read` ran to the end.
inline constexpr std::size_t max_request_body_bytes = 64 * 1024;

std::optional<gate_response> read_json_body(std::string_view body,
                                            std::function<void(nlohmann::json const&)> const& read);

} // namespace sluice::gate
