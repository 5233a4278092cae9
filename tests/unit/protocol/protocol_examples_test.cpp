#include "json_schema.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

namespace sluice::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json_schema const& schema() {
    static json_schema const s(read_json(protocol_dir() / "schema" / "native-messaging.json"));
    return s;
}

// All problems with one golden example: the envelope against the root schema, then (when the example
// names its method) params, result or event params against that method's definition.
std::vector<std::string> problems(json const& example) {
    auto const& message = example.at("message");
    auto errors = schema().validate(message);
    if (!example.contains("method")) {
        return errors;
    }
    auto const method = example.at("method").get<std::string>();
    auto const kind = example.at("kind").get<std::string>();
    std::vector<std::string> more;
    if (kind == "request") {
        more = schema().validate(message.value("params", json::object()), "/$defs/" + method + ".params");
    } else if (kind == "result" && message.contains("result")) {
        more = schema().validate(message.at("result"), "/$defs/" + method + ".result");
    } else if (kind == "event") {
        more = schema().validate(message.value("params", json::object()), "/$defs/" + method + ".event");
    }
    errors.insert(errors.end(), more.begin(), more.end());
    return errors;
}

std::vector<fs::path> examples_in(std::string const& folder) {
    std::vector<fs::path> files;
    for (auto const& entry : fs::directory_iterator(protocol_dir() / "examples" / folder)) {
        if (entry.path().extension() == ".json") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

TEST(ProtocolExamples, EveryValidExampleValidates) {
    auto const files = examples_in("valid");
    ASSERT_GE(files.size(), 5u);
    for (auto const& f : files) {
        auto const errors = problems(read_json(f));
        EXPECT_TRUE(errors.empty()) << f.filename() << ": " << (errors.empty() ? "" : errors.front());
    }
}

TEST(ProtocolExamples, EveryInvalidExampleIsRejected) {
    auto const files = examples_in("invalid");
    ASSERT_GE(files.size(), 5u);
    for (auto const& f : files) {
        EXPECT_FALSE(problems(read_json(f)).empty()) << f.filename() << " validates but should not";
    }
}

TEST(ProtocolExamples, EveryMethodHasParamsAndResultDefinitions) {
    for (auto const& f : examples_in("valid")) {
        auto const example = read_json(f);
        if (example.contains("method") && example.at("kind") != "event") {
            auto const m = example.at("method").get<std::string>();
            EXPECT_TRUE(schema().has("/$defs/" + m + ".params")) << m;
            EXPECT_TRUE(schema().has("/$defs/" + m + ".result")) << m;
        }
    }
}

TEST(ProtocolExamples, SchemaErrorCodesAreTheListedOnes) {
    auto const listed = read_json(protocol_dir() / "errors.json");
    std::vector<int> codes;
    for (auto const& [group, entries] : listed.items()) {
        if (!entries.is_array()) {
            continue;
        }
        for (auto const& e : entries) {
            codes.push_back(e.at("code").get<int>());
        }
    }
    auto const root = read_json(protocol_dir() / "schema" / "native-messaging.json");
    auto schema_codes =
        root.at("$defs").at("error_object").at("properties").at("code").at("enum").get<std::vector<int>>();
    std::sort(codes.begin(), codes.end());
    std::sort(schema_codes.begin(), schema_codes.end());
    EXPECT_EQ(codes, schema_codes);
}

TEST(JsonSchemaSubset, RefusesKeywordsItDoesNotImplement) {
    json_schema const s(json::parse(R"({"type":"string","format":"email"})"));
    EXPECT_FALSE(s.validate("a@b").empty());
}

TEST(JsonSchemaSubset, ChecksTheBasics) {
    json_schema const s(json::parse(R"({"type":"object","required":["a"],"properties":{"a":{"type":"integer",
        "minimum":1}},"additionalProperties":false})"));
    EXPECT_TRUE(s.validate(json::parse(R"({"a":2})")).empty());
    EXPECT_FALSE(s.validate(json::parse(R"({"a":0})")).empty());
    EXPECT_FALSE(s.validate(json::parse(R"({"a":1,"b":1})")).empty());
    EXPECT_FALSE(s.validate(json::parse(R"({})")).empty());
    EXPECT_FALSE(s.validate(json::parse(R"({"a":"1"})")).empty());
}

} // namespace
} // namespace sluice::testing
