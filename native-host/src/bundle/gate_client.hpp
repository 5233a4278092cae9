#pragma once

#include <sluice/protocol/jsonrpc.hpp>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::bundle {

// What came back from a bundle's gate server (protocol/gate-api.md), sorted by what the host can do with it.
struct gate_reply {
    enum class outcome {
        answered,    // 2xx with a JSON object: `body`
        refused,     // 4xx: the gate said no; `gate_code` and `message` say why
        unavailable, // no connection, no answer in time, or 5xx: worth trying again later
        malformed,   // an answer that is not the JSON object the API promises, or too large
    };
    outcome what = outcome::unavailable;
    int status = 0;
    nlohmann::json body;
    std::string gate_code;
    std::string message; // for a person
};

// A reply that is not `answered`, as the error the extension receives: gate_refused (with data.gateCode),
// gate_unreachable (worth retrying) or gate_bad_answer, and data.status when there was one.
protocol::rpc_error to_rpc_error(gate_reply const& reply);

// Largest answer the host reads from a gate: tokens are at most 64 KiB, everything else is smaller.
inline constexpr std::size_t max_gate_answer_bytes = 256 * 1024;

// One request to a gate: `path` is relative to the bundle's gate URL ("v1/campaigns/x"); a POST sends `body`
// as JSON, or nothing when it is null.
struct gate_request {
    std::string method = "GET";
    std::string path;
    nlohmann::json body;
    std::vector<std::pair<std::string, std::string>> headers;
};

void call_gate(boost::asio::io_context& io, std::string const& gate_url, gate_request request,
               std::function<void(gate_reply)> done);

// Calls `path` (relative, e.g. "v1/bundles/x") under the bundle's `gate_url` with a JSON body (POST) or none
// (GET when `body` is null). The gate is untrusted input like any other: its answer is size-capped and parsed
// with limits. `done` runs on the io_context.
void call_gate(boost::asio::io_context& io, std::string const& gate_url, std::string const& path,
               nlohmann::json const& body, std::function<void(gate_reply)> done);

} // namespace sluice::bundle
