#include "sluice-gate/rate_limiter.hpp"

namespace sluice::gate {

std::chrono::seconds rate_limiter::acquire(std::string const& key, clock::time_point now) {
    // Held for a few map operations (and, once per window, a sweep of the quiet keys): short next to the
    // request that asks.
    std::lock_guard const lock(mutex_);
    forget_old(now);
    auto& times = events_[key];
    while (!times.empty() && times.front() <= now - window_) {
        times.pop_front();
    }
    if (times.size() >= limit_) {
        auto const wait = std::chrono::ceil<std::chrono::seconds>(times.front() + window_ - now);
        return std::max(wait, std::chrono::seconds(1));
    }
    times.push_back(now);
    return std::chrono::seconds(0);
}

void rate_limiter::forget_old(clock::time_point now) {
    // Keys that went quiet would otherwise stay forever: sweep them once per window.
    if (now - last_sweep_ < window_) {
        return;
    }
    last_sweep_ = now;
    for (auto it = events_.begin(); it != events_.end();) {
        if (it->second.empty() || it->second.back() <= now - window_) {
            it = events_.erase(it);
        } else {
            ++it;
        }
    }
}

} // namespace sluice::gate
