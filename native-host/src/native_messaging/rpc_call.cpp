#include "native_messaging/rpc_call.hpp"

namespace sluice::native_messaging {

struct rpc_call::state {
    protocol::rpc_request request;
    send_fn send;
    bool answered = false;

    state(protocol::rpc_request r, send_fn s) : request(std::move(r)), send(std::move(s)) {}
    state(state const&) = delete;
    state& operator=(state const&) = delete;

    void answer(nlohmann::json message) {
        if (answered) {
            return;
        }
        answered = true;
        if (!request.is_notification()) {
            send(std::move(message));
        }
    }

    ~state() {
        if (!answered) {
            answer(
                protocol::make_error(request.id.value_or(nullptr),
                                     protocol::rpc_error::make(protocol::error_code::internal_error,
                                                               "the request was dropped without an answer")));
        }
    }
};

rpc_call::rpc_call(protocol::rpc_request request, send_fn send)
    : state_(std::make_shared<state>(std::move(request), std::move(send))) {}

std::string const& rpc_call::method() const {
    return state_->request.method;
}
nlohmann::json const& rpc_call::params() const {
    return state_->request.params;
}
bool rpc_call::answered() const {
    return state_->answered;
}

void rpc_call::reply(nlohmann::json result) const {
    state_->answer(protocol::make_result(state_->request.id.value_or(nullptr), std::move(result)));
}

void rpc_call::fail(protocol::rpc_error error) const {
    state_->answer(protocol::make_error(state_->request.id.value_or(nullptr), error));
}

void rpc_call::fail(protocol::error_code code, std::string detail) const {
    fail(protocol::rpc_error::make(code, std::move(detail)));
}

} // namespace sluice::native_messaging
