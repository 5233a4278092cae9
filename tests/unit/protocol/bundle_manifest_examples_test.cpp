#include "json_schema.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::pair<std::string, json>> manifests(std::string const& folder) {
    std::vector<std::pair<std::string, json>> out;
    for (auto const& e : fs::directory_iterator(protocol_dir() / "examples" / "bundles" / folder)) {
        out.emplace_back(e.path().filename().string(), read_json(e.path()).at("manifest"));
    }
    return out;
}

TEST(BundleManifestExamples, ValidOnesValidateAndInvalidOnesDoNot) {
    json_schema const schema(read_json(protocol_dir() / "schema" / "bundle-manifest.json"));
    auto const valid = manifests("valid");
    ASSERT_GE(valid.size(), 2u);
    for (auto const& [name, manifest] : valid) {
        auto const errors = schema.validate(manifest);
        EXPECT_TRUE(errors.empty()) << name << ": " << (errors.empty() ? "" : errors.front());
    }
    auto const invalid = manifests("invalid");
    ASSERT_GE(invalid.size(), 5u);
    for (auto const& [name, manifest] : invalid) {
        EXPECT_FALSE(schema.validate(manifest).empty()) << name << " validates but should not";
    }
}

} // namespace
} // namespace sluice::testing
