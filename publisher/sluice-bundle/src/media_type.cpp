#include "media_type.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace sluice::publisher {

namespace {

// What creators put in bundles: video, audio, subtitles, images, documents, archives.
constexpr std::array<std::pair<std::string_view, std::string_view>, 34> table{{
    {"webm", "video/webm"},
    {"mp4", "video/mp4"},
    {"m4v", "video/mp4"},
    {"mkv", "video/x-matroska"},
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
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"png", "image/png"},
    {"webp", "image/webp"},
    {"gif", "image/gif"},
    {"avif", "image/avif"},
    {"pdf", "application/pdf"},
    {"epub", "application/epub+zip"},
    {"cbz", "application/vnd.comicbook+zip"},
    {"zip", "application/zip"},
    {"json", "application/json"},
    {"stl", "model/stl"},
    {"glb", "model/gltf-binary"},
    {"tar", "application/x-tar"},
}};

} // namespace

std::optional<std::string> media_type_for(std::string_view file_name) {
    auto const slash = file_name.rfind('/');
    if (slash != std::string_view::npos) {
        file_name.remove_prefix(slash + 1);
    }
    auto const dot = file_name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) {
        return std::nullopt;
    }
    std::string extension(file_name.substr(dot + 1));
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (auto const& [ext, type] : table) {
        if (ext == extension) {
            return std::string(type);
        }
    }
    return std::nullopt;
}

} // namespace sluice::publisher
