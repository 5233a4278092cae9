#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

namespace sluice::gate {

// At most `limit` events per key within any `window` (a sliding window: the times of the recent events are
// kept, so a burst at the edge of a fixed window cannot double the rate). Kept in memory: a restart forgets
// it, which costs at most one more window's worth per key. Not thread-safe; the server's one thread owns it.
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
    std::unordered_map<std::string, std::deque<clock::time_point>> events_;
    clock::time_point last_sweep_{};
};

} // namespace sluice::gate
