#include "sluice-gate/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace sluice::gate {
namespace {

using namespace std::chrono_literals;

TEST(GateRateLimiter, AllowsTheLimitPerKeyThenSaysWhenToRetry) {
    rate_limiter limiter(3, 600s);
    rate_limiter::clock::time_point const t0{std::chrono::hours(1)};
    EXPECT_EQ(limiter.acquire("a", t0), 0s);
    EXPECT_EQ(limiter.acquire("a", t0 + 10s), 0s);
    EXPECT_EQ(limiter.acquire("a", t0 + 20s), 0s);
    EXPECT_EQ(limiter.acquire("a", t0 + 30s), 570s);
    // Another key has its own budget.
    EXPECT_EQ(limiter.acquire("b", t0 + 30s), 0s);
    // A refused attempt is not counted: the wait is measured from the oldest accepted one.
    EXPECT_EQ(limiter.acquire("a", t0 + 40s), 560s);
}

TEST(GateRateLimiter, TheWindowSlides) {
    rate_limiter limiter(2, 60s);
    rate_limiter::clock::time_point const t0{std::chrono::hours(1)};
    EXPECT_EQ(limiter.acquire("k", t0), 0s);
    EXPECT_EQ(limiter.acquire("k", t0 + 50s), 0s);
    EXPECT_GT(limiter.acquire("k", t0 + 59s), 0s);
    EXPECT_EQ(limiter.acquire("k", t0 + 60s), 0s);
    EXPECT_GT(limiter.acquire("k", t0 + 61s), 0s);
    EXPECT_EQ(limiter.acquire("k", t0 + 110s), 0s);
}

TEST(GateRateLimiter, RetryAfterIsAtLeastOneSecond) {
    rate_limiter limiter(1, 10s);
    rate_limiter::clock::time_point const t0{std::chrono::hours(1)};
    EXPECT_EQ(limiter.acquire("k", t0), 0s);
    EXPECT_EQ(limiter.acquire("k", t0 + 9999ms), 1s);
}

TEST(GateRateLimiter, ForgetsQuietKeys) {
    rate_limiter limiter(1, 10s);
    rate_limiter::clock::time_point const t0{std::chrono::hours(1)};
    for (int i = 0; i < 1000; ++i) {
        EXPECT_EQ(limiter.acquire("key-" + std::to_string(i), t0), 0s);
    }
    // After a window every key may go again.
    EXPECT_EQ(limiter.acquire("key-1", t0 + 11s), 0s);
}

// The threads of one gate share its limiters: a limit counts every attempt once, whichever thread makes it.
TEST(GateRateLimiter, HoldsAcrossThreads) {
    rate_limiter limiter(30, 600s);
    rate_limiter::clock::time_point const t0{std::chrono::hours(1)};
    std::atomic<int> allowed{0};
    std::atomic<int> other_key_allowed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 100; ++i) {
                auto const now = t0 + std::chrono::milliseconds(i);
                allowed += limiter.acquire("192.0.2.1", now) == 0s;
                // Meanwhile each thread has a client of its own, with its own budget.
                other_key_allowed += limiter.acquire("198.51.100." + std::to_string(t), now) == 0s;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(allowed, 30);
    EXPECT_EQ(other_key_allowed, 8 * 30);
}

} // namespace
} // namespace sluice::gate
