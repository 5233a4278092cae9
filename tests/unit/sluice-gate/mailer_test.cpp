#include "sandbox_dir.hpp"
#include "sluice-gate/mailer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <thread>
#include <vector>

namespace sluice::gate {
namespace {

using sluice::testing::sandbox_dir;
using namespace std::chrono_literals;

TEST(GateMailer, HandsTheMessageToTheCommandOnStdin) {
    sandbox_dir dir;
    auto const file = dir / "message";
    mailer const m("cat > '" + file.string() + "'");
    std::error_code ec;
    m.send({"ada@example.org", "Your code", "Your confirmation code is 123456.\n"}, ec);
    ASSERT_FALSE(ec) << ec.message();
    std::ifstream in(file);
    std::string const text{std::istreambuf_iterator<char>(in), {}};
    EXPECT_EQ(text, "To: ada@example.org\nSubject: Your code\nContent-Type: text/plain; charset=utf-8\n\n"
                    "Your confirmation code is 123456.\n");
}

TEST(GateMailer, ACommandThatFailsOrHangsIsAnError) {
    std::error_code ec;
    mailer("exit 3").send({"a@example.org", "s", "b"}, ec);
    EXPECT_TRUE(ec);
    // Exits without reading a message larger than a pipe holds: an error, not a SIGPIPE.
    mailer("exit 1").send({"a@example.org", "s", std::string(1024 * 1024, 'x')}, ec);
    EXPECT_TRUE(ec);
    mailer("sleep 10", 1s).send({"a@example.org", "s", "b"}, ec);
    EXPECT_EQ(ec, std::errc::timed_out);
    mailer("").send({"a@example.org", "s", "b"}, ec);
    EXPECT_EQ(ec, std::errc::not_supported);
}

// async_send answers on the owner's thread once the command has exited, and the owner keeps running until
// then; the thread that asked goes on meanwhile.
TEST(GateMailer, AsyncSendAnswersOnTheOwnersThread) {
    sandbox_dir dir;
    auto const file = dir / "message";
    boost::asio::io_context owner;
    std::vector<std::error_code> outcomes;
    std::thread::id answered_on;
    mailer const m("sleep 1; cat > '" + file.string() + "'");
    auto const started = std::chrono::steady_clock::now();
    m.async_send({"ada@example.org", "Your code", "123456\n"}, owner.get_executor(), [&](std::error_code ec) {
        outcomes.push_back(ec);
        answered_on = std::this_thread::get_id();
    });
    // Each mailer lives until its answer came: the last copy of a mailer drops what it has not started.
    mailer const failing("exit 3");
    failing.async_send({"b@example.org", "s", "b"}, owner.get_executor(),
                       [&](std::error_code ec) { outcomes.push_back(ec); });
    mailer const none("");
    none.async_send({"c@example.org", "s", "b"}, owner.get_executor(),
                    [&](std::error_code ec) { outcomes.push_back(ec); });
    EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms)
        << "async_send must not wait for the command";
    EXPECT_TRUE(outcomes.empty());
    owner.run();
    ASSERT_EQ(outcomes.size(), 3u);
    EXPECT_EQ(answered_on, std::this_thread::get_id());
    EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), std::error_code()), 1);
    EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), std::make_error_code(std::errc::not_supported)),
              1);
    EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), std::make_error_code(std::errc::io_error)), 1);
    std::ifstream in(file);
    EXPECT_NE(std::string(std::istreambuf_iterator<char>(in), {}).find("To: ada@example.org\n"),
              std::string::npos);
}

} // namespace
} // namespace sluice::gate
