#pragma once

#include <string>
#include <string_view>

namespace sluice::media {

// The media type for a file name, from its extension; application/octet-stream when unknown.
std::string_view mime_type_for(std::string_view path);

// Files a browser could run as a page or script (HTML, SVG, XML and their kin): served only as downloads
// (Content-Disposition: attachment) so a torrent cannot put active content on our origin.
bool is_active_content(std::string_view path);

// Video and audio that players open by reading the container's index at the head or the tail.
bool is_media_path(std::string_view path);

} // namespace sluice::media
