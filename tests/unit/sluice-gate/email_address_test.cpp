#include "sluice-gate/email_address.hpp"

#include <gtest/gtest.h>

namespace sluice::gate {
namespace {

std::string normal(std::string const& input) {
    auto const r = normalise_email(input);
    EXPECT_TRUE(r) << input << ": " << r.problem;
    return r.address.value_or("");
}

void refused(std::string const& input) {
    EXPECT_FALSE(normalise_email(input)) << input;
}

TEST(GateEmailAddress, TrimsAndLowerCasesTheDomainOnly) {
    EXPECT_EQ(normal("  Ada.Lovelace@Example.ORG\t"), "Ada.Lovelace@example.org");
    EXPECT_EQ(normal("a+tag@sub.example.co.uk"), "a+tag@sub.example.co.uk");
    EXPECT_EQ(normal("x@xn--bcher-kva.example"), "x@xn--bcher-kva.example");
    EXPECT_EQ(normal("élise@example.org"), "élise@example.org");
}

TEST(GateEmailAddress, RefusesWhatIsNotOneSimpleAddress) {
    refused("");
    refused("   ");
    refused("ada");
    refused("ada@");
    refused("@example.org");
    refused("ada@@example.org");
    refused("ada@b@example.org");
    refused("ada lovelace@example.org");
    refused("ada@exa mple.org");
    refused("ada\n@example.org");
    refused(std::string("ada\0x@example.org", 17));
    refused("ada\x7f@example.org");
    refused("\"ada\"@example.org");
    refused("ada<x>@example.org");
    refused(".ada@example.org");
    refused("ada.@example.org");
    refused("a..da@example.org");
    refused("ada@localhost");
    refused("ada@[127.0.0.1]");
    refused("ada@-example.org");
    refused("ada@example-.org");
    refused("ada@example..org");
    refused("ada@example.org.");
    refused("ada@bücher.example");
    refused("ada@exa_mple.org");
}

// protocol/gate-api.md: "any other space or control character is refused", the C1 controls and Unicode's
// line separators included; they would reach the confirmation mail's To: line.
TEST(GateEmailAddress, RefusesC1ControlsAndUnicodeSpaces) {
    for (auto const* bad : {"ada\u0085@example.org", "ada@example.org\u0085", "\u0085ada@example.org",
                            "ada\u0080@example.org", "ada\u009f@example.org", "ada\u2028@example.org",
                            "ada\u2029@example.org", "ada\u00a0lovelace@example.org", "ada\u2003@example.org",
                            "ada\u3000@example.org", "ada\u202f@example.org"}) {
        auto const r = normalise_email(bad);
        EXPECT_FALSE(r) << bad;
        EXPECT_NE(r.problem.find("control character"), std::string::npos) << bad << ": " << r.problem;
    }
    refused("ada\xc2@example.org");         // cut short
    refused("ada\xc2\x85@example.org");     // U+0085 spelt as bytes
    refused("ada\xc0\x8a@example.org");     // an overlong line feed
    refused("ada\xed\xa0\x80@example.org"); // a surrogate
    // Letters beyond ASCII, the neighbours of the refused ranges included, are still fine.
    EXPECT_EQ(normal("\u00e9lise\u00a1@example.org"), "\u00e9lise\u00a1@example.org");
    EXPECT_EQ(normal("\u2027\u2030@example.org"), "\u2027\u2030@example.org");
}

TEST(GateEmailAddress, RefusesIpLiteralDomains) {
    for (auto const* bad : {"a@127.0.0.1", "a@[127.0.0.1]", "a@127.1", "a@0x7f.1", "a@10.0.0.1", "a@1.2.3.4",
                            "a@example.123", "a@[::1]", "a@[IPv6:::1]"}) {
        refused(bad);
    }
    EXPECT_EQ(normalise_email("a@127.0.0.1").problem, "the domain must be a name, not an IP address");
    EXPECT_EQ(normal("a@1password.com"), "a@1password.com");
    EXPECT_EQ(normal("a@123.example.org"), "a@123.example.org");
    EXPECT_EQ(normal("a@example.c0m"), "a@example.c0m");
}

TEST(GateEmailAddress, BoundsTheLengths) {
    std::string const local64(64, 'a');
    EXPECT_TRUE(normalise_email(local64 + "@example.org"));
    refused(std::string(65, 'a') + "@example.org");
    std::string const label63(63, 'b');
    EXPECT_TRUE(normalise_email("a@" + label63 + ".org"));
    refused("a@" + std::string(64, 'b') + ".org");
    // 254 bytes in all is the most; 255 is refused.
    std::string const domain = std::string(63, 'c') + "." + std::string(63, 'd') + ".";
    std::string const at_254 =
        std::string(64, 'a') + "@" + domain + std::string(254 - 65 - domain.size(), 'f');
    ASSERT_EQ(at_254.size(), 254u);
    EXPECT_TRUE(normalise_email(at_254));
    refused(at_254 + "f");
}

} // namespace
} // namespace sluice::gate
