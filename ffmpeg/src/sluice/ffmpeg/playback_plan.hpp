#pragma once

#include <sluice/ffmpeg/media_info.hpp>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::ffmpeg {

enum class stream_action { none, copy, convert };

// How a file reaches a browser: as it is, or through ffmpeg into fragmented MP4 with each stream copied
// when the browser decodes it there and converted (H.264, AAC) only when it does not.
struct playback_plan {
    enum class mode { direct, remux, transcode };
    mode how = mode::direct;
    stream_action video = stream_action::none;
    stream_action audio = stream_action::none;
    int audio_track = -1; // -1: no audio

    bool operator==(playback_plan const&) const = default;
};

char const* mode_name(playback_plan::mode how);
char const* action_name(stream_action action); // "none", "copy", "transcode"

// The plan for a browser that said yes to `playable` (questions_for's strings); `audio_track` nullopt
// plays the default track. nullopt, with `why_not` set, when the file has nothing to play or the track
// does not exist.
std::optional<playback_plan> plan_playback(media_info const& info,
                                           std::set<std::string, std::less<>> const& playable,
                                           std::optional<int> audio_track, std::string& why_not);

// A converted plan as a URL segment ("copy-convert-1") and back; the segment is checked strictly, and
// against the file (a stream it names must exist; a copy must be of a codec MP4 can carry).
std::string plan_segment(playback_plan const& plan);
std::optional<playback_plan> read_plan_segment(std::string_view segment, media_info const& info);

// Where a conversion goes: fragmented MP4 on ffmpeg's stdout as it plays (a fast preset), or an MP4 file with
// its index first, made once for publishing (a slower preset, better pictures for the bits).
struct conversion_output {
    enum class kind { stream, file };
    kind what = kind::stream;
    std::string path = "pipe:1";
};

// ffmpeg's arguments to play `input` from `start_seconds` as `plan` says.
std::vector<std::string> conversion_arguments(media_info const& info, playback_plan const& plan,
                                              std::string const& input, double start_seconds,
                                              conversion_output const& output = {});

// ffmpeg's arguments to write subtitle track `track` of `input` (its position among the subtitle streams:
// a sidecar file's only track is 0) as WebVTT on its stdout.
std::vector<std::string> subtitle_arguments(std::string const& input, int track);

// Whether a conversion started at a time really starts at the keyframe the seek lands on (copied pictures
// cannot begin between keyframes, and the sound follows them), rather than at that time (the pictures
// converted, and the sound with them: conversion_arguments converts it from a time even when the plan copies
// it).
bool starts_at_keyframe(media_info const& info, playback_plan const& plan);

// The type a converted stream is served as.
std::string converted_type(playback_plan const& plan);

} // namespace sluice::ffmpeg
