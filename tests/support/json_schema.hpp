#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace sluice::testing {

// The source tree's protocol/ folder: schema, golden and wrong examples.
std::filesystem::path protocol_dir();
// A JSON file, parsed (throws if it is not JSON).
nlohmann::json read_json(std::filesystem::path const& file);

// A JSON Schema (2020-12) validator for the subset protocol/schema uses: type, const, enum, properties,
// required, additionalProperties, items, min/maxItems, uniqueItems, min/maxLength, pattern, minimum,
// maximum, oneOf, anyOf, allOf and local $ref. A keyword outside that subset is reported as an error
// rather than ignored, so the schema cannot quietly say more than the tests check.
class json_schema {
public:
    explicit json_schema(nlohmann::json root);

    // Validates `instance` against the schema at `pointer` ("" is the root, "/$defs/x" a definition).
    // Returns the problems found, each as "<instance path>: <what>"; empty means valid.
    std::vector<std::string> validate(nlohmann::json const& instance, std::string const& pointer = "") const;

    bool has(std::string const& pointer) const;

private:
    void check(nlohmann::json const& schema, nlohmann::json const& instance, std::string const& path,
               std::vector<std::string>& errors) const;

    nlohmann::json root_;
};

// A signed text of protocol/ (an unlock token, a translation add-on) against its schema: the envelope at the
// root, then its payload decoded from base64 at "/$defs/body". The problems found; empty means both fit.
std::vector<std::string> signed_envelope_problems(json_schema const& schema, std::string const& text);

} // namespace sluice::testing
