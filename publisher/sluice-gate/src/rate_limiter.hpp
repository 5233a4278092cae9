#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sluice::gate {

// At most `limit` events per key within any `window` (a sliding window: the times of the recent events are
// kept, so a burst at the edge of a fixed window cannot double the rate). Kept in memory: a restart forgets
// it, which costs at most one more window's worth per key.
//
// One limiter is shared by every thread of a serving gate (`serve --threads`), so acquire() takes a lock: a
// limit holds per gate process. Gates behind one load balancer each count their own, so the balancer's own
// limits (nginx `limit_req`) are the ones that hold across them.
class rate_limiter {
public:
    using clock = std::chrono::steady_clock;

    rate_limiter(std::size_t limit, std::chrono::seconds window) : limit_(limit), window_(window) {}

    // Counts an event for `key` and returns zero, or, when the key is over its limit, counts nothing and
    // returns how long until it may try again (at least one second, for Retry-After).
    std::chrono::seconds acquire(std::string const& key, clock::time_point now);

    std::size_t limit() const { return limit_; }
    std::chrono::seconds window() const { return window_; }

private:
    void forget_old(clock::time_point now);

    std::size_t limit_;
    std::chrono::seconds window_;
    std::mutex mutex_; // guards what follows
    std::unordered_map<std::string, std::deque<clock::time_point>> events_;
    clock::time_point last_sweep_{};
};

} // namespace sluice::gate
