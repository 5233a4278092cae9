#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace sluice::publisher {

enum class progress_mode {
    off,   // --quiet, or stderr is not a terminal and --progress was not given
    tty,   // one line redrawn in place
    lines, // --progress into a file or pipe: one line per report, at most one a second
};

// --quiet wins; --progress forces reports; otherwise only a terminal gets them.
progress_mode choose_progress_mode(bool quiet, bool forced);

// Bytes done out of a known total, with the rate, on stderr. Reports are throttled (a few a second on a
// terminal) so that printing never costs the work it reports on. Not thread-safe: one thread advances it.
class progress_meter {
public:
    progress_meter(progress_mode mode, std::string label, std::uint64_t total, std::FILE* out = stderr);
    progress_meter(progress_meter const&) = delete;
    progress_meter& operator=(progress_meter const&) = delete;
    ~progress_meter();

    void advance(std::uint64_t bytes);
    // More work than announced (a file that must be written again).
    void add_to_total(std::uint64_t bytes) { total_ += bytes; }
    // The closing report, with the time taken and the average rate.
    void finish();
    std::uint64_t done() const { return done_; }

private:
    void report(bool final);

    progress_mode mode_;
    std::string label_;
    std::uint64_t total_;
    std::uint64_t done_ = 0;
    std::FILE* out_;
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point last_report_;
    bool finished_ = false;
};

// 1536 -> "1.5 KiB"; sizes are binary, rates decimal (MB/s), as file managers and download tools show them.
std::string human_size(std::uint64_t bytes);

} // namespace sluice::publisher
