#include "sluice-gate/api_error.hpp"

#include "sluice-gate/sql_connection.hpp"

#include <sluice/protocol/untrusted_json.hpp>

#include <nlohmann/json.hpp>

namespace sluice::gate {

gate_response error_response(unsigned status, std::string_view code, std::string_view message) {
    nlohmann::json const body{{"error", {{"code", code}, {"message", message}}}};
    gate_response res;
    res.status = status;
    res.body = protocol::dump_compact(body);
    return res;
}

gate_response json_response(std::string body, unsigned status) {
    gate_response res;
    res.status = status;
    res.body = std::move(body);
    return res;
}

gate_response storage_failed() {
    return error_response(500, error_code::internal_error, "the gate's storage failed");
}

gate_response storage_failed(std::error_code const& ec) {
    if (!is_transient(ec)) {
        return storage_failed();
    }
    auto res = error_response(503, error_code::storage_unavailable,
                              "the gate's storage is busy or out of reach; nothing was recorded, try again");
    res.headers.emplace_back("Retry-After", "1");
    return res;
}

gate_response wrong_method(std::string_view allowed) {
    auto res = error_response(405, error_code::method_not_allowed, "use " + std::string(allowed) + " here");
    res.headers.emplace_back("Allow", std::string(allowed));
    return res;
}

gate_response no_content() {
    gate_response res;
    res.status = 204;
    res.content_type.clear();
    return res;
}

} // namespace sluice::gate
