#pragma once

#include "gate_api/gate_client.hpp"

#include <sluice/protocol/jsonrpc.hpp>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace sluice::bundle {

// What a gate method answers its caller: a result, or the error the extension receives.
using rpc_answer = std::variant<nlohmann::json, protocol::rpc_error>;
using answer_fn = std::function<void(rpc_answer)>;

// How requests reach a gate: gate_api::call_gate, with its signature, unless a test scripts the replies.
using gate_call =
    std::function<void(boost::asio::io_context& io, std::string const& gate_url,
                       gate_api::gate_request request, std::function<void(gate_api::gate_reply)> done)>;

// The requests the pledge and payment followers send, through one gate call and with one deadline. A
// request about a kept record (by its key) is the only one about it until it is answered, so a retry never
// overtakes the request it repeats.
class gate_requests {
public:
    using headers = std::vector<std::pair<std::string, std::string>>;

    gate_requests(boost::asio::io_context& io, gate_call call, std::chrono::seconds timeout)
        : io_(io), call_(std::move(call)), timeout_(timeout) {}

    // A request to `path` under a gate's URL, bounded by this deadline.
    gate_api::gate_request request(std::string method, std::string path, nlohmann::json body = nullptr,
                                   headers extra = {}) const {
        return {std::move(method), std::move(path), std::move(body), std::move(extra), timeout_};
    }

    // One request about the record `key`; `then` runs once with the reply.
    void ask(std::string const& key, std::string const& gate_url, gate_api::gate_request request,
             std::function<void(gate_api::gate_reply const&)> then);
    // A request about no record (a campaign's progress): it keeps nothing under way.
    void read(std::string const& gate_url, gate_api::gate_request request,
              std::function<void(gate_api::gate_reply)> then);

    bool busy(std::string const& key) const { return under_way_.count(key) != 0; }
    std::chrono::seconds timeout() const { return timeout_; }

private:
    boost::asio::io_context& io_;
    gate_call call_;
    std::chrono::seconds timeout_;
    std::set<std::string> under_way_;
};

} // namespace sluice::bundle
