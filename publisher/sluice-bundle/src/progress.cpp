#include "sluice-bundle/progress.hpp"

#include <unistd.h>

namespace sluice::publisher {

namespace {

using clock = std::chrono::steady_clock;

double seconds_between(clock::time_point from, clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

} // namespace

progress_mode choose_progress_mode(bool quiet, bool forced) {
    if (quiet) {
        return progress_mode::off;
    }
    if (::isatty(STDERR_FILENO)) {
        return progress_mode::tty;
    }
    return forced ? progress_mode::lines : progress_mode::off;
}

std::string human_size(std::uint64_t bytes) {
    static constexpr char const* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) {
        return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
    }
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
    return text;
}

progress_meter::progress_meter(progress_mode mode, std::string label, std::uint64_t total, std::FILE* out)
    : mode_(mode), label_(std::move(label)), total_(total), out_(out), started_(clock::now()),
      last_report_(started_) {
    // A first report at once: on a slow start the person sees what is happening, and a script driving the
    // command knows the long part has begun.
    report(false);
}

progress_meter::~progress_meter() {
    if (!finished_ && mode_ == progress_mode::tty) {
        std::fputc('\n', out_); // leave the shell prompt on a line of its own after an error
    }
}

void progress_meter::advance(std::uint64_t bytes) {
    done_ += bytes;
    if (mode_ == progress_mode::off) {
        return;
    }
    auto const now = clock::now();
    auto const interval =
        mode_ == progress_mode::tty ? std::chrono::milliseconds(250) : std::chrono::seconds(1);
    if (now - last_report_ >= interval) {
        last_report_ = now;
        report(false);
    }
}

void progress_meter::finish() {
    if (finished_) {
        return;
    }
    report(true);
    finished_ = true;
}

void progress_meter::report(bool final) {
    if (mode_ == progress_mode::off) {
        return;
    }
    auto const elapsed = seconds_between(started_, clock::now());
    double const rate = elapsed > 0 ? static_cast<double>(done_) / 1e6 / elapsed : 0;
    int const percent = total_ == 0 ? 100 : static_cast<int>(done_ * 100 / total_);
    char line[256];
    if (final) {
        std::snprintf(line, sizeof line, "%s: %s in %.1f s (%.0f MB/s)", label_.c_str(),
                      human_size(done_).c_str(), elapsed, rate);
    } else {
        std::snprintf(line, sizeof line, "%s: %s of %s (%d%%), %.0f MB/s", label_.c_str(),
                      human_size(done_).c_str(), human_size(total_).c_str(), percent, rate);
    }
    if (mode_ == progress_mode::tty) {
        // \r and "erase to end of line": the line is redrawn in place however its length changes.
        std::fprintf(out_, "\r%s\x1b[K%s", line, final ? "\n" : "");
    } else {
        std::fprintf(out_, "%s\n", line);
    }
    std::fflush(out_);
}

} // namespace sluice::publisher
