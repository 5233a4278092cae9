#pragma once

#include <sluice/ffmpeg/media_info.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace sluice::media {

// A probed file as torrent.files and media.probe show it (protocol/schema/native-messaging.json, "media"):
// each text subtitle track with the URL that serves it as WebVTT.
nlohmann::json media_json(ffmpeg::media_info const& info,
                          std::function<std::string(int track)> const& subtitle_url);

} // namespace sluice::media
