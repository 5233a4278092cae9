#include <sluice/ffmpeg/tool_child.hpp>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

namespace sluice::ffmpeg {
namespace {

using namespace std::chrono_literals;

tool_result run_shell(std::string const& script, std::size_t max_output = 1 << 20,
                      std::chrono::milliseconds timeout = 10s, child_limits limits = {}) {
    boost::asio::io_context io;
    tool_result result;
    bool called = false;
    run_tool(io, "/bin/sh", {"-c", script}, limits, max_output, timeout, [&](tool_result r) {
        result = std::move(r);
        called = true;
    });
    io.run();
    EXPECT_TRUE(called);
    return result;
}

TEST(ToolChild, HandsOverWhatTheChildWrote) {
    auto const r = run_shell("printf 'one\\ntwo'; echo noise >&2");
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.output, "one\ntwo");
}

TEST(ToolChild, AFailureSaysItsLastLineOfErrors) {
    auto const r = run_shell("echo 'first problem' >&2; printf 'Invalid data found\\n\\n' >&2; exit 3");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "Invalid data found");
    auto const silent = run_shell("exit 4");
    EXPECT_EQ(silent.error, "it failed with status 4");
}

TEST(ToolChild, TooMuchOutputEndsIt) {
    auto const r = run_shell("yes", 100000);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("more than 100000 bytes"), std::string::npos);
}

TEST(ToolChild, TooLongEndsIt) {
    auto const started = std::chrono::steady_clock::now();
    auto const r = run_shell("exec sleep 30", 1000, 300ms);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("longer than"), std::string::npos);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(ToolChild, RunsWithinItsLimitsAndNoneOfOurDescriptors) {
    // A descriptor the parent holds without close-on-exec is not the child's.
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    child_limits limits;
    limits.memory_bytes = std::uint64_t{512} << 20;
    limits.cpu_seconds = 7;
    auto const r = run_shell("ulimit -v; ulimit -t; ulimit -c; ls /proc/$$/fd | sort -n | tr '\\n' ' '", 4096,
                             10s, limits);
    ::close(fds[0]);
    ::close(fds[1]);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.output.substr(0, r.output.find(' ')), "524288\n7\n0\n0");
    EXPECT_EQ(r.output.find(" " + std::to_string(fds[0]) + " "), std::string::npos) << r.output;
}

TEST(ToolChild, AProgramThatIsNotThereIsSaid) {
    boost::asio::io_context io;
    tool_result result;
    run_tool(io, "/nonexistent/ffprobe", {}, {}, 100, 1s, [&](tool_result r) { result = std::move(r); });
    io.run();
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("cannot start ffprobe"), std::string::npos) << result.error;
}

} // namespace
} // namespace sluice::ffmpeg
