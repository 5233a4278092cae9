#pragma once

#include "json_schema.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

namespace sluice::testing {

// Expects `value` to match `$defs/<def>` of protocol/schema/native-messaging.json: every host reply and event
// a test sees is checked against the published protocol.
inline void expect_schema(nlohmann::json const& value, std::string const& def) {
    static json_schema const schema = [] {
        std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/protocol/schema/native-messaging.json");
        return json_schema(nlohmann::json::parse(in));
    }();
    auto const errors = schema.validate(value, "/$defs/" + def);
    EXPECT_TRUE(errors.empty()) << def << ": " << (errors.empty() ? "" : errors.front()) << " in "
                                << value.dump().substr(0, 400);
}

} // namespace sluice::testing
