#include "gate_api/gate_client.hpp"

#include <sluice/net/http_client.hpp>

namespace sluice::gate_api {

namespace {

std::string join_url(std::string const& base, std::string const& path) {
    return base.ends_with('/') ? base + path : base + "/" + path;
}

} // namespace

void call_gate(boost::asio::io_context& io, std::string const& gate_url, gate_request request,
               std::function<void(gate_reply)> done) {
    net::outgoing_request outgoing;
    outgoing.method = std::move(request.method);
    outgoing.url = join_url(gate_url, request.path);
    outgoing.accept = "application/json";
    outgoing.headers = std::move(request.headers);
    outgoing.max_response_bytes = request.max_answer_bytes;
    outgoing.timeout = request.timeout;
    if (!request.body.is_null()) {
        outgoing.content_type = "application/json";
        outgoing.body = request.body.dump();
    }
    net::send_request(io, std::move(outgoing),
                      [gate_url, timeout = request.timeout, max_bytes = request.max_answer_bytes,
                       done = std::move(done)](net::incoming_response response) {
                          done(interpret_gate_answer(response, gate_url, timeout, max_bytes));
                      });
}

} // namespace sluice::gate_api
