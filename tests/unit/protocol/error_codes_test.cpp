#include <sluice/protocol/error_code.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

namespace sluice::protocol {
namespace {

// protocol/errors.json is the list; this table must say exactly the same.
TEST(ErrorCodes, TableMatchesProtocolErrorsJson) {
    std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/protocol/errors.json");
    auto const listed = nlohmann::json::parse(in);
    std::set<int> seen;
    std::size_t count = 0;
    // Every group, so a new one cannot be left out of the comparison.
    for (auto const& [group, entries] : listed.items()) {
        if (!entries.is_array()) {
            continue;
        }
        for (auto const& entry : entries) {
            ++count;
            auto const code = entry.at("code").get<int>();
            EXPECT_TRUE(seen.insert(code).second) << "duplicate code " << code;
            auto const it = std::find_if(error_codes.begin(), error_codes.end(), [&](auto const& info) {
                return static_cast<int>(info.code) == code;
            });
            ASSERT_NE(it, error_codes.end()) << "code " << code << " is listed but not in the C++ table";
            EXPECT_EQ(it->name, entry.at("name").get<std::string>());
            EXPECT_EQ(it->message, entry.at("message").get<std::string>());
        }
    }
    EXPECT_EQ(count, error_codes.size()) << "the C++ table has codes errors.json does not list";
}

TEST(ErrorCodes, ProjectCodesStayOutOfTheReservedStandardSet) {
    for (auto const& info : error_codes) {
        auto const c = static_cast<int>(info.code);
        bool const standard = c <= -32600 && c >= -32768;
        bool const listed_standard = c == -32700 || (c <= -32600 && c >= -32603);
        EXPECT_TRUE(!standard || listed_standard) << info.name;
    }
}

} // namespace
} // namespace sluice::protocol
