#include "gate_client.hpp"

#include "../http/http_client.hpp"

#include <sluice/protocol/untrusted_json.hpp>

namespace sluice::bundle {

namespace {

std::string join_url(std::string const& base, std::string const& path) {
    return base.ends_with('/') ? base + path : base + "/" + path;
}

// A short, printable excerpt of what the gate said: it reaches the extension's UI.
std::string excerpt(nlohmann::json const& value) {
    if (!value.is_string()) {
        return {};
    }
    auto text = value.get<std::string>().substr(0, 300);
    for (auto& c : text) {
        if (static_cast<unsigned char>(c) < 0x20) {
            c = ' ';
        }
    }
    return text;
}

gate_reply interpret(http::incoming_response const& response, std::string const& gate_url) {
    gate_reply reply;
    reply.status = response.status;
    if (!response.ok) {
        reply.what = gate_reply::outcome::unavailable;
        reply.message = "the gate server at " + gate_url + " could not be reached: " + response.error;
        if (response.error.find("larger than the limit") != std::string::npos) {
            reply.what = gate_reply::outcome::malformed;
            reply.message =
                "the gate server's answer is larger than " + std::to_string(max_gate_answer_bytes) + " bytes";
        }
        return reply;
    }
    if (response.status >= 500) {
        reply.what = gate_reply::outcome::unavailable;
        reply.message =
            "the gate server had a problem (HTTP " + std::to_string(response.status) + "); try again later";
        return reply;
    }
    auto parsed = protocol::parse_untrusted_json(
        response.body, protocol::json_limits{.max_depth = 16, .max_values = 10'000});
    if (response.status >= 400) {
        reply.what = gate_reply::outcome::refused;
        auto const error = parsed && parsed.value.is_object() ? parsed.value.value("error", nlohmann::json())
                                                              : nlohmann::json();
        if (error.is_object()) {
            reply.gate_code = excerpt(error.value("code", nlohmann::json())).substr(0, 64);
            reply.message = excerpt(error.value("message", nlohmann::json()));
        }
        if (reply.message.empty()) {
            reply.message =
                "the gate server refused the request (HTTP " + std::to_string(response.status) + ")";
        }
        return reply;
    }
    if (response.status < 200 || response.status >= 300 || !parsed || !parsed.value.is_object()) {
        reply.what = gate_reply::outcome::malformed;
        reply.message = "the gate server's answer is not what its API promises (HTTP " +
                        std::to_string(response.status) + (parsed ? "" : ", " + parsed.detail) + ")";
        return reply;
    }
    reply.what = gate_reply::outcome::answered;
    reply.body = std::move(parsed.value);
    return reply;
}

} // namespace

protocol::rpc_error to_rpc_error(gate_reply const& reply) {
    using protocol::error_code;
    auto const code = reply.what == gate_reply::outcome::refused       ? error_code::gate_refused
                      : reply.what == gate_reply::outcome::unavailable ? error_code::gate_unreachable
                                                                       : error_code::gate_bad_answer;
    auto error = protocol::rpc_error::make(code, reply.message);
    if (reply.status != 0) {
        error.data["status"] = reply.status;
    }
    if (!reply.gate_code.empty()) {
        error.data["gateCode"] = reply.gate_code;
    }
    return error;
}

void call_gate(boost::asio::io_context& io, std::string const& gate_url, gate_request request,
               std::function<void(gate_reply)> done) {
    http::outgoing_request outgoing;
    outgoing.method = std::move(request.method);
    outgoing.url = join_url(gate_url, request.path);
    outgoing.accept = "application/json";
    outgoing.headers = std::move(request.headers);
    outgoing.max_response_bytes = max_gate_answer_bytes;
    outgoing.timeout = std::chrono::seconds(20);
    if (!request.body.is_null()) {
        outgoing.content_type = "application/json";
        outgoing.body = request.body.dump();
    }
    http::send_request(io, std::move(outgoing),
                       [gate_url, done = std::move(done)](http::incoming_response response) {
                           done(interpret(response, gate_url));
                       });
}

void call_gate(boost::asio::io_context& io, std::string const& gate_url, std::string const& path,
               nlohmann::json const& body, std::function<void(gate_reply)> done) {
    call_gate(io, gate_url, gate_request{body.is_null() ? "GET" : "POST", path, body, {}}, std::move(done));
}

} // namespace sluice::bundle
