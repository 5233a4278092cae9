#include <sluice/protocol/untrusted_json.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace sluice::protocol {
namespace {

TEST(UntrustedJson, ParsesOrdinaryText) {
    auto const p = parse_untrusted_json(R"({"a":[1,2,{"b":"é"}]})");
    ASSERT_TRUE(p) << p.detail;
    EXPECT_EQ(p.value["a"][2]["b"], "é");
}

TEST(UntrustedJson, RefusesInvalidUtf8) {
    EXPECT_EQ(parse_untrusted_json("{\"a\":\"\xff\"}").problem, json_problem::invalid_utf8);
    EXPECT_EQ(parse_untrusted_json("\"\xc0\xaf\"").problem, json_problem::invalid_utf8);     // overlong '/'
    EXPECT_EQ(parse_untrusted_json("\"\xed\xa0\x80\"").problem, json_problem::invalid_utf8); // surrogate
    EXPECT_EQ(parse_untrusted_json("\"\xf4\x90\x80\x80\"").problem, json_problem::invalid_utf8); // > U+10FFFF
    EXPECT_EQ(parse_untrusted_json("\"\xe2\x82\"").problem, json_problem::invalid_utf8);         // cut short
}

TEST(UntrustedJson, AcceptsEveryUtf8Length) {
    EXPECT_TRUE(is_valid_utf8("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\xac"));
}

TEST(UntrustedJson, RefusesDeepNestingBeforeParsing) {
    std::string deep(1'000'000, '[');
    auto const p = parse_untrusted_json(deep);
    EXPECT_EQ(p.problem, json_problem::too_deep);
    EXPECT_TRUE(p.value.is_null());
}

TEST(UntrustedJson, NestingAtTheLimitIsFine) {
    std::string const ok = std::string(64, '[') + std::string(64, ']');
    EXPECT_TRUE(parse_untrusted_json(ok));
    std::string const over = std::string(65, '[') + std::string(65, ']');
    EXPECT_EQ(parse_untrusted_json(over).problem, json_problem::too_deep);
}

TEST(UntrustedJson, BracketsInsideStringsDoNotCount) {
    std::string const text = "[\"" + std::string(1000, '[') + "\\\"\"]";
    EXPECT_TRUE(parse_untrusted_json(text));
}

TEST(UntrustedJson, RefusesTooManyValues) {
    std::string many = "[";
    for (int i = 0; i < 20; ++i) {
        many += "{},";
    }
    many += "{}]";
    EXPECT_EQ(parse_untrusted_json(many, {.max_depth = 64, .max_values = 10}).problem,
              json_problem::too_many_values);
    EXPECT_TRUE(parse_untrusted_json(many, {.max_depth = 64, .max_values = 100}));
}

TEST(UntrustedJson, HugeNumbersAreErrorsNotCrashes) {
    EXPECT_EQ(parse_untrusted_json("1e400").problem, json_problem::number_out_of_range);
    auto const big = parse_untrusted_json("123456789012345678901234567890");
    ASSERT_TRUE(big);
    EXPECT_TRUE(big.value.is_number_float());
}

TEST(UntrustedJson, SyntaxErrorsSayWhere) {
    auto const p = parse_untrusted_json("{\"a\":}");
    EXPECT_EQ(p.problem, json_problem::syntax);
    EXPECT_NE(p.detail.find("byte"), std::string::npos);
}

TEST(UntrustedJson, RefusesAMemberNamedTwiceAtAnyDepth) {
    for (auto const* text :
         {R"({"jsonrpc":"2.0","id":1,"method":"host.hello","method":"torrent.list"})", R"({"a":1,"a":1})",
          R"({"params":{"x":{"y":[{"k":1,"k":2}]}}})", R"([0,{"a":{},"b":[],"a":null}])",
          R"({"a":{"b":1},"c":{"b":2,"b":3}})", R"({"é":1,"é":2})"}) {
        auto const p = parse_untrusted_json(text);
        EXPECT_EQ(p.problem, json_problem::duplicate_member) << text;
        EXPECT_TRUE(p.value.is_null()) << text;
        EXPECT_NE(p.detail.find("twice"), std::string::npos) << text;
    }
    // The same name in different objects, or differing only in case, is not a duplicate.
    auto const fine = parse_untrusted_json(R"({"a":{"a":1},"b":[{"a":1},{"a":2}],"A":3})");
    ASSERT_TRUE(fine) << fine.detail;
    EXPECT_EQ(fine.value, nlohmann::json::parse(R"({"a":{"a":1},"b":[{"a":1},{"a":2}],"A":3})"));
}

TEST(UntrustedJson, BuildsTheSameValueAsNlohmann) {
    std::string const text =
        R"({"s":"x\u0000y","n":null,"t":true,"f":false,"i":-12,"u":18446744073709551615,)"
        R"("d":1.5e3,"a":[[],{},[1,[2,{"z":[3]}]]],"o":{"p":{"q":{}}},"e":""})";
    auto const p = parse_untrusted_json(text);
    ASSERT_TRUE(p) << p.detail;
    EXPECT_EQ(p.value, nlohmann::json::parse(text));
    EXPECT_TRUE(p.value["u"].is_number_unsigned());
    EXPECT_TRUE(p.value["i"].is_number_integer());
    EXPECT_TRUE(parse_untrusted_json("42").value == 42);
    EXPECT_EQ(parse_untrusted_json("{} x").problem, json_problem::syntax);
}

// Every frame the host reads, up to 8 MiB, goes through parse_untrusted_json: refusing duplicates must not
// make it slower than nlohmann's own parse().
TEST(UntrustedJson, DuplicateCheckCostsNoMeasurableTime) {
    std::string text = "[";
    for (int i = 0; i < 1'000; ++i) {
        text += R"({"infoHash":"0123456789abcdef0123456789abcdef01234567","index":)" + std::to_string(i) +
                R"(,"name":"a file name of some length.mkv","tags":["x","y"],"size":1234567.5},)";
    }
    text += "{}]";
    // Rounds taken in turns, best of each: a busy neighbour slows both alike.
    auto ours = std::chrono::steady_clock::duration::max();
    auto theirs = ours;
    auto const time = [](auto&& f) {
        auto const start = std::chrono::steady_clock::now();
        f();
        return std::chrono::steady_clock::now() - start;
    };
    for (int round = 0; round < 9; ++round) {
        ours = std::min(ours, time([&] { ASSERT_TRUE(parse_untrusted_json(text)); }));
        theirs = std::min(theirs, time([&] { ASSERT_EQ(nlohmann::json::parse(text).size(), 1'001u); }));
    }
    // What it guards against is the obvious way to see duplicates, nlohmann's parser callback, which takes
    // ten times as long: the bound is loose enough for a loaded machine, tight enough to catch that.
    EXPECT_LT(ours, theirs * 3) << "ours " << std::chrono::duration<double, std::milli>(ours).count()
                                << " ms, nlohmann "
                                << std::chrono::duration<double, std::milli>(theirs).count() << " ms";
}

TEST(UntrustedJson, DumpReplacesInvalidUtf8) {
    nlohmann::json const j = std::string("bad \xff name");
    EXPECT_EQ(dump_compact(j), "\"bad \xEF\xBF\xBD name\"");
}

} // namespace
} // namespace sluice::protocol
