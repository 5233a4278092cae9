#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::ffmpeg {

// What ffprobe found in a media file: the streams a player cares about, in the file's order. Positions
// (`track`) count within a kind (the second audio stream is audio track 1); `index` is the stream's index
// in the file, which ffmpeg's -map takes.
struct video_stream {
    int index = 0;
    std::string codec; // ffmpeg's codec name: h264, hevc, vp9, av1, mpeg4...
    std::string profile;
    int level = 0;
    int width = 0;
    int height = 0;
};

struct audio_stream {
    int index = 0;
    int track = 0;
    std::string codec;
    std::string profile;
    int channels = 0;
    std::string language;
    std::string title;
    bool is_default = false;
};

struct subtitle_stream {
    int index = 0;
    int track = 0;
    std::string codec;
    std::string language;
    std::string title;
    bool text = false; // false: a bitmap format (PGS, VobSub, DVB) that cannot become WebVTT
};

struct media_info {
    // matroska, webm, mp4, avi, mp3, flac, ogg, wav, mpegts, srt, ass, webvtt, other
    std::string container;
    std::optional<double> duration;
    // Where the file's timestamps begin (ffmpeg's -ss counts from here; packet times do not).
    double start_time = 0;
    std::optional<video_stream> video; // the first video stream that is a picture, not a cover image
    std::vector<audio_stream> audio;
    std::vector<subtitle_stream> subtitles;
};

// ffprobe's arguments for `input` (a URL or path): format and streams as JSON, only the fields read here,
// so its answer stays small whatever the file holds.
std::vector<std::string> probe_arguments(std::string const& input);

// Reads ffprobe's JSON answer, which is as untrusted as the file it describes. nullopt, with `error` set,
// when it is not JSON of that shape or names no stream at all.
std::optional<media_info> read_probe(std::string_view json, std::string& error);

// The audio track played when none is chosen: the one marked default, else the first; -1 without audio.
int default_audio_track(media_info const& info);

// ffprobe's arguments for the first packets of stream `index` from where a seek to `seconds` (from the start
// of the file) lands: the keyframe there is where a conversion that copies a stream really starts.
std::vector<std::string> keyframe_arguments(std::string const& input, media_info const& info, int index,
                                            double seconds);
// The time (from the start of the file) of the first keyframe in that answer; nullopt when it names none.
std::optional<double> read_keyframe(std::string_view csv, media_info const& info);

// Whether ffmpeg can turn a subtitle codec into WebVTT text.
bool is_text_subtitle(std::string_view codec);

} // namespace sluice::ffmpeg
