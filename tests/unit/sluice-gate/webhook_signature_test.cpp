#include "file_helpers.hpp"
#include "sluice-gate/constant_time.hpp"
#include "sluice-gate/webhook_signature.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace sluice::gate {
namespace {

// Wire values as literals: an HMAC computed by another implementation, `openssl dgst -sha256 -hmac`:
//   printf '%s' '1767225600.{"id":"evt_1",...}' | openssl dgst -sha256 -hmac 'whsec_0123456789abcdef'
constexpr char const* secret = "whsec_0123456789abcdef";
constexpr char const* body =
    R"({"id":"evt_1","type":"payment.succeeded","paymentId":"AAAAAAAAAAAAAAAAAAAAAA"})";
constexpr char const* body_mac = "f7f72b06c29ef2f3cee4649e21f022ff1e9805729367dd3702375a8889de8bfc";
constexpr char const* empty_body_mac = "5aa8c8f74f0a8c5694701440a471939b9f31b001f4dd9fca474a0996c07a2e0a";
constexpr std::int64_t signed_at = 1'767'225'600;

std::string hex(std::array<unsigned char, 32> const& bytes) {
    std::string out;
    for (auto const b : bytes) {
        char buf[3];
        std::snprintf(buf, sizeof buf, "%02x", b);
        out += buf;
    }
    return out;
}

std::string header(std::string const& mac, std::string const& t = "1767225600") {
    return "t=" + t + ",v1=" + mac;
}

TEST(GateWebhookSignature, HmacMatchesAnIndependentImplementation) {
    EXPECT_EQ(hex(webhook_hmac(secret, "1767225600", body)), body_mac);
    EXPECT_EQ(hex(webhook_hmac(secret, "1767225600", "")), empty_body_mac);
}

TEST(GateWebhookSignature, ParsesTheProvidersHeader) {
    auto const h = parse_signature_header(header(body_mac));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->timestamp, "1767225600");
    EXPECT_EQ(h->unix_time, signed_at);
    ASSERT_EQ(h->v1.size(), 1u);
    EXPECT_EQ(hex(h->v1[0]), body_mac);
    // Any order, a second v1 (a provider rolling its secret), a scheme the gate does not know.
    auto const rolled =
        parse_signature_header(std::string("v1=") + empty_body_mac + ",v0=abc,t=1767225600,v1=" + body_mac);
    ASSERT_TRUE(rolled);
    EXPECT_EQ(rolled->v1.size(), 2u);
}

TEST(GateWebhookSignature, RefusesMalformedHeaders) {
    std::string const mac = body_mac;
    std::string upper = mac;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    for (std::string const& bad : {
             std::string(),
             std::string("t=1767225600"),
             "v1=" + mac,
             "t=,v1=" + mac,
             "t=abc,v1=" + mac,
             "t=-5,v1=" + mac,
             "t=1234567890123,v1=" + mac,
             "t=1767225600,t=1767225600,v1=" + mac,
             "t=1767225600,v1=" + mac.substr(1),
             "t=1767225600,v1=" + mac + "00",
             "t=1767225600,v1=" + upper,
             "t=1767225600, v1=" + mac,
             "t=1767225600,v1=" + mac + ",",
             "t=1767225600,,v1=" + mac,
             "t=1767225600;v1=" + mac,
             "=1,t=1767225600,v1=" + mac,
             "t=1767225600,v1=" + mac + std::string(1100, 'x'),
         }) {
        EXPECT_FALSE(parse_signature_header(bad)) << bad;
    }
}

TEST(GateWebhookSignature, TheWindowIsFiveMinutesEitherWay) {
    EXPECT_TRUE(within_tolerance(signed_at, signed_at));
    EXPECT_TRUE(within_tolerance(signed_at, signed_at + 300));
    EXPECT_FALSE(within_tolerance(signed_at, signed_at + 301));
    EXPECT_TRUE(within_tolerance(signed_at, signed_at - 300));
    EXPECT_FALSE(within_tolerance(signed_at, signed_at - 301));
    auto const h = header(body_mac);
    EXPECT_EQ(check_webhook_signature(&h, secret, body, signed_at + 300), webhook_check::valid);
    EXPECT_EQ(check_webhook_signature(&h, secret, body, signed_at + 301), webhook_check::expired);
    EXPECT_EQ(check_webhook_signature(&h, secret, body, signed_at - 301), webhook_check::expired);
}

TEST(GateWebhookSignature, ChecksTheRawBodyWithTheSecret) {
    auto const h = header(body_mac);
    EXPECT_EQ(check_webhook_signature(&h, secret, body, signed_at), webhook_check::valid);
    EXPECT_EQ(check_webhook_signature(nullptr, secret, body, signed_at), webhook_check::malformed_header);
    // One more space in the body is another body: the signature covers the bytes, not their meaning.
    std::string spaced = body;
    spaced.insert(1, " ");
    EXPECT_EQ(check_webhook_signature(&h, secret, spaced, signed_at), webhook_check::bad_signature);
    EXPECT_EQ(check_webhook_signature(&h, "whsec_0123456789abcdeF", body, signed_at),
              webhook_check::bad_signature);
    // The time is signed: moving it breaks the signature even within the window.
    auto const moved = header(body_mac, "1767225601");
    EXPECT_EQ(check_webhook_signature(&moved, secret, body, signed_at), webhook_check::bad_signature);
    // A signature off by its last or first bit.
    std::string last = body_mac;
    last.back() = last.back() == '0' ? '1' : '0';
    auto const off_last = header(last);
    EXPECT_EQ(check_webhook_signature(&off_last, secret, body, signed_at), webhook_check::bad_signature);
    std::string first = body_mac;
    first.front() = first.front() == '0' ? '1' : '0';
    auto const off_first = header(first);
    EXPECT_EQ(check_webhook_signature(&off_first, secret, body, signed_at), webhook_check::bad_signature);
    // With two candidates, either one matching is enough.
    auto const two = "t=1767225600,v1=" + last + ",v1=" + body_mac;
    EXPECT_EQ(check_webhook_signature(&two, secret, body, signed_at), webhook_check::valid);
}

TEST(GateConstantTime, ComparesWholeSecretsOfAnyLength) {
    EXPECT_TRUE(equal_in_constant_time("", ""));
    EXPECT_TRUE(
        equal_in_constant_time("0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"));
    EXPECT_FALSE(
        equal_in_constant_time("0123456789abcdef0123456789abcdef", "1123456789abcdef0123456789abcdef"));
    EXPECT_FALSE(
        equal_in_constant_time("0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdeg"));
    EXPECT_FALSE(
        equal_in_constant_time("0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcde"));
    EXPECT_FALSE(equal_in_constant_time("abc", std::string("abc\0", 4)));
    EXPECT_FALSE(equal_in_constant_time("", "a"));
}

// Timing cannot be measured reliably in a unit test, so the rule is kept where it is written: the code that
// compares secrets (webhook signatures, the admin token) goes through sodium_memcmp, and none of it compares
// them with memcmp, == or std::equal, whose time depends on where the first difference is.
TEST(GateConstantTime, SecretsAreComparedWithSodiumMemcmpOnly) {
    auto const dir = std::filesystem::path(SLUICE_SOURCE_DIR) / "publisher" / "sluice-gate" / "src";
    for (auto const* file : {"webhook_signature.cpp", "constant_time.cpp"}) {
        auto const text = testing::read_file(dir / file);
        ASSERT_FALSE(text.empty()) << file;
        EXPECT_NE(text.find("sodium_memcmp("), std::string::npos) << file;
        EXPECT_FALSE(std::regex_search(text, std::regex(R"((^|[^_])memcmp\(|strcmp\(|std::equal\()")))
            << file;
    }
    // The admin token goes through the constant-time helper, never through ==.
    auto const admin = testing::read_file(dir / "admin_handlers.cpp");
    EXPECT_NE(admin.find("equal_in_constant_time("), std::string::npos);
    EXPECT_EQ(admin.find("== token"), std::string::npos);
}

} // namespace
} // namespace sluice::gate
