#include <sluice/protocol/untrusted_json.hpp>

#include <gtest/gtest.h>

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

TEST(UntrustedJson, DumpReplacesInvalidUtf8) {
    nlohmann::json const j = std::string("bad \xff name");
    EXPECT_EQ(dump_compact(j), "\"bad \xEF\xBF\xBD name\"");
}

} // namespace
} // namespace sluice::protocol
