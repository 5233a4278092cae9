#include "sluice-gate/view_counting.hpp"

#include <gtest/gtest.h>

namespace sluice::gate {
namespace {

TEST(ViewCounting, DaysAreWholeUtcDays) {
    EXPECT_EQ(day_of(0), 0);
    EXPECT_EQ(day_of(86399), 0);
    EXPECT_EQ(day_of(86400), 1);
    EXPECT_EQ(day_of(-1), -1);
    EXPECT_EQ(day_text(0), "1970-01-01");
    EXPECT_EQ(day_text(day_of(1'796'342'400)), "2026-12-04"); // 2026-12-04T00:00:00Z
    EXPECT_EQ(day_text(day_of(1'796'342'399)), "2026-12-03");
}

TEST(ViewCounting, AVisitorsHashDependsOnEveryPartAndNamesNone) {
    auto const salt = new_view_salt();
    EXPECT_EQ(salt.size(), 64u);
    EXPECT_NE(salt, new_view_salt());
    auto const h = visitor_hash(salt, "les-veilleurs", "198.51.100.7", "Firefox/128");
    EXPECT_EQ(h.size(), 32u);
    EXPECT_EQ(h, visitor_hash(salt, "les-veilleurs", "198.51.100.7", "Firefox/128"));
    EXPECT_NE(h, visitor_hash(new_view_salt(), "les-veilleurs", "198.51.100.7", "Firefox/128"));
    EXPECT_NE(h, visitor_hash(salt, "other", "198.51.100.7", "Firefox/128"));
    EXPECT_NE(h, visitor_hash(salt, "les-veilleurs", "198.51.100.8", "Firefox/128"));
    EXPECT_NE(h, visitor_hash(salt, "les-veilleurs", "198.51.100.7", "Firefox/129"));
    // Parts are kept apart: moving a byte from one to the next changes the hash.
    EXPECT_NE(visitor_hash(salt, "ab", "c", "d"), visitor_hash(salt, "a", "bc", "d"));
    EXPECT_EQ(h.find("198"), std::string::npos);
}

TEST(ViewCounting, RobotsAndPrefetchesAreNotViewers) {
    auto const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    auto const chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 "
                        "Safari/537.36";
    EXPECT_FALSE(is_robot(firefox, ""));
    EXPECT_FALSE(is_robot(chrome, ""));
    EXPECT_TRUE(is_robot(firefox, "prefetch"));
    EXPECT_TRUE(is_robot(chrome, "prefetch;prerender"));
    EXPECT_TRUE(is_robot("", ""));
    EXPECT_TRUE(is_robot("   ", ""));
    EXPECT_TRUE(is_robot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", ""));
    EXPECT_TRUE(is_robot("Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/130.0 Safari/537.36", ""));
    EXPECT_TRUE(is_robot("curl/7.88.1", ""));
    EXPECT_TRUE(is_robot("python-requests/2.31", ""));
    EXPECT_TRUE(is_robot("facebookexternalhit/1.1", ""));
}

TEST(ViewCounting, AReferrerIsKeptAsItsSiteOnly) {
    EXPECT_EQ(referrer_site("https://www.Example.org/some/page?q=private#x", "gate.example.net"),
              "example.org");
    EXPECT_EQ(referrer_site("http://news.example.com:8080/a", "gate.example.net"), "news.example.com");
    EXPECT_EQ(referrer_site("https://user:secret@forum.example.org/t/1", ""), "forum.example.org");
    EXPECT_EQ(referrer_site("https://192.0.2.4/", ""), "192.0.2.4");
    // None, the gate's own pages, or nothing worth a row.
    EXPECT_EQ(referrer_site("", "gate.example.net"), "");
    EXPECT_EQ(referrer_site("https://gate.example.net/b/other", "gate.example.net:443"), "");
    EXPECT_EQ(referrer_site("https://www.gate.example.net/", "gate.example.net"), "");
    EXPECT_EQ(referrer_site("android-app://com.example/", ""), "");
    EXPECT_EQ(referrer_site("javascript:alert(1)", ""), "");
    EXPECT_EQ(referrer_site("https://<script>/", ""), "");
    EXPECT_EQ(referrer_site("https:///path", ""), "");
    EXPECT_EQ(referrer_site("https://" + std::string(300, 'a') + ".org/", ""), "");
}

} // namespace
} // namespace sluice::gate
