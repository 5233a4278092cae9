#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::protocol {

// What a subtitle track written by a viewer must be before a gate keeps it and a host shows it: WebVTT as its
// specification writes it (https://www.w3.org/TR/webvtt1/), and nothing more. Text only: STYLE blocks (CSS)
// and REGION blocks are refused, cue text may hold only WebVTT's own tags (c, i, b, u, v, lang, ruby, rt and
// timestamps) and character references, so that nothing in a track can run or load anything in a page. Never
// throws, whatever the bytes.

inline constexpr std::size_t max_webvtt_bytes = 512 * 1024;
inline constexpr std::size_t max_webvtt_cues = 10'000;
// The longest line of cue text: far beyond what anyone can read, well short of hiding a payload.
inline constexpr std::size_t max_webvtt_line = 500;

struct webvtt_problem {
    std::size_t line = 0; // 1-based; 0 for the track as a whole
    std::string text;     // for a person: what is wrong there

    // "the track is not strict WebVTT: line 4: <script> is not a WebVTT tag", as every side says it.
    std::string describe() const {
        return "the track is not strict WebVTT: " +
               (line == 0 ? std::string() : "line " + std::to_string(line) + ": ") + text;
    }
};

struct webvtt_summary {
    std::size_t cues = 0;
    std::uint64_t last_end_ms = 0; // where the last cue ends
};

// Nothing when `text` is such a track (and `summary`, when given, says what it holds); else the first
// problem.
std::optional<webvtt_problem> check_webvtt(std::string_view text, webvtt_summary* summary = nullptr);

} // namespace sluice::protocol
