#pragma once

#include <sluice/protocol/jsonrpc.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>

namespace sluice::native_messaging {

// Delivers one outbound message (reply or event) to the client a request came from.
using send_fn = std::function<void(nlohmann::json)>;

// One request being handled. A handler answers it exactly once, now or later (it may keep a copy while
// it waits for libtorrent or a gate server); the first answer wins and later ones are ignored. If every
// copy is dropped unanswered, the client still gets an internal_error reply instead of waiting forever.
// Notifications (no id) never produce a reply.
class rpc_call {
public:
    rpc_call(protocol::rpc_request request, send_fn send);

    std::string const& method() const;
    nlohmann::json const& params() const;
    bool answered() const;

    void reply(nlohmann::json result) const;
    void fail(protocol::rpc_error error) const;
    void fail(protocol::error_code code, std::string detail = {}) const;

private:
    struct state;
    std::shared_ptr<state> state_;
};

} // namespace sluice::native_messaging
