#include "native_messaging/rpc_dispatcher.hpp"

#include <exception>

namespace sluice::native_messaging {

using protocol::error_code;

rpc_dispatcher::rpc_dispatcher(protocol::json_limits limits) : limits_(limits) {}

void rpc_dispatcher::add(std::string method, handler h) {
    handlers_[std::move(method)] = std::move(h);
}

std::vector<std::string> rpc_dispatcher::methods() const {
    std::vector<std::string> names;
    for (auto const& [name, h] : handlers_) {
        names.push_back(name);
    }
    return names;
}

void rpc_dispatcher::dispatch(std::string_view body, send_fn const& send) const {
    auto parsed = protocol::parse_untrusted_json(body, limits_);
    if (!parsed) {
        send(
            protocol::make_error(nullptr, protocol::rpc_error::make(error_code::parse_error, parsed.detail)));
        return;
    }
    auto read = protocol::read_request(parsed.value);
    if (!read.request) {
        if (!read.silent) {
            send(protocol::make_error(read.reply_id, *read.error));
        }
        return;
    }
    rpc_call call(std::move(*read.request), send);
    auto const it = handlers_.find(call.method());
    if (it == handlers_.end()) {
        call.fail(error_code::method_not_found, "no method named \"" + call.method() + "\"");
        return;
    }
    try {
        it->second(call);
    } catch (std::exception const& e) {
        // A handler that throws has a bug; the client still gets an answer and the host keeps running.
        call.fail(error_code::internal_error, e.what());
    }
}

} // namespace sluice::native_messaging
