#include <gtest/gtest.h>

#include <email_address.hpp>

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
