#pragma once

#include "gate_api/gate_answers.hpp"

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::gate_api {

// How long one request to a gate may take, from resolving its name to the last byte of its answer, unless
// the host's configuration (gateTimeoutSeconds) says otherwise.
inline constexpr std::chrono::seconds default_gate_timeout{20};

// One request to a gate: `path` is relative to the bundle's gate URL ("v1/campaigns/x"); a POST sends `body`
// as JSON, or nothing when it is null.
struct gate_request {
    std::string method = "GET";
    std::string path;
    nlohmann::json body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::seconds timeout = default_gate_timeout;
    std::size_t max_answer_bytes = max_gate_answer_bytes;
};

// Calls `request.path` under the bundle's `gate_url`. The gate is untrusted input like any other: its answer
// is size-capped, bounded in time as a whole (a gate trickling a byte a second is cut off at the deadline),
// and parsed with limits (interpret_gate_answer). `done` runs once, on the io_context.
void call_gate(boost::asio::io_context& io, std::string const& gate_url, gate_request request,
               std::function<void(gate_reply)> done);

} // namespace sluice::gate_api
