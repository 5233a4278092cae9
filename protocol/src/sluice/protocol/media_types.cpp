#include "media_types.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace sluice::protocol {

namespace {

// What creators put in bundles and torrents carry: video, audio, subtitles, images, documents, archives,
// and the web formats the stream server must recognise to serve them only as downloads.
constexpr std::array<std::pair<std::string_view, std::string_view>, 44> table{{
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
    {"md", "text/markdown"},
    {"json", "application/json"},
    {"pdf", "application/pdf"},
    {"epub", "application/epub+zip"},
    {"cbz", "application/vnd.comicbook+zip"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"png", "image/png"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"zip", "application/zip"},
    {"tar", "application/x-tar"},
    {"stl", "model/stl"},
    {"glb", "model/gltf-binary"},
    {"html", "text/html"},
    {"htm", "text/html"},
    {"xhtml", "application/xhtml+xml"},
    {"svg", "image/svg+xml"},
    {"xml", "application/xml"},
    {"js", "text/javascript"},
    {"css", "text/css"},
    {"ico", "image/vnd.microsoft.icon"},
    {"bmp", "image/bmp"},
    {"csv", "text/csv"},
}};

} // namespace

std::string file_extension(std::string_view path) {
    auto const slash = path.find_last_of('/');
    auto const name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    auto const dot = name.find_last_of('.');
    if (dot == std::string_view::npos || dot == 0) {
        return {};
    }
    std::string ext(name.substr(dot + 1));
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

std::optional<std::string_view> media_type_by_extension(std::string_view path) {
    auto const ext = file_extension(path);
    for (auto const& [e, type] : table) {
        if (e == ext) {
            return type;
        }
    }
    return std::nullopt;
}

} // namespace sluice::protocol
