#pragma once

#include "error_code.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace sluice::protocol {

// A JSON-RPC 2.0 error object: a stable code, a message for people and optional structured detail.
struct rpc_error {
    error_code code = error_code::internal_error;
    std::string message;
    nlohmann::json data; // null when there is nothing to add

    // The code's default message, with `detail` (if any) as data.detail.
    static rpc_error make(error_code code, std::string detail = {});

    nlohmann::json to_json() const;
};

// A request as received. `id` is empty for a notification (no reply is sent for it).
struct rpc_request {
    std::optional<nlohmann::json> id;
    std::string method;
    nlohmann::json params = nlohmann::json::object();

    bool is_notification() const { return !id.has_value(); }
};

// What reading one inbound message yields: a request, or the error to answer with and the id to answer to
// (null when the id itself was missing or unusable, as JSON-RPC 2.0 asks).
struct read_result {
    std::optional<rpc_request> request;
    std::optional<rpc_error> error;
    nlohmann::json reply_id;
    // A notification with bad params: JSON-RPC sends no reply to notifications, even for errors.
    bool silent = false;
};

// Checks the envelope of an inbound message: an object with exactly "jsonrpc": "2.0", a string method, an
// id that is a string or an integer (or absent), params that are an object (or absent). Batches are not
// part of this protocol and are refused as invalid requests.
read_result read_request(nlohmann::json const& message);

nlohmann::json make_result(nlohmann::json const& id, nlohmann::json result);
nlohmann::json make_error(nlohmann::json const& id, rpc_error const& error);
nlohmann::json make_notification(std::string const& method, nlohmann::json params);

} // namespace sluice::protocol
