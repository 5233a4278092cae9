#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace sluice::testing {

struct http_reply {
    int status = 0;
    std::map<std::string, std::string> headers; // lower-case names
    std::string body;
    bool complete = true; // false when the server closed the connection before the body's end

    std::string header(std::string const& name) const {
        auto const it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// One blocking HTTP/1.1 request to 127.0.0.1:port with exactly the headers given (Host included only when
// listed, so tests can send none, or a hostile one). Throws on connection failure or timeout; a body cut
// short by the server is returned as far as it came, not complete.
http_reply http_request(int port, std::string const& method, std::string const& target,
                        std::vector<std::pair<std::string, std::string>> const& headers,
                        std::chrono::seconds timeout = std::chrono::seconds(20));

// GET with a correct Host header plus `extra`.
http_reply http_get(int port, std::string const& target,
                    std::vector<std::pair<std::string, std::string>> extra = {});

// Splits a stream URL http://127.0.0.1:PORT/... into port and target.
std::pair<int, std::string> split_url(std::string const& url);

} // namespace sluice::testing
