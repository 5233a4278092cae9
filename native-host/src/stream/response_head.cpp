#include "stream/response_head.hpp"

#include "media/mime_types.hpp"
#include "stream/range_parser.hpp"

#include <cctype>
#include <cstdio>

namespace sluice::stream {

namespace bhttp = boost::beast::http;

namespace {

// Beast 1.74 has its own string_view, which std::string_view does not convert to.
boost::beast::string_view beast_view(std::string_view s) {
    return {s.data(), s.size()};
}

template <typename Response>
void common_headers(Response& res, std::optional<std::string> const& allow_origin) {
    res.set(bhttp::field::server, "sluice-host");
    res.set("X-Content-Type-Options", "nosniff");
    res.set(bhttp::field::cache_control, "no-store");
    res.set("Referrer-Policy", "no-referrer");
    // Even a file opened directly in a tab may not run anything on this origin.
    res.set("Content-Security-Policy", "sandbox; default-src 'none'");
    if (allow_origin) {
        res.set(bhttp::field::access_control_allow_origin, *allow_origin);
        res.set(bhttp::field::vary, "Origin");
        res.set(bhttp::field::access_control_expose_headers, "Content-Range, Content-Length, Accept-Ranges");
    }
}

// A manifest's media type for a locked item is the publisher's word: only types a browser plays or shows
// without running anything are served inline.
bool is_passive_media_type(std::string_view type) {
    return type.starts_with("video/") || type.starts_with("audio/") ||
           (type.starts_with("image/") && type != "image/svg+xml") || type == "text/vtt" ||
           type == "text/plain" || type == "application/pdf";
}

// RFC 8187 ext-value of the last path segment, so any byte of a torrent's file name survives the header.
std::string encoded_file_name(std::string_view path) {
    auto const slash = path.find_last_of('/');
    auto const name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    std::string encoded;
    for (unsigned char c : name) {
        if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
            encoded += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            encoded += buf;
        }
    }
    return encoded;
}

} // namespace

response_head make_response_head(file_request const& request, file_facts const& file) {
    using kind = bundle::file_access::kind;
    response_head answer;
    // A bundle's locked item is served only decrypted, and only once unlocked: its size, type and name are
    // the plaintext's.
    if (file.access == kind::locked) {
        answer.refusal = make_text_response(403, "This item is locked: unlock it in Sluice first\n",
                                            request.allow_origin, request.keep_alive);
        return answer;
    }
    if (file.changed_on_disk) {
        answer.refusal = make_text_response(
            503, "This file was changed on disk after it was verified; it is being checked again\n",
            request.allow_origin, request.keep_alive, "Retry-After", "2");
        return answer;
    }
    bool const unlocked = file.access == kind::unlocked;
    constexpr std::string_view locked_suffix = ".locked";
    auto const shown_name = unlocked && file.path.ends_with(locked_suffix)
                                ? file.path.substr(0, file.path.size() - locked_suffix.size())
                                : file.path;
    auto const size = unlocked ? file.plaintext_size : file.size;

    auto const decision = request.range ? decide_range(*request.range, size) : range_decision{};
    if (decision.outcome == range_outcome::unsatisfiable) {
        answer.refusal =
            make_text_response(416, "Range Not Satisfiable\n", request.allow_origin, request.keep_alive,
                               "Content-Range", "bytes */" + std::to_string(size));
        return answer;
    }
    auto& res = answer.header;
    res = header_response(
        decision.outcome == range_outcome::partial ? bhttp::status::partial_content : bhttp::status::ok, 11);
    common_headers(res, request.allow_origin);
    res.set(bhttp::field::accept_ranges, "bytes");
    res.set(bhttp::field::content_type,
            beast_view(unlocked ? file.media_type : media::mime_type_for(file.path)));
    res.set(bhttp::field::content_disposition,
            std::string(media::is_active_content(shown_name) ||
                                (unlocked && !is_passive_media_type(file.media_type))
                            ? "attachment"
                            : "inline") +
                "; filename*=UTF-8''" + encoded_file_name(shown_name));
    if (decision.outcome == range_outcome::partial) {
        answer.first = decision.first;
        answer.end = decision.last + 1;
        res.set(bhttp::field::content_range, "bytes " + std::to_string(decision.first) + "-" +
                                                 std::to_string(decision.last) + "/" + std::to_string(size));
    } else {
        answer.first = 0;
        answer.end = size;
    }
    res.content_length(answer.end - answer.first);
    res.keep_alive(request.keep_alive);
    if (request.head) {
        answer.end = answer.first;
    }
    return answer;
}

text_response make_text_response(unsigned status, std::string text,
                                 std::optional<std::string> const& allow_origin, bool keep_alive,
                                 std::string_view extra_name, std::string_view extra_value) {
    text_response res(static_cast<bhttp::status>(status), 11);
    common_headers(res, allow_origin);
    if (!extra_name.empty()) {
        res.set(beast_view(extra_name), beast_view(extra_value));
    }
    if (status == 204) {
        res.set(bhttp::field::access_control_allow_headers, "Range");
        res.set(bhttp::field::access_control_max_age, "600");
    }
    res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
    res.body() = std::move(text);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
}

} // namespace sluice::stream
