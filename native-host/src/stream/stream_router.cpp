#include "stream/stream_router.hpp"

#include <sluice/protocol/extension_ids.hpp>

#include <algorithm>

namespace sluice::stream {

namespace {

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    }
    return diff == 0;
}

bool is_lower_hex(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string_view next_segment(std::string_view& path) {
    auto const slash = path.find('/');
    auto const segment = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    return segment;
}

} // namespace

stream_router::stream_router(std::string token, std::uint16_t port) : token_(std::move(token)), port_(port) {
    origins_.insert("chrome-extension://" + std::string(protocol::chrome_extension_id));
}

bool stream_router::origin_allowed(std::string_view origin) const {
    return origins_.find(origin) != origins_.end();
}

bool stream_router::host_allowed(std::string_view host) const {
    auto const port = ":" + std::to_string(port_);
    for (std::string_view name : {"127.0.0.1", "localhost", "[::1]"}) {
        if (host.size() == name.size() + port.size() && host.starts_with(name) && host.ends_with(port)) {
            return true;
        }
    }
    return false;
}

route_decision stream_router::route(request_facts const& request) const {
    route_decision d;
    if (request.host_repeated) {
        d.status = 400;
        return d;
    }
    if (!request.host || !host_allowed(*request.host)) {
        d.status = 421;
        return d;
    }
    bool const cors = request.origin && origin_allowed(*request.origin);
    if (cors) {
        d.allow_origin = std::string(*request.origin);
    }
    if (request.method == "OPTIONS") {
        d.status = cors ? 204 : 403;
        return d;
    }
    if (request.method != "GET" && request.method != "HEAD") {
        d.status = 405;
        return d;
    }
    std::string_view path = request.target;
    if (auto const q = path.find('?'); q != std::string_view::npos) {
        path = path.substr(0, q);
    }
    for (char c : path) {
        auto const u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F || c == '\\') {
            return d; // 404
        }
    }
    if (!path.starts_with("/s/")) {
        return d;
    }
    path.remove_prefix(3);
    auto const token = next_segment(path);
    auto const hash = next_segment(path);
    auto const index = next_segment(path);
    auto const name = next_segment(path);
    (void)name;
    if (!constant_time_equal(token, token_) || !path.empty()) {
        return d;
    }
    if ((hash.size() != 40 && hash.size() != 64) || !is_lower_hex(hash)) {
        return d;
    }
    if (index.empty() || index.size() > 6 ||
        !std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return d;
    }
    d.status = 200;
    d.target = stream_target{std::string(hash), std::stoi(std::string(index))};
    return d;
}

} // namespace sluice::stream
