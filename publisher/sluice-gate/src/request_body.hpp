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
// A translation's submission carries its WebVTT track (at most protocol::max_webvtt_bytes, escaped in JSON).
inline constexpr std::size_t max_translation_body_bytes = 1024 * 1024;

// The largest body a request of `method` to `target` may have: max_translation_body_bytes for a POST of a
// translation (`/v1/bundles/{id}/translations`), else max_request_body_bytes.
std::size_t request_body_limit(std::string_view method, std::string_view target);

// `limit` is request_body_limit's answer for the request.
std::optional<gate_response> read_json_body(std::string_view body,
                                            std::function<void(nlohmann::json const&)> const& read,
                                            std::size_t limit = max_request_body_bytes);

} // namespace sluice::gate
