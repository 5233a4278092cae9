#pragma once

#include <filesystem>
#include <optional>

namespace sluice::ffmpeg {

// Where ffmpeg and ffprobe are: the folder SLUICE_FFMPEG_DIR names when it is set (a packaged or newer
// build), else the PATH the program was started with, else /usr/bin. nullopt when either is missing.
struct tool_paths {
    std::filesystem::path ffmpeg;
    std::filesystem::path ffprobe;
};

std::optional<tool_paths> find_tools();

} // namespace sluice::ffmpeg
