#pragma once

#include "bundle/gate_requests.hpp"

#include <nlohmann/json.hpp>

#include <variant>
#include <vector>

namespace sluice::testing {

// What a gate method told its caller.
struct answers {
    std::vector<bundle::rpc_answer> got;

    bundle::answer_fn to() {
        return [this](bundle::rpc_answer a) { got.push_back(std::move(a)); };
    }
    nlohmann::json const& result(std::size_t i = 0) const { return std::get<nlohmann::json>(got.at(i)); }
    protocol::rpc_error const& error(std::size_t i = 0) const {
        return std::get<protocol::rpc_error>(got.at(i));
    }
    bool is_error(std::size_t i = 0) const { return std::holds_alternative<protocol::rpc_error>(got.at(i)); }
};

} // namespace sluice::testing
