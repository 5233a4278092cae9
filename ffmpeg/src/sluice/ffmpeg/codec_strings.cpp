#include <sluice/ffmpeg/codec_strings.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

namespace sluice::ffmpeg {

namespace {

std::string hex_byte(int value) {
    std::array<char, 3> out{};
    std::snprintf(out.data(), out.size(), "%02X", value & 0xFF);
    return out.data();
}

// avc1.PPCCLL: profile_idc, the constraint flags, level_idc (ISO/IEC 14496-15).
std::string avc(video_stream const& v) {
    static constexpr std::array<std::pair<char const*, std::pair<int, int>>, 8> profiles{{
        {"Constrained Baseline", {0x42, 0xC0}},
        {"Baseline", {0x42, 0x00}},
        {"Main", {0x4D, 0x40}},
        {"Extended", {0x58, 0x00}},
        {"High", {0x64, 0x00}},
        {"High 10", {0x6E, 0x00}},
        {"High 4:2:2", {0x7A, 0x00}},
        {"High 4:4:4 Predictive", {0xF4, 0x00}},
    }};
    auto profile = std::pair{0x64, 0x00};
    for (auto const& [name, ids] : profiles) {
        if (v.profile == name) {
            profile = ids;
        }
    }
    return "avc1." + hex_byte(profile.first) + hex_byte(profile.second) +
           hex_byte(v.level > 0 ? v.level : 0x1F);
}

// hvc1.<profile>.<compatibility>.L<level>.B0 (ISO/IEC 14496-15 annex E); ffprobe's level is already 30 x.
std::string hevc(video_stream const& v) {
    auto const main10 = v.profile == "Main 10";
    return std::string("hvc1.") + (main10 ? "2.4" : "1.6") + ".L" +
           std::to_string(v.level > 0 ? v.level : 93) + ".B0";
}

} // namespace

std::string codec_string(video_stream const& v) {
    if (v.codec == "h264") {
        return avc(v);
    }
    if (v.codec == "hevc") {
        return hevc(v);
    }
    if (v.codec == "vp9") {
        return v.profile == "Profile 2" ? "vp09.02.10.10" : "vp09.00.10.08";
    }
    if (v.codec == "av1") {
        return v.profile == "High" ? "av01.1.04M.08" : "av01.0.04M.08";
    }
    if (v.codec == "vp8" || v.codec == "theora") {
        return v.codec;
    }
    if (v.codec == "mpeg4") {
        return "mp4v.20.9";
    }
    return {};
}

std::string codec_string(audio_stream const& a, bool in_mp4) {
    if (a.codec == "aac") {
        if (a.profile == "HE-AAC") {
            return "mp4a.40.5";
        }
        return a.profile == "HE-AACv2" ? "mp4a.40.29" : "mp4a.40.2";
    }
    if (a.codec == "mp3") {
        return in_mp4 ? "mp4a.6B" : "mp3";
    }
    static constexpr std::array<std::pair<char const*, char const*>, 7> names{{
        {"ac3", "ac-3"},
        {"eac3", "ec-3"},
        {"opus", "opus"},
        {"vorbis", "vorbis"},
        {"flac", "flac"},
        {"dts", "dtsc"},
        {"truehd", "mlpa"},
    }};
    for (auto const& [codec, name] : names) {
        if (a.codec == codec) {
            return name;
        }
    }
    return {};
}

std::vector<std::string> browser_questions::all() const {
    std::vector<std::string> out;
    for (auto const* q : {&as_is, &video_in_mp4}) {
        if (!q->empty()) {
            out.push_back(*q);
        }
    }
    for (auto const& q : audio_in_mp4) {
        if (!q.empty()) {
            out.push_back(q);
        }
    }
    return out;
}

namespace {

// The type of the file as it is, with the codecs of its video and default audio track when its type takes
// them; "" when browsers have no type for the container, or a stream has no codec string.
std::string as_is_question(media_info const& info) {
    auto const video = info.video.has_value();
    auto const kind = std::string(video ? "video/" : "audio/");
    // Types that name one codec by themselves.
    if (info.container == "mp3" || info.container == "flac" || info.container == "wav") {
        return video ? std::string()
                     : "audio/" + std::string(info.container == "mp3" ? "mpeg" : info.container);
    }
    std::string type;
    if (info.container == "webm") {
        type = kind + "webm";
    } else if (info.container == "matroska") {
        type = kind + "x-matroska";
    } else if (info.container == "mp4") {
        type = kind + "mp4";
    } else if (info.container == "ogg") {
        type = kind + "ogg";
    } else if (info.container == "avi") {
        type = "video/x-msvideo";
    } else if (info.container == "mpegts") {
        type = "video/mp2t";
    } else {
        return {};
    }
    std::vector<std::string> codecs;
    if (info.video) {
        codecs.push_back(codec_string(*info.video));
    }
    if (auto const track = default_audio_track(info); track >= 0) {
        codecs.push_back(codec_string(info.audio[static_cast<std::size_t>(track)], info.container == "mp4"));
    }
    std::string list;
    for (auto const& c : codecs) {
        if (c.empty()) {
            return {};
        }
        list += (list.empty() ? "" : ", ") + c;
    }
    return list.empty() ? type : type + "; codecs=\"" + list + "\"";
}

} // namespace

browser_questions questions_for(media_info const& info) {
    browser_questions q;
    q.as_is = as_is_question(info);
    if (info.video) {
        if (auto const c = codec_string(*info.video); !c.empty()) {
            q.video_in_mp4 = "video/mp4; codecs=\"" + c + "\"";
        }
    }
    for (auto const& a : info.audio) {
        auto const c = codec_string(a, true);
        q.audio_in_mp4.push_back(c.empty() ? std::string() : "audio/mp4; codecs=\"" + c + "\"");
    }
    return q;
}

bool plays_in_every_browser(std::string const& question) {
    static constexpr std::array types{"video/mp4", "audio/mp4",  "video/webm", "audio/webm", "video/ogg",
                                      "audio/ogg", "audio/mpeg", "audio/flac", "audio/wav"};
    auto const semicolon = question.find(';');
    auto const type = question.substr(0, semicolon);
    if (std::find(types.begin(), types.end(), type) == types.end()) {
        return false;
    }
    auto const open = question.find('"');
    if (semicolon == std::string::npos || open == std::string::npos) {
        return true; // a type that names its one codec
    }
    auto codecs = question.substr(open + 1, question.rfind('"') - open - 1);
    static constexpr std::array prefixes{"avc1.",   "vp8", "vp09.", "av01.",  "mp4a.40.",
                                         "mp4a.6B", "mp3", "opus",  "vorbis", "flac"};
    std::size_t start = 0;
    while (start <= codecs.size()) {
        auto end = codecs.find(',', start);
        auto codec = codecs.substr(start, end == std::string::npos ? std::string::npos : end - start);
        codec.erase(0, codec.find_first_not_of(' '));
        if (std::none_of(prefixes.begin(), prefixes.end(),
                         [&](char const* p) { return codec.starts_with(p); })) {
            return false;
        }
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    return true;
}

} // namespace sluice::ffmpeg
