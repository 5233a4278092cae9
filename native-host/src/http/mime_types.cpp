#include "mime_types.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace sluice::http {

namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 34> table{{
    {"webm", "video/webm"},
    {"mkv", "video/x-matroska"},
    {"mp4", "video/mp4"},
    {"m4v", "video/mp4"},
    {"mov", "video/quicktime"},
    {"ogv", "video/ogg"},
    {"avi", "video/x-msvideo"},
    {"ts", "video/mp2t"},
    {"mp3", "audio/mpeg"},
    {"m4a", "audio/mp4"},
    {"aac", "audio/aac"},
    {"ogg", "audio/ogg"},
    {"oga", "audio/ogg"},
    {"opus", "audio/ogg"},
    {"flac", "audio/flac"},
    {"wav", "audio/wav"},
    {"vtt", "text/vtt"},
    {"srt", "application/x-subrip"},
    {"txt", "text/plain"},
    {"json", "application/json"},
    {"pdf", "application/pdf"},
    {"epub", "application/epub+zip"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"png", "image/png"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"zip", "application/zip"},
    {"html", "text/html"},
    {"htm", "text/html"},
    {"xhtml", "application/xhtml+xml"},
    {"svg", "image/svg+xml"},
    {"xml", "application/xml"},
    {"js", "text/javascript"},
}};

std::string extension_of(std::string_view path) {
    auto const slash = path.find_last_of('/');
    auto const name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    auto const dot = name.find_last_of('.');
    if (dot == std::string_view::npos) {
        return {};
    }
    std::string ext(name.substr(dot + 1));
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

} // namespace

std::string_view mime_type_for(std::string_view path) {
    auto const ext = extension_of(path);
    for (auto const& [e, type] : table) {
        if (e == ext) {
            return type;
        }
    }
    return "application/octet-stream";
}

bool is_active_content(std::string_view path) {
    auto const ext = extension_of(path);
    for (std::string_view active : {"html", "htm", "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "xslt",
                                    "js", "mjs", "swf", "mht", "mhtml"}) {
        if (ext == active) {
            return true;
        }
    }
    return false;
}

bool is_media_path(std::string_view path) {
    auto const type = mime_type_for(path);
    return type.starts_with("video/") || type.starts_with("audio/");
}

} // namespace sluice::http
