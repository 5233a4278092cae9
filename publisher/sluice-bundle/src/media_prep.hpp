#pragma once

#include "common/result.hpp"

#include <sluice/ffmpeg/media_info.hpp>
#include <sluice/ffmpeg/playback_plan.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace sluice::publisher {

namespace fs = std::filesystem;

// What browsers make of a media item as it is (ffprobe, in a child, reads it): whether every browser plays
// it, and if not, how it would be converted for all of them (copying what MP4 carries and they decode).
struct media_verdict {
    bool plays_everywhere = true;
    std::string what; // "matroska: h264 video, ac3 audio"
    ffmpeg::media_info info;
    ffmpeg::playback_plan plan;
};

// nullopt, with `why` set, when the file is not media ffprobe can read, or ffprobe is not installed.
std::optional<media_verdict> judge_media(fs::path const& file, std::string& why);

// Converts `source` once into an MP4 (index first) at `target`, as the verdict's plan says.
status prepare_media(fs::path const& source, media_verdict const& verdict, fs::path const& target);

} // namespace sluice::publisher
