#include "file_helpers.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace sluice::gate {
namespace {

// The gate's error codes are listed once for hosts, in protocol/gate-api.md's table: every code the server
// can answer (api_error.hpp) must be there, and the table must not list one the server never sends (but
// for the codes it keeps for gates built otherwise).
TEST(GateApiDoc, TheErrorTableListsEveryCodeTheGateSends) {
    auto const source = testing::read_file(std::filesystem::path(SLUICE_SOURCE_DIR) / "publisher" /
                                           "sluice-gate" / "src" / "api_error.hpp");
    auto const doc =
        testing::read_file(std::filesystem::path(SLUICE_SOURCE_DIR) / "protocol" / "gate-api.md");
    ASSERT_FALSE(source.empty());
    ASSERT_FALSE(doc.empty());
    std::set<std::string> sent;
    std::regex const constant(R"re(std::string_view (\w+) = "(\w+)";)re");
    for (std::sregex_iterator it(source.begin(), source.end(), constant), end; it != end; ++it) {
        EXPECT_EQ((*it)[1].str(), (*it)[2].str()) << "a code's name is its text";
        sent.insert((*it)[2].str());
    }
    std::set<std::string> documented;
    auto const table = doc.substr(doc.find("## Error codes"));
    std::regex const row(R"(\n\| `(\w+)` \| [0-9][^\n]*)");
    for (std::sregex_iterator it(table.begin(), table.end(), row), end; it != end; ++it) {
        // A code the table keeps for other gates (one that handles requests in parallel) is not this one's.
        if (it->str().find("(parallel gates only)") == std::string::npos) {
            documented.insert((*it)[1].str());
        }
    }
    EXPECT_GT(sent.size(), 30u);
    EXPECT_EQ(sent, documented);
}

} // namespace
} // namespace sluice::gate
