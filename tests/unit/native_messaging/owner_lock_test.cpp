#include "native_messaging/owner_lock.hpp"
#include "sandbox_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace sluice::native_messaging {
namespace {

TEST(OwnerLock, SecondHolderIsRefusedWithoutError) {
    testing::sandbox_dir dir;
    owner_lock first;
    owner_lock second;
    std::error_code ec;
    ASSERT_TRUE(first.try_acquire(dir / "host.lock", ec));
    EXPECT_FALSE(second.try_acquire(dir / "host.lock", ec));
    EXPECT_FALSE(ec);
    first.release();
    EXPECT_TRUE(second.try_acquire(dir / "host.lock", ec));
}

TEST(OwnerLock, IsFreedWhenTheHolderDiesHowever) {
    testing::sandbox_dir dir;
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t const child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        owner_lock held;
        std::error_code ec;
        char const c = held.try_acquire(dir / "host.lock", ec) ? 'y' : 'n';
        [[maybe_unused]] auto n = ::write(ready[1], &c, 1);
        ::pause();
        ::_exit(0);
    }
    char c = 0;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    ASSERT_EQ(c, 'y');
    owner_lock mine;
    std::error_code ec;
    EXPECT_FALSE(mine.try_acquire(dir / "host.lock", ec));
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    EXPECT_TRUE(mine.try_acquire(dir / "host.lock", ec));
    ::close(ready[0]);
    ::close(ready[1]);
}

using namespace std::chrono_literals;

TEST(OwnerLock, WaitsForAHolderWithoutASocketToLetGo) {
    testing::sandbox_dir dir;
    owner_lock leaving;
    std::error_code ec;
    ASSERT_TRUE(leaving.try_acquire(dir / "host.lock", ec));
    std::thread saver([&] {
        std::this_thread::sleep_for(200ms);
        leaving.release();
    });
    owner_lock next;
    auto const start = std::chrono::steady_clock::now();
    EXPECT_TRUE(next.acquire_when_free(dir / "host.lock", dir / "host.sock", 5s, ec));
    EXPECT_FALSE(ec);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
    saver.join();
}

TEST(OwnerLock, LeavesTheLockToAHolderThatListens) {
    testing::sandbox_dir dir;
    owner_lock serving;
    std::error_code ec;
    ASSERT_TRUE(serving.try_acquire(dir / "host.lock", ec));
    std::ofstream(dir / "host.sock") << "";
    owner_lock next;
    auto const start = std::chrono::steady_clock::now();
    EXPECT_FALSE(next.acquire_when_free(dir / "host.lock", dir / "host.sock", 5s, ec));
    EXPECT_FALSE(ec);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s) << "no waiting while another owner listens";
}

TEST(OwnerLock, GivesUpOnAHolderThatNeverLetsGo) {
    testing::sandbox_dir dir;
    owner_lock stuck;
    std::error_code ec;
    ASSERT_TRUE(stuck.try_acquire(dir / "host.lock", ec));
    owner_lock next;
    EXPECT_FALSE(next.acquire_when_free(dir / "host.lock", dir / "host.sock", 100ms, ec));
    EXPECT_FALSE(ec);
    EXPECT_FALSE(next.held());
}

} // namespace
} // namespace sluice::native_messaging
