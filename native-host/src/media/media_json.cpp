#include "media/media_json.hpp"

#include <sluice/ffmpeg/codec_strings.hpp>

namespace sluice::media {

nlohmann::json media_json(ffmpeg::media_info const& info,
                          std::function<std::string(int track)> const& subtitle_url) {
    using json = nlohmann::json;
    json out{{"container", info.container},
             {"duration", info.duration ? json(*info.duration) : json(nullptr)},
             {"video", nullptr},
             {"audio", json::array()},
             {"subtitles", json::array()}};
    if (info.video) {
        out["video"] = {{"codec", info.video->codec},
                        {"codecString", ffmpeg::codec_string(*info.video)},
                        {"width", info.video->width},
                        {"height", info.video->height}};
    }
    for (auto const& a : info.audio) {
        out["audio"].push_back({{"track", a.track},
                                {"codec", a.codec},
                                {"codecString", ffmpeg::codec_string(a, info.container == "mp4")},
                                {"channels", a.channels},
                                {"language", a.language},
                                {"title", a.title},
                                {"default", a.track == ffmpeg::default_audio_track(info)}});
    }
    for (auto const& s : info.subtitles) {
        json track{{"track", s.track},
                   {"codec", s.codec},
                   {"language", s.language},
                   {"title", s.title},
                   {"text", s.text}};
        if (s.text) {
            track["url"] = subtitle_url(s.track);
        }
        out["subtitles"].push_back(std::move(track));
    }
    return out;
}

} // namespace sluice::media
