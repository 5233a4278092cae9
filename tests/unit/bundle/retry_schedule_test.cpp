#include "bundle/retry_schedule.hpp"

#include <gtest/gtest.h>

namespace sluice::bundle {
namespace {

using namespace std::chrono_literals;
using clock = retry_schedule::clock;

clock::time_point const t0 = clock::time_point() + 1000h;

TEST(RetrySchedule, AKeyNeverSeenIsDueAtOnce) {
    retry_schedule const s(60s);
    EXPECT_TRUE(s.due("campaign", t0));
    EXPECT_EQ(s.failures("campaign"), 0);
}

TEST(RetrySchedule, ASuccessWaitsTheIntervalItNames) {
    retry_schedule s(60s);
    s.succeeded("campaign", 3s, t0);
    EXPECT_FALSE(s.due("campaign", t0));
    EXPECT_FALSE(s.due("campaign", t0 + 2999ms));
    EXPECT_TRUE(s.due("campaign", t0 + 3s));
}

TEST(RetrySchedule, EachFailureInARowDoublesTheWait) {
    retry_schedule s(10s);
    s.failed("k", t0);
    EXPECT_EQ(s.failures("k"), 1);
    EXPECT_FALSE(s.due("k", t0 + 19s));
    EXPECT_TRUE(s.due("k", t0 + 20s));
    s.failed("k", t0);
    EXPECT_FALSE(s.due("k", t0 + 39s));
    EXPECT_TRUE(s.due("k", t0 + 40s));
    s.failed("k", t0);
    EXPECT_FALSE(s.due("k", t0 + 79s));
    EXPECT_TRUE(s.due("k", t0 + 80s));
    EXPECT_EQ(s.failures("k"), 3);
}

TEST(RetrySchedule, TheWaitNeverExceedsFifteenMinutes) {
    retry_schedule s(60s);
    EXPECT_EQ(s.wait_after(1), 120s);
    EXPECT_EQ(s.wait_after(3), 480s);
    EXPECT_EQ(s.wait_after(4), 900s); // 960 s, capped
    EXPECT_EQ(s.wait_after(16), 900s);
    for (int i = 0; i < 40; ++i) {
        s.failed("k", t0);
    }
    EXPECT_EQ(s.failures("k"), 16);
    EXPECT_FALSE(s.due("k", t0 + 899s));
    EXPECT_TRUE(s.due("k", t0 + 900s));
}

TEST(RetrySchedule, DoublingStopsAtTenEvenUnderALargeCap) {
    retry_schedule const s(1s, 100000s);
    EXPECT_EQ(s.wait_after(10), 1024s);
    EXPECT_EQ(s.wait_after(11), 1024s);
    EXPECT_EQ(s.wait_after(16), 1024s);
}

TEST(RetrySchedule, ASuccessForgetsTheFailures) {
    retry_schedule s(10s);
    s.failed("k", t0);
    s.failed("k", t0);
    s.succeeded("k", 10s, t0);
    EXPECT_EQ(s.failures("k"), 0);
    EXPECT_TRUE(s.due("k", t0 + 10s));
    s.failed("k", t0);
    EXPECT_TRUE(s.due("k", t0 + 20s)); // back to the first doubling
}

TEST(RetrySchedule, KeysKeepTheirOwnPace) {
    retry_schedule s(10s);
    s.failed("down", t0);
    s.succeeded("up", 1s, t0);
    EXPECT_FALSE(s.due("down", t0 + 1s));
    EXPECT_TRUE(s.due("up", t0 + 1s));
    EXPECT_TRUE(s.due("other", t0));
}

} // namespace
} // namespace sluice::bundle
