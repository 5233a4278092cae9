#include "jsonrpc.hpp"

namespace sluice::protocol {

namespace {

constexpr std::size_t max_id_length = 256;
constexpr std::size_t max_method_length = 128;

bool is_usable_id(nlohmann::json const& id) {
    // Fractional ids are allowed by the letter of JSON-RPC but cannot be echoed back exactly.
    return (id.is_string() && id.get_ref<std::string const&>().size() <= max_id_length) ||
           id.is_number_integer() || id.is_null();
}

read_result refuse(nlohmann::json reply_id, std::string detail) {
    return {std::nullopt, rpc_error::make(error_code::invalid_request, std::move(detail)),
            std::move(reply_id)};
}

} // namespace

rpc_error rpc_error::make(error_code code, std::string detail) {
    rpc_error e{code, std::string(default_message(code)), nullptr};
    if (!detail.empty()) {
        e.data = {{"detail", std::move(detail)}};
    }
    return e;
}

nlohmann::json rpc_error::to_json() const {
    nlohmann::json j = {{"code", static_cast<int>(code)}, {"message", message}};
    if (!data.is_null()) {
        j["data"] = data;
    }
    return j;
}

read_result read_request(nlohmann::json const& message) {
    if (message.is_array()) {
        return refuse(nullptr, "batch requests are not supported");
    }
    if (!message.is_object()) {
        return refuse(nullptr, "a request must be a JSON object");
    }
    nlohmann::json reply_id = nullptr;
    auto const id_it = message.find("id");
    if (id_it != message.end()) {
        if (!is_usable_id(*id_it)) {
            return refuse(nullptr, "id must be a string of at most 256 bytes, an integer or null");
        }
        reply_id = *id_it;
    }
    auto const version = message.find("jsonrpc");
    if (version == message.end() || !version->is_string() ||
        version->get_ref<std::string const&>() != "2.0") {
        return refuse(reply_id, "jsonrpc must be \"2.0\"");
    }
    for (auto const& [key, value] : message.items()) {
        if (key != "jsonrpc" && key != "id" && key != "method" && key != "params") {
            return refuse(reply_id, "unexpected member \"" + key.substr(0, 64) + "\"");
        }
    }
    auto const method = message.find("method");
    if (method == message.end() || !method->is_string() || method->get_ref<std::string const&>().empty() ||
        method->get_ref<std::string const&>().size() > max_method_length) {
        return refuse(reply_id, "method must be a non-empty string of at most 128 bytes");
    }

    rpc_request request;
    if (id_it != message.end()) {
        request.id = *id_it;
    }
    request.method = method->get<std::string>();
    auto const params = message.find("params");
    if (params != message.end()) {
        if (!params->is_object()) {
            read_result bad{std::nullopt,
                            rpc_error::make(error_code::invalid_params, "params must be an object"),
                            reply_id};
            bad.silent = request.is_notification();
            return bad;
        }
        request.params = *params;
    }
    return {std::move(request), std::nullopt, std::move(reply_id)};
}

nlohmann::json make_result(nlohmann::json const& id, nlohmann::json result) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

nlohmann::json make_error(nlohmann::json const& id, rpc_error const& error) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"error", error.to_json()}};
}

nlohmann::json make_notification(std::string const& method, nlohmann::json params) {
    return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

} // namespace sluice::protocol
