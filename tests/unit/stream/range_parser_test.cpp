#include "stream/range_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::stream {
namespace {

struct range_case {
    char const* header;
    std::uint64_t size;
    range_outcome outcome;
    std::uint64_t first;
    std::uint64_t last;
};

// Wire values written out on purpose: these are what players and attackers send.
range_case const cases[] = {
    {"bytes=0-499", 1000, range_outcome::partial, 0, 499},
    {"bytes=500-", 1000, range_outcome::partial, 500, 999},
    {"bytes=-100", 200, range_outcome::partial, 100, 199},
    {"bytes=-100", 50, range_outcome::partial, 0, 49},
    {"bytes=0-499", 200, range_outcome::partial, 0, 199},
    {"bytes=500-600", 200, range_outcome::unsatisfiable, 0, 0},
    {"bytes=200-", 200, range_outcome::unsatisfiable, 0, 0},
    {"bytes=199-", 200, range_outcome::partial, 199, 199},
    {"bytes=0-0", 200, range_outcome::partial, 0, 0},
    {"bytes=-0", 200, range_outcome::unsatisfiable, 0, 0},
    {"bytes=", 200, range_outcome::whole, 0, 0},
    {"bytes=--100", 200, range_outcome::whole, 0, 0},
    {"bytes=abc", 200, range_outcome::whole, 0, 0},
    {"bytes=5-1", 200, range_outcome::whole, 0, 0},
    {"bytes 0-1", 200, range_outcome::whole, 0, 0},
    {"items=0-1", 200, range_outcome::whole, 0, 0},
    {"BYTES=0-9", 200, range_outcome::partial, 0, 9},
    {"bytes = 0-9", 200, range_outcome::partial, 0, 9},
    {"bytes=0-99999999999999999999", 200, range_outcome::partial, 0, 199},
    {"bytes=99999999999999999999-", 200, range_outcome::unsatisfiable, 0, 0},
    {"bytes=-99999999999999999999", 200, range_outcome::partial, 0, 199},
    {"bytes=18446744073709551615-18446744073709551616", 200, range_outcome::unsatisfiable, 0, 0},
    {"bytes=0-9, 20-29", 200, range_outcome::partial, 0, 29},
    {"bytes=0-9,5-15", 200, range_outcome::partial, 0, 15},
    {"bytes=500-600, 10-19", 200, range_outcome::partial, 10, 19},
    {"bytes=, ,0-9,", 200, range_outcome::partial, 0, 9},
    {"bytes=0-9;x", 200, range_outcome::whole, 0, 0},
    {"bytes=0-0", 0, range_outcome::unsatisfiable, 0, 0},
    {"bytes=-5", 0, range_outcome::unsatisfiable, 0, 0},
};

TEST(RangeParser, TableOfWireValues) {
    for (auto const& c : cases) {
        auto const d = decide_range(c.header, c.size);
        EXPECT_EQ(d.outcome, c.outcome) << c.header << " on " << c.size;
        if (c.outcome == range_outcome::partial) {
            EXPECT_EQ(d.first, c.first) << c.header;
            EXPECT_EQ(d.last, c.last) << c.header;
        }
    }
}

TEST(RangeParser, FiveHundredOverlappingRangesCostOneRange) {
    std::string header = "bytes=";
    for (int i = 0; i < 500; ++i) {
        header += std::to_string(i) + "-" + std::to_string(i + 100) + ",";
    }
    auto const d = decide_range(header, 10'000);
    EXPECT_EQ(d.outcome, range_outcome::partial);
    EXPECT_EQ(d.first, 0u);
    EXPECT_EQ(d.last, 599u);
}

TEST(RangeParser, TooManyPartsAreIgnored) {
    std::string header = "bytes=";
    for (int i = 0; i < 1001; ++i) {
        header += "0-1,";
    }
    EXPECT_EQ(decide_range(header, 100).outcome, range_outcome::whole);
}

} // namespace
} // namespace sluice::stream
