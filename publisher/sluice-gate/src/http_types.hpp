#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::gate {

// A request as the router sees it: the connection has already read it whole, within the header and body
// limits. Keeping Beast out of the router lets tests call it directly.
struct gate_request {
    std::string method;
    std::string target; // as sent: path and maybe a query
    std::string body;
    std::string client_ip;
    std::vector<std::pair<std::string, std::string>> headers; // names in lower case

    // The first header of that (lower-case) name; nullptr when there is none.
    std::string const* header(std::string_view name) const {
        for (auto const& [n, v] : headers) {
            if (n == name) {
                return &v;
            }
        }
        return nullptr;
    }
};

struct gate_response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; // beyond the ones every answer carries
};

} // namespace sluice::gate
