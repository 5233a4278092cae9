#include "native_messaging/owner_lock.hpp"
#include "sandbox_dir.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
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

} // namespace
} // namespace sluice::native_messaging
