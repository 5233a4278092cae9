#include <sluice/ffmpeg/codec_strings.hpp>
#include <sluice/ffmpeg/playback_plan.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

namespace sluice::ffmpeg {

namespace {

// What ffmpeg's MP4 muxer carries without an experimental flag, and browsers decode in MP4 when they say so.
bool mp4_carries_video(std::string_view codec) {
    return codec == "h264" || codec == "hevc" || codec == "av1" || codec == "vp9";
}

bool mp4_carries_audio(std::string_view codec) {
    return codec == "aac" || codec == "mp3" || codec == "opus" || codec == "ac3" || codec == "eac3";
}

bool said_yes(std::set<std::string, std::less<>> const& playable, std::string const& question) {
    return !question.empty() && playable.count(question) != 0;
}

std::optional<stream_action> action_of(std::string_view name) {
    if (name == "none") {
        return stream_action::none;
    }
    if (name == "copy") {
        return stream_action::copy;
    }
    if (name == "convert") {
        return stream_action::convert;
    }
    return std::nullopt;
}

char const* segment_name(stream_action action) {
    switch (action) {
    case stream_action::copy:
        return "copy";
    case stream_action::convert:
        return "convert";
    case stream_action::none:
        break;
    }
    return "none";
}

playback_plan::mode mode_of(stream_action video, stream_action audio) {
    return video == stream_action::convert || audio == stream_action::convert ? playback_plan::mode::transcode
                                                                              : playback_plan::mode::remux;
}

std::string seconds_text(double seconds) {
    std::array<char, 32> out{};
    std::snprintf(out.data(), out.size(), "%.6f", seconds);
    return out.data();
}

} // namespace

char const* mode_name(playback_plan::mode how) {
    switch (how) {
    case playback_plan::mode::remux:
        return "remux";
    case playback_plan::mode::transcode:
        return "transcode";
    case playback_plan::mode::direct:
        break;
    }
    return "direct";
}

char const* action_name(stream_action action) {
    return action == stream_action::convert ? "transcode" : segment_name(action);
}

std::optional<playback_plan> plan_playback(media_info const& info,
                                           std::set<std::string, std::less<>> const& playable,
                                           std::optional<int> audio_track, std::string& why_not) {
    if (!info.video && info.audio.empty()) {
        why_not = "the file has no audio or video stream";
        return std::nullopt;
    }
    auto const fallback = default_audio_track(info);
    if (audio_track && (*audio_track < 0 || *audio_track >= static_cast<int>(info.audio.size()))) {
        why_not = "the file has no audio track " + std::to_string(*audio_track);
        return std::nullopt;
    }
    playback_plan plan;
    plan.audio_track = audio_track.value_or(fallback);
    auto const questions = questions_for(info);
    // Another track than the default is never what a player picks from the file itself.
    if (plan.audio_track == fallback && said_yes(playable, questions.as_is)) {
        plan.how = playback_plan::mode::direct;
        plan.video = info.video ? stream_action::copy : stream_action::none;
        plan.audio = plan.audio_track >= 0 ? stream_action::copy : stream_action::none;
        return plan;
    }
    if (info.video) {
        plan.video = mp4_carries_video(info.video->codec) && said_yes(playable, questions.video_in_mp4)
                         ? stream_action::copy
                         : stream_action::convert;
    }
    if (plan.audio_track >= 0) {
        auto const t = static_cast<std::size_t>(plan.audio_track);
        plan.audio = mp4_carries_audio(info.audio[t].codec) && said_yes(playable, questions.audio_in_mp4[t])
                         ? stream_action::copy
                         : stream_action::convert;
    }
    plan.how = mode_of(plan.video, plan.audio);
    return plan;
}

std::string plan_segment(playback_plan const& plan) {
    return std::string(segment_name(plan.video)) + "-" + segment_name(plan.audio) + "-" +
           std::to_string(plan.audio_track);
}

std::optional<playback_plan> read_plan_segment(std::string_view segment, media_info const& info) {
    auto const first = segment.find('-');
    auto const second = first == std::string_view::npos ? first : segment.find('-', first + 1);
    if (second == std::string_view::npos) {
        return std::nullopt;
    }
    auto const video = action_of(segment.substr(0, first));
    auto const audio = action_of(segment.substr(first + 1, second - first - 1));
    auto const track_text = segment.substr(second + 1);
    int track = 0;
    auto const [end, ec] = std::from_chars(track_text.data(), track_text.data() + track_text.size(), track);
    if (!video || !audio || ec != std::errc() || end != track_text.data() + track_text.size() ||
        track_text.size() > 3 || (track_text.size() > 1 && track_text[0] == '0')) {
        return std::nullopt;
    }
    // What the segment names must be in the file, and a copy must be one MP4 carries.
    if ((*video != stream_action::none) != info.video.has_value() ||
        (*video == stream_action::copy && !mp4_carries_video(info.video->codec))) {
        return std::nullopt;
    }
    auto const has_audio = *audio != stream_action::none;
    if (has_audio != (track >= 0 && !info.audio.empty()) ||
        (has_audio && track >= static_cast<int>(info.audio.size())) ||
        (*audio == stream_action::copy &&
         !mp4_carries_audio(info.audio[static_cast<std::size_t>(track)].codec))) {
        return std::nullopt;
    }
    if (*video == stream_action::none && !has_audio) {
        return std::nullopt;
    }
    playback_plan plan{mode_of(*video, *audio), *video, *audio, has_audio ? track : -1};
    return plan;
}

std::vector<std::string> conversion_arguments(media_info const& info, playback_plan const& plan,
                                              std::string const& input, double start_seconds,
                                              conversion_output const& output) {
    bool const live = output.what == conversion_output::kind::stream;
    std::vector<std::string> args{"-nostdin", "-hide_banner", "-loglevel", "error"};
    if (start_seconds > 0) {
        // Before -i: ffmpeg seeks in the input (by the container's index, through Range requests), instead of
        // reading and throwing away everything before that point.
        args.insert(args.end(), {"-ss", seconds_text(start_seconds)});
    }
    args.insert(args.end(), {"-i", input});
    if (plan.video != stream_action::none && info.video) {
        args.insert(args.end(), {"-map", "0:" + std::to_string(info.video->index)});
        if (plan.video == stream_action::copy) {
            args.insert(args.end(), {"-c:v", "copy"});
            if (info.video->codec == "hevc") {
                // Browsers that decode HEVC in MP4 take it tagged hvc1 (parameter sets in the sample entry).
                args.insert(args.end(), {"-tag:v", "hvc1"});
            }
        } else {
            // Live: a fast preset on the machine that plays it. At most 1080 lines, even sizes for 4:2:0.
            args.insert(args.end(),
                        {"-c:v", "libx264", "-preset", live ? "veryfast" : "slow", "-crf", live ? "23" : "20",
                         "-pix_fmt", "yuv420p", "-vf", "scale=-2:'min(1080,ih)'", "-g", "48"});
        }
    }
    if (plan.audio != stream_action::none && plan.audio_track >= 0 &&
        plan.audio_track < static_cast<int>(info.audio.size())) {
        auto const& track = info.audio[static_cast<std::size_t>(plan.audio_track)];
        args.insert(args.end(), {"-map", "0:" + std::to_string(track.index)});
        // From a time, with the picture converted (cut exactly there), the sound is converted too: copied, it
        // would begin where the container's seek landed, before that time, and the stream with it.
        auto const copy_audio =
            plan.audio == stream_action::copy && !(start_seconds > 0 && plan.video == stream_action::convert);
        if (copy_audio) {
            args.insert(args.end(), {"-c:a", "copy"});
        } else {
            // Stereo: ffmpeg's downmix folds the centre and surrounds in at their usual levels (5.1, 7.1).
            args.insert(args.end(), {"-c:a", "aac", "-b:a", "192k", "-ac", "2"});
        }
    }
    args.insert(args.end(), {"-sn", "-dn", "-map_metadata", "-1", "-map_chapters", "-1", "-avoid_negative_ts",
                             "make_zero", "-f", "mp4", "-movflags"});
    if (live) {
        args.insert(args.end(), {"frag_keyframe+empty_moov+default_base_moof", "-frag_duration", "2000000"});
    } else {
        args.insert(args.end(), {"+faststart", "-y"});
    }
    args.push_back(output.path);
    return args;
}

std::vector<std::string> subtitle_arguments(std::string const& input, int track) {
    return {"-nostdin", "-hide_banner", "-loglevel", "error",
            "-i",       input,          "-map",      "0:s:" + std::to_string(track),
            "-c:s",     "webvtt",       "-f",        "webvtt",
            "pipe:1"};
}

bool starts_at_keyframe(media_info const& info, playback_plan const& plan) {
    return info.video && plan.video == stream_action::copy;
}

std::string converted_type(playback_plan const& plan) {
    return plan.video == stream_action::none ? "audio/mp4" : "video/mp4";
}

} // namespace sluice::ffmpeg
