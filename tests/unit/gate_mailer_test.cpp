#include "sandbox_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <mailer.hpp>

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

} // namespace
} // namespace sluice::gate
