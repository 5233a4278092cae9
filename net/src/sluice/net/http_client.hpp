#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::net {

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
    // What went wrong when no complete answer arrived: callers sort failures by it, never by `error`'s text.
    enum class failure {
        none,
        bad_url,
        resolve,
        connect,
        tls,
        send,
        timeout,      // the deadline for the whole exchange passed
        too_large,    // the answer (declared or read) is over max_response_bytes
        closed_early, // the server closed the connection before the answer was complete
        read,         // anything else wrong with the answer as HTTP
    };
    bool ok = false; // a complete answer arrived (whatever its status)
    int status = 0;
    std::string body;
    std::string location; // a redirect's Location header, cut to 300 bytes: redirects are not followed
    failure what = failure::none;
    std::string error; // for a person, when !ok: what failed (connect, TLS, too large, timeout...)
};

// One request from the host to a server it was told about (a .torrent URL, a bundle's gate), on the
// io_context, never blocking it: no redirects, TLS with the system's CA store and host name checked, the
// answer capped (from Content-Length before the body is read, and while reading), one deadline (`timeout`)
// for the whole exchange from name resolution to the last byte, however slowly the server trickles it.
// `done` is called once, on the io_context.
void send_request(boost::asio::io_context& io, outgoing_request request,
                  std::function<void(incoming_response)> done);

} // namespace sluice::net
