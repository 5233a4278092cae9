#pragma once

#include <optional>
#include <string_view>

namespace sluice::media {

// A media file's duration in seconds, read from the container's own index when the bytes given hold it:
// Matroska/WebM (Segment > Info > Duration, scaled by TimecodeScale) in the first bytes of the file, or MP4
// (moov > mvhd) in the first bytes or, for files written without "faststart", in the last ones. nullopt when
// the bytes hold no such index, or one that makes no sense (zero, negative, NaN, over a week).
//
// The bytes come from a torrent nobody vouches for: every length is checked against what is there, and
// nothing is read past it.
std::optional<double> media_duration_seconds(std::string_view head, std::string_view tail = {});

} // namespace sluice::media
