#include "bundle/retry_schedule.hpp"

#include <algorithm>

namespace sluice::bundle {

namespace {

// The count stops here, and the doubling at 2^10: the wait is capped long before either matters, and the
// shift must stay far from overflowing whatever the poll interval.
constexpr int max_counted_failures = 16;
constexpr int max_doublings = 10;

} // namespace

bool retry_schedule::due(std::string const& key, clock::time_point now) const {
    auto const it = entries_.find(key);
    return it == entries_.end() || now >= it->second.next;
}

void retry_schedule::succeeded(std::string const& key, std::chrono::seconds next, clock::time_point now) {
    entries_[key] = {now + next, 0};
}

void retry_schedule::failed(std::string const& key, clock::time_point now) {
    auto& e = entries_[key];
    e.failures = std::min(e.failures + 1, max_counted_failures);
    e.next = now + wait_after(e.failures);
}

int retry_schedule::failures(std::string const& key) const {
    auto const it = entries_.find(key);
    return it == entries_.end() ? 0 : it->second.failures;
}

std::chrono::seconds retry_schedule::wait_after(int failures) const {
    auto const doublings = std::clamp(failures, 0, max_doublings);
    return std::min<std::chrono::seconds>(poll_interval_ * (1LL << doublings), max_wait_);
}

} // namespace sluice::bundle
