#include "sluice-gate/request_body.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::gate {
namespace {

TEST(RequestBody, OnlyATranslationsTrackMayBeLargerThanAnyOtherRequest) {
    EXPECT_EQ(request_body_limit("POST", "/v1/bundles/les-veilleurs/translations"),
              max_translation_body_bytes);
    EXPECT_EQ(request_body_limit("POST", "/v1/bundles/les-veilleurs/translations?x=1"),
              max_translation_body_bytes);
    for (auto const& [method, target] : std::initializer_list<std::pair<char const*, char const*>>{
             {"GET", "/v1/bundles/les-veilleurs/translations"},
             {"POST", "/v1/bundles//translations"},
             {"POST", "/v1/bundles/a/b/translations"},
             {"POST", "/v1/bundles/les-veilleurs/translations/x"},
             {"POST", "/v1/bundles/les-veilleurs/unlock/email"},
             {"POST", "/v1/bundles/translations"},
         }) {
        EXPECT_EQ(request_body_limit(method, target), max_request_body_bytes) << method << " " << target;
    }
}

TEST(RequestBody, ABodyOverItsLimitIsA413NamingTheLimit) {
    auto const read_nothing = [](nlohmann::json const&) {};
    auto const big = "{\"a\":\"" + std::string(max_request_body_bytes, 'x') + "\"}";
    auto const refused = read_json_body(big, read_nothing);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 413u);
    EXPECT_NE(refused->body.find("larger than 65536 bytes"), std::string::npos);
    EXPECT_FALSE(read_json_body(big, read_nothing, max_translation_body_bytes));
}

} // namespace
} // namespace sluice::gate
