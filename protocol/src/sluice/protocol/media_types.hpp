#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::protocol {

// The lower-cased extension of a path's last segment ("Film.WEBM" -> "webm"); empty when there is none or
// the name is only an extension (".webm").
std::string file_extension(std::string_view path);

// The media type of a file from its extension, the one table the publisher's tool (for items whose spec
// names none) and the host's stream server (for Content-Type and torrent.files) share; nullopt when the
// table does not know the extension.
std::optional<std::string_view> media_type_by_extension(std::string_view path);

} // namespace sluice::protocol
