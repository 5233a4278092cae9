// A player on loopback: one GET read no faster than a video's bitrate, with the stalls a viewer would see.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace sluice::bench {

struct paced_request {
    std::uint16_t port = 0;
    std::string target = "/";
    std::optional<std::uint64_t> range_from{};
    double bytes_per_second = 4e6; // the video's bitrate
    // How long to play; the read ends then (or at the end of the body).
    std::chrono::milliseconds play_for = std::chrono::seconds(10);
    // A player reads ahead of what it shows, up to this much of the video, and then waits.
    std::chrono::milliseconds buffer_ahead = std::chrono::seconds(10);
    // Playback (re)starts once this much is buffered, as players do after a stall.
    std::chrono::milliseconds resume_after = std::chrono::milliseconds(500);
    std::chrono::seconds give_up = std::chrono::seconds(60); // no first byte by then: an error
};

struct paced_result {
    int status = 0;
    std::chrono::steady_clock::time_point sent;
    std::chrono::steady_clock::time_point first_byte;
    std::uint64_t body_bytes = 0;
    std::string head; // the body's first bytes, for checking
    // Playback starts with the first byte. A stall is a time the playhead caught up with the bytes received
    // and the picture stopped, until `resume_after` of video was there again.
    int stalls = 0;
    double stalled_seconds = 0;
    double played_seconds = 0;
};

// Sends the GET and plays it: reads as bytes arrive but never more than `buffer_ahead` past the playhead,
// advancing the playhead at the bitrate while there are bytes under it. A status other than 200/206 ends it
// at the head; a connection refused or closed before the head is a bench_error.
paced_result paced_get(paced_request const& req);

} // namespace sluice::bench
