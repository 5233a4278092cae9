#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::http {

struct outgoing_request {
    std::string method = "GET"; // GET or POST
    std::string url;            // http:// or https://; no credentials in it
    std::string body;
    std::string content_type; // for a body
    std::string accept;
    std::vector<std::pair<std::string, std::string>> headers;
    std::size_t max_response_bytes = 1024 * 1024;
    std::chrono::seconds timeout{30};
};

struct incoming_response {
    bool ok = false; // a complete answer arrived (whatever its status)
    int status = 0;
    std::string body;
    std::string error; // for a person, when !ok: what failed (connect, TLS, too large, timeout...)
};

// One request from the host to a server it was told about (a .torrent URL, a bundle's gate), on the
// io_context, never blocking it: no redirects, TLS with the system's CA store and host name checked, the
// answer capped (from Content-Length before the body is read, and while reading), a deadline for the whole
// exchange. `done` is called once, on the io_context.
void send_request(boost::asio::io_context& io, outgoing_request request,
                  std::function<void(incoming_response)> done);

} // namespace sluice::http
