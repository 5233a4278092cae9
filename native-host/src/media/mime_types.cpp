#include "media/mime_types.hpp"

#include <sluice/protocol/media_types.hpp>

namespace sluice::media {

std::string_view mime_type_for(std::string_view path) {
    return protocol::media_type_by_extension(path).value_or("application/octet-stream");
}

bool is_active_content(std::string_view path) {
    auto const ext = protocol::file_extension(path);
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

} // namespace sluice::media
