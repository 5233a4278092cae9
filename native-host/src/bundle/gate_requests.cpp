#include "bundle/gate_requests.hpp"

namespace sluice::bundle {

void gate_requests::ask(std::string const& key, std::string const& gate_url, gate_api::gate_request request,
                        std::function<void(gate_api::gate_reply const&)> then) {
    under_way_.insert(key);
    call_(io_, gate_url, std::move(request), [this, key, then = std::move(then)](gate_api::gate_reply reply) {
        under_way_.erase(key);
        then(reply);
    });
}

void gate_requests::read(std::string const& gate_url, gate_api::gate_request request,
                         std::function<void(gate_api::gate_reply)> then) {
    call_(io_, gate_url, std::move(request), std::move(then));
}

} // namespace sluice::bundle
