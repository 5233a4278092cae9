#pragma once

#include "native_messaging/rpc_call.hpp"

#include <sluice/protocol/untrusted_json.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::native_messaging {

// Routes JSON-RPC 2.0 requests to handlers by method name. It owns the whole path from an untrusted frame
// body to a handler: UTF-8 and shape limits, parsing, envelope checks, the method table; every failure
// becomes the standard error reply. Runs on the thread that owns the host's state; not thread-safe.
class rpc_dispatcher {
public:
    using handler = std::function<void(rpc_call const&)>;

    explicit rpc_dispatcher(protocol::json_limits limits = {});

    void add(std::string method, handler h);
    std::vector<std::string> methods() const;

    // Handles one frame body from one client; replies (now or later) through `send`.
    void dispatch(std::string_view body, send_fn const& send) const;

private:
    protocol::json_limits limits_;
    std::map<std::string, handler, std::less<>> handlers_;
};

} // namespace sluice::native_messaging
