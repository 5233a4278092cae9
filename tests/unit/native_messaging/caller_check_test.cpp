#include "native_messaging/caller_check.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::native_messaging {
namespace {

caller_verdict check(std::vector<std::string> const& args) {
    return check_caller(args);
}

TEST(CallerCheck, AcceptsOurChromeOrigin) {
    auto const v = check({"chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk/"});
    EXPECT_EQ(v.kind, caller_kind::chromium);
    EXPECT_TRUE(v.allowed);
}

TEST(CallerCheck, AcceptsChromeOriginWithWindowsParentWindowArgument) {
    EXPECT_TRUE(check({"chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk/", "--parent-window=0"}).allowed);
}

TEST(CallerCheck, RefusesAnotherChromeExtension) {
    auto const v = check({"chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"});
    EXPECT_EQ(v.kind, caller_kind::chromium);
    EXPECT_FALSE(v.allowed);
    EXPECT_NE(v.reason.find("not the Sluice extension"), std::string::npos);
}

TEST(CallerCheck, RefusesOurIdAsAPrefixOrSuffix) {
    EXPECT_FALSE(check({"chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjkx/"}).allowed);
    EXPECT_FALSE(check({"chrome-extension://xljkaphncpbkfgfeoncgogkmhcmcompjk/"}).allowed);
    EXPECT_FALSE(check({"chrome-extension:///"}).allowed);
}

TEST(CallerCheck, AcceptsOurFirefoxAddon) {
    auto const v =
        check({"/home/u/.mozilla/native-messaging-hosts/org.sluice.host.json", "sluice@sluice-project.org"});
    EXPECT_EQ(v.kind, caller_kind::firefox);
    EXPECT_TRUE(v.allowed);
}

TEST(CallerCheck, RefusesAnotherFirefoxAddon) {
    auto const v =
        check({"/home/u/.mozilla/native-messaging-hosts/org.sluice.host.json", "evil@example.com"});
    EXPECT_EQ(v.kind, caller_kind::firefox);
    EXPECT_FALSE(v.allowed);
}

TEST(CallerCheck, NoArgumentsIsADirectRun) {
    auto const v = check({});
    EXPECT_EQ(v.kind, caller_kind::direct);
    EXPECT_TRUE(v.allowed);
}

TEST(CallerCheck, RefusesUnrecognisedArguments) {
    EXPECT_FALSE(check({"https://example.com/"}).allowed);
    EXPECT_FALSE(check({"--whatever"}).allowed);
}

} // namespace
} // namespace sluice::native_messaging
