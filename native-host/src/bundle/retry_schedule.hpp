#pragma once

#include <chrono>
#include <map>
#include <string>

namespace sluice::bundle {

// When each kept pledge or payment (by its key) may next be sent or asked about. After a success, the wait
// the caller names; after each failure in a row, the poll interval doubled (2×, 4×, … up to 1024×), never
// more than `max_wait`: a gate that is down is not hammered, and one that comes back is soon asked again.
// Nothing here reads a clock: every call is given the time, so the schedule is tested without waiting.
class retry_schedule {
public:
    using clock = std::chrono::steady_clock;

    static constexpr std::chrono::seconds default_max_wait{15 * 60};

    explicit retry_schedule(std::chrono::seconds poll_interval,
                            std::chrono::seconds max_wait = default_max_wait)
        : poll_interval_(poll_interval), max_wait_(max_wait) {}

    // Whether `key` may be sent or asked about at `now`: one never seen is due at once.
    bool due(std::string const& key, clock::time_point now) const;
    void succeeded(std::string const& key, std::chrono::seconds next, clock::time_point now);
    void failed(std::string const& key, clock::time_point now);

    // Failures in a row since the last success (counted up to 16).
    int failures(std::string const& key) const;
    // The wait after `failures` failures in a row.
    std::chrono::seconds wait_after(int failures) const;

    std::chrono::seconds poll_interval() const { return poll_interval_; }

private:
    struct entry {
        clock::time_point next{};
        int failures = 0;
    };
    std::chrono::seconds poll_interval_;
    std::chrono::seconds max_wait_;
    std::map<std::string, entry> entries_;
};

} // namespace sluice::bundle
