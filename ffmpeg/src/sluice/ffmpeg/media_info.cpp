#include <sluice/ffmpeg/media_info.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace sluice::ffmpeg {

namespace {

using json = nlohmann::json;

// A language or title is shown to people and sent over the wire: printable, and short.
constexpr std::size_t max_label = 200;

std::string label(json const& tags, char const* key) {
    if (!tags.is_object()) {
        return {};
    }
    auto const it = tags.find(key);
    if (it == tags.end() || !it->is_string()) {
        return {};
    }
    std::string out;
    for (char c : it->get_ref<std::string const&>()) {
        if (out.size() >= max_label) {
            break;
        }
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) {
            out.push_back(c);
        }
    }
    return out;
}

std::string text(json const& object, char const* key) {
    auto const it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>().substr(0, max_label)
                                                 : std::string();
}

// ffprobe writes some numbers as numbers and others ("duration", "sample_rate") as strings.
std::optional<double> number(json const& object, char const* key) {
    auto const it = object.find(key);
    if (it == object.end()) {
        return std::nullopt;
    }
    if (it->is_number()) {
        return it->get<double>();
    }
    if (it->is_string()) {
        auto const& s = it->get_ref<std::string const&>();
        double value = 0;
        auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
        if (ec == std::errc() && end == s.data() + s.size()) {
            return value;
        }
    }
    return std::nullopt;
}

int bounded_int(json const& object, char const* key, int max) {
    auto const value = number(object, key);
    if (!value || !std::isfinite(*value) || *value < 0 || *value > max) {
        return 0;
    }
    return static_cast<int>(*value);
}

bool disposition(json const& stream, char const* key) {
    auto const d = stream.find("disposition");
    return d != stream.end() && d->is_object() && d->contains(key) && (*d)[key] == 1;
}

bool webm_codecs(media_info const& info) {
    auto const in = [](std::string const& codec, std::initializer_list<char const*> codecs) {
        return std::any_of(codecs.begin(), codecs.end(), [&](char const* c) { return codec == c; });
    };
    if (info.video && !in(info.video->codec, {"vp8", "vp9", "av1"})) {
        return false;
    }
    return std::all_of(info.audio.begin(), info.audio.end(),
                       [&](audio_stream const& a) {
                           return in(a.codec, {"opus", "vorbis"});
                       }) &&
           std::all_of(info.subtitles.begin(), info.subtitles.end(),
                       [](subtitle_stream const& s) { return s.codec == "webvtt"; });
}

// ffprobe's format_name lists the demuxer's names ("mov,mp4,m4a,3gp,3g2,mj2"); Matroska and WebM share one
// demuxer, told apart by what the file holds.
std::string container_of(std::string const& format_name, media_info const& info) {
    auto const first = format_name.substr(0, format_name.find(','));
    if (first == "matroska") {
        return webm_codecs(info) ? "webm" : "matroska";
    }
    if (first == "mov") {
        return "mp4";
    }
    static constexpr std::array known{"avi", "mp3", "flac", "ogg", "wav", "mpegts", "srt", "ass", "webvtt"};
    return std::find(known.begin(), known.end(), first) != known.end() ? first : "other";
}

} // namespace

std::vector<std::string> probe_arguments(std::string const& input) {
    return {"-v",
            "error",
            "-hide_banner",
            "-print_format",
            "json=compact=1",
            "-show_entries",
            "format=format_name,duration,start_time:stream=index,codec_type,codec_name,profile,level,width,"
            "height,"
            "channels:"
            "stream_disposition=default,attached_pic:stream_tags=language,title",
            input};
}

bool is_text_subtitle(std::string_view codec) {
    static constexpr std::array text_codecs{"subrip", "srt",  "ass",        "ssa",       "mov_text", "webvtt",
                                            "text",   "sami", "microdvd",   "subviewer", "realtext", "mpl2",
                                            "pjs",    "stl",  "subviewer1", "vplayer",   "jacosub"};
    return std::find(text_codecs.begin(), text_codecs.end(), codec) != text_codecs.end();
}

std::optional<media_info> read_probe(std::string_view text_in, std::string& error) {
    auto parsed = protocol::parse_untrusted_json(text_in, {.max_depth = 8, .max_values = 20000});
    if (!parsed || !parsed.value.is_object()) {
        error = "ffprobe's answer is not JSON: " + parsed.detail;
        return std::nullopt;
    }
    auto const& root = parsed.value;
    auto const streams = root.find("streams");
    auto const format = root.find("format");
    if (streams == root.end() || !streams->is_array() || format == root.end() || !format->is_object()) {
        error = "ffprobe found no streams";
        return std::nullopt;
    }
    media_info info;
    for (auto const& s : *streams) {
        if (!s.is_object()) {
            continue;
        }
        auto const type = text(s, "codec_type");
        auto const index = bounded_int(s, "index", 10000);
        if (type == "video" && !info.video && !disposition(s, "attached_pic")) {
            info.video = video_stream{index,
                                      text(s, "codec_name"),
                                      text(s, "profile"),
                                      bounded_int(s, "level", 1000),
                                      bounded_int(s, "width", 65535),
                                      bounded_int(s, "height", 65535)};
        } else if (type == "audio" && info.audio.size() < 64) {
            auto const tags = s.value("tags", json::object());
            info.audio.push_back({index, static_cast<int>(info.audio.size()), text(s, "codec_name"),
                                  text(s, "profile"), bounded_int(s, "channels", 64), label(tags, "language"),
                                  label(tags, "title"), disposition(s, "default")});
        } else if (type == "subtitle" && info.subtitles.size() < 64) {
            auto const tags = s.value("tags", json::object());
            auto const codec = text(s, "codec_name");
            info.subtitles.push_back({index, static_cast<int>(info.subtitles.size()), codec,
                                      label(tags, "language"), label(tags, "title"),
                                      is_text_subtitle(codec)});
        }
    }
    if (!info.video && info.audio.empty() && info.subtitles.empty()) {
        error = "ffprobe found no audio, video or subtitle stream";
        return std::nullopt;
    }
    if (auto const d = number(*format, "duration"); d && std::isfinite(*d) && *d > 0 && *d < 1e7) {
        info.duration = *d;
    }
    if (auto const start = number(*format, "start_time");
        start && std::isfinite(*start) && std::abs(*start) < 1e7) {
        info.start_time = *start;
    }
    info.container = container_of(text(*format, "format_name"), info);
    return info;
}

std::vector<std::string> keyframe_arguments(std::string const& input, media_info const& info, int index,
                                            double seconds) {
    std::array<char, 48> interval{};
    std::snprintf(interval.data(), interval.size(), "%.6f%%+#16", seconds + info.start_time);
    return {"-v",
            "error",
            "-hide_banner",
            "-select_streams",
            std::to_string(index),
            "-read_intervals",
            interval.data(),
            "-show_entries",
            "packet=pts_time,flags",
            "-of",
            "csv=p=0",
            input};
}

std::optional<double> read_keyframe(std::string_view csv, media_info const& info) {
    while (!csv.empty()) {
        auto const end = csv.find('\n');
        auto const line = csv.substr(0, end);
        csv = end == std::string_view::npos ? std::string_view{} : csv.substr(end + 1);
        auto const comma = line.find(',');
        if (comma == std::string_view::npos || line.find('K', comma) == std::string_view::npos) {
            continue;
        }
        double at = 0;
        auto const [stop, ec] = std::from_chars(line.data(), line.data() + comma, at);
        if (ec == std::errc() && stop == line.data() + comma && std::isfinite(at)) {
            return std::max(0.0, at - info.start_time);
        }
    }
    return std::nullopt;
}

int default_audio_track(media_info const& info) {
    if (info.audio.empty()) {
        return -1;
    }
    auto const marked = std::find_if(info.audio.begin(), info.audio.end(),
                                     [](audio_stream const& a) { return a.is_default; });
    return marked == info.audio.end() ? 0 : marked->track;
}

} // namespace sluice::ffmpeg
