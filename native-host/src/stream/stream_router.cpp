#include "stream/stream_router.hpp"

#include <sluice/protocol/extension_ids.hpp>

#include <algorithm>
#include <optional>
#include <string>

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

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// `t=SECONDS` (digits, an optional fraction of up to 6 digits), the only query a converted stream takes;
// anything else in the query is refused rather than ignored.
std::optional<double> start_time(std::string_view query) {
    if (query.empty()) {
        return 0.0;
    }
    if (!query.starts_with("t=")) {
        return std::nullopt;
    }
    auto value = query.substr(2);
    auto const dot = value.find('.');
    auto const whole = value.substr(0, dot);
    auto const fraction = dot == std::string_view::npos ? std::string_view{} : value.substr(dot + 1);
    if (!all_digits(whole) || whole.size() > 7 ||
        (dot != std::string_view::npos && (!all_digits(fraction) || fraction.size() > 6))) {
        return std::nullopt;
    }
    return std::stod(std::string(value));
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

route_decision stream_router::route_translation(std::string_view path, route_decision d) const {
    auto const token = next_segment(path);
    auto const hash = next_segment(path);
    auto const name = next_segment(path);
    auto const sha = name.substr(0, name.size() >= 4 ? name.size() - 4 : 0);
    if (!constant_time_equal(token, token_) || !path.empty() || (hash.size() != 40 && hash.size() != 64) ||
        !is_lower_hex(hash) || !name.ends_with(".vtt") || sha.size() != 64 || !is_lower_hex(sha)) {
        return d; // 404
    }
    stream_target target;
    target.info_hash = std::string(hash);
    target.what = stream_target::kind::translation;
    target.track_sha256 = std::string(sha);
    d.status = 200;
    d.target = std::move(target);
    return d;
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
    std::string_view query;
    if (auto const q = path.find('?'); q != std::string_view::npos) {
        query = path.substr(q + 1);
        path = path.substr(0, q);
    }
    for (char c : path) {
        auto const u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F || c == '\\') {
            return d; // 404
        }
    }
    if (path.starts_with("/t/")) {
        return route_translation(path.substr(3), std::move(d));
    }
    auto kind = stream_target::kind::file;
    if (path.starts_with("/m/")) {
        kind = stream_target::kind::converted;
    } else if (path.starts_with("/v/")) {
        kind = stream_target::kind::subtitles;
    } else if (!path.starts_with("/s/")) {
        return d;
    }
    path.remove_prefix(3);
    auto const token = next_segment(path);
    auto const hash = next_segment(path);
    auto const index = next_segment(path);
    auto const last = next_segment(path);
    if (!constant_time_equal(token, token_) || !path.empty()) {
        return d;
    }
    if ((hash.size() != 40 && hash.size() != 64) || !is_lower_hex(hash)) {
        return d;
    }
    if (!all_digits(index) || index.size() > 6) {
        return d;
    }
    stream_target target;
    target.info_hash = std::string(hash);
    target.file_index = std::stoi(std::string(index));
    target.what = kind;
    if (kind == stream_target::kind::converted) {
        auto const start = start_time(query);
        if (last.empty() || last.size() > 32 || !start) {
            return d;
        }
        target.plan = std::string(last);
        target.start_seconds = *start;
    } else if (kind == stream_target::kind::subtitles) {
        auto const track = last.substr(0, last.size() >= 4 ? last.size() - 4 : 0);
        if (!last.ends_with(".vtt") || !all_digits(track) || track.size() > 2) {
            return d;
        }
        target.subtitle_track = std::stoi(std::string(track));
    }
    d.status = 200;
    d.target = std::move(target);
    return d;
}

} // namespace sluice::stream
