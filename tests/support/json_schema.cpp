#include "json_schema.hpp"

#include <sluice/protocol/keys.hpp>

#include <fstream>
#include <regex>
#include <set>

namespace sluice::testing {

std::filesystem::path protocol_dir() {
    return std::filesystem::path(SLUICE_SOURCE_DIR) / "protocol";
}

nlohmann::json read_json(std::filesystem::path const& file) {
    std::ifstream in(file);
    return nlohmann::json::parse(in);
}

namespace {

std::set<std::string> const annotations = {"$schema", "$id", "$comment", "title", "description", "$defs"};

bool has_type(nlohmann::json const& instance, std::string const& type) {
    if (type == "object") {
        return instance.is_object();
    }
    if (type == "array") {
        return instance.is_array();
    }
    if (type == "string") {
        return instance.is_string();
    }
    if (type == "integer") {
        return instance.is_number_integer() ||
               (instance.is_number_float() &&
                instance.get<double>() == static_cast<double>(instance.get<long long>()));
    }
    if (type == "number") {
        return instance.is_number();
    }
    if (type == "boolean") {
        return instance.is_boolean();
    }
    if (type == "null") {
        return instance.is_null();
    }
    return false;
}

std::size_t code_points(std::string const& s) {
    std::size_t n = 0;
    for (unsigned char c : s) {
        n += (c & 0xC0) != 0x80;
    }
    return n;
}

// JSON Schema equality: numbers compare by value whatever their representation.
bool json_equal(nlohmann::json const& a, nlohmann::json const& b) {
    if (a.is_number() && b.is_number()) {
        return a.get<double>() == b.get<double>();
    }
    return a == b;
}

} // namespace

json_schema::json_schema(nlohmann::json root) : root_(std::move(root)) {}

bool json_schema::has(std::string const& pointer) const {
    return root_.contains(nlohmann::json::json_pointer(pointer));
}

std::vector<std::string> json_schema::validate(nlohmann::json const& instance,
                                               std::string const& pointer) const {
    std::vector<std::string> errors;
    if (!has(pointer)) {
        errors.push_back("schema has nothing at " + pointer);
        return errors;
    }
    check(root_.at(nlohmann::json::json_pointer(pointer)), instance, "", errors);
    return errors;
}

void json_schema::check(nlohmann::json const& schema, nlohmann::json const& instance, std::string const& path,
                        std::vector<std::string>& errors) const {
    auto const where = path.empty() ? std::string("/") : path;
    if (schema.is_boolean()) {
        if (!schema.get<bool>()) {
            errors.push_back(where + ": no value is allowed here");
        }
        return;
    }
    for (auto const& [key, value] : schema.items()) {
        if (annotations.count(key)) {
            continue;
        }
        if (key == "$ref") {
            auto const ref = value.get<std::string>();
            if (ref.rfind("#", 0) != 0 || !has(ref.substr(1))) {
                errors.push_back(where + ": unresolvable $ref " + ref);
                continue;
            }
            check(root_.at(nlohmann::json::json_pointer(ref.substr(1))), instance, path, errors);
        } else if (key == "type") {
            bool ok = false;
            if (value.is_string()) {
                ok = has_type(instance, value.get<std::string>());
            } else {
                for (auto const& t : value) {
                    ok = ok || has_type(instance, t.get<std::string>());
                }
            }
            if (!ok) {
                errors.push_back(where + ": expected type " + value.dump() + ", got " + instance.type_name());
            }
        } else if (key == "const") {
            if (!json_equal(instance, value)) {
                errors.push_back(where + ": must be " + value.dump());
            }
        } else if (key == "enum") {
            bool found = false;
            for (auto const& option : value) {
                found = found || json_equal(instance, option);
            }
            if (!found) {
                errors.push_back(where + ": " + instance.dump() + " is not one of " + value.dump());
            }
        } else if (key == "properties") {
            if (instance.is_object()) {
                for (auto const& [name, sub] : value.items()) {
                    if (instance.contains(name)) {
                        check(sub, instance.at(name), path + "/" + name, errors);
                    }
                }
            }
        } else if (key == "required") {
            if (instance.is_object()) {
                for (auto const& name : value) {
                    if (!instance.contains(name.get<std::string>())) {
                        errors.push_back(where + ": missing " + name.get<std::string>());
                    }
                }
            }
        } else if (key == "additionalProperties") {
            if (instance.is_object()) {
                auto const props = schema.value("properties", nlohmann::json::object());
                for (auto const& [name, member] : instance.items()) {
                    if (!props.contains(name)) {
                        if (value.is_boolean() && !value.get<bool>()) {
                            errors.push_back(where + ": unexpected member " + name);
                        } else {
                            check(value, member, path + "/" + name, errors);
                        }
                    }
                }
            }
        } else if (key == "items") {
            if (instance.is_array()) {
                for (std::size_t i = 0; i < instance.size(); ++i) {
                    check(value, instance[i], path + "/" + std::to_string(i), errors);
                }
            }
        } else if (key == "minItems" || key == "maxItems") {
            if (instance.is_array()) {
                auto const n = value.get<std::size_t>();
                if (key == "minItems" ? instance.size() < n : instance.size() > n) {
                    errors.push_back(where + ": " + key + " " + std::to_string(n));
                }
            }
        } else if (key == "uniqueItems") {
            if (instance.is_array() && value.get<bool>()) {
                for (std::size_t i = 0; i < instance.size(); ++i) {
                    for (std::size_t j = i + 1; j < instance.size(); ++j) {
                        if (json_equal(instance[i], instance[j])) {
                            errors.push_back(where + ": items must be unique");
                        }
                    }
                }
            }
        } else if (key == "minLength" || key == "maxLength") {
            if (instance.is_string()) {
                auto const n = value.get<std::size_t>();
                auto const len = code_points(instance.get<std::string>());
                if (key == "minLength" ? len < n : len > n) {
                    errors.push_back(where + ": " + key + " " + std::to_string(n));
                }
            }
        } else if (key == "pattern") {
            if (instance.is_string() &&
                !std::regex_search(instance.get<std::string>(), std::regex(value.get<std::string>()))) {
                errors.push_back(where + ": does not match " + value.get<std::string>());
            }
        } else if (key == "minimum" || key == "maximum") {
            if (instance.is_number()) {
                auto const bound = value.get<double>();
                auto const x = instance.get<double>();
                if (key == "minimum" ? x < bound : x > bound) {
                    errors.push_back(where + ": " + key + " " + value.dump());
                }
            }
        } else if (key == "oneOf" || key == "anyOf" || key == "allOf") {
            std::size_t passing = 0;
            for (auto const& sub : value) {
                std::vector<std::string> sub_errors;
                check(sub, instance, path, sub_errors);
                passing += sub_errors.empty();
            }
            bool const ok = key == "oneOf"   ? passing == 1
                            : key == "anyOf" ? passing >= 1
                                             : passing == value.size();
            if (!ok) {
                errors.push_back(where + ": " + std::to_string(passing) + " of " +
                                 std::to_string(value.size()) + " subschemas match (" + key + ")");
            }
        } else {
            errors.push_back(where + ": schema keyword \"" + key + "\" is not supported by this validator");
        }
    }
}

std::vector<std::string> signed_envelope_problems(json_schema const& schema, std::string const& text) {
    auto const envelope = nlohmann::json::parse(text, nullptr, false);
    if (envelope.is_discarded()) {
        return {"not JSON"};
    }
    auto errors = schema.validate(envelope);
    if (!errors.empty()) {
        return errors;
    }
    auto const payload = protocol::from_base64(envelope.at("payload").get<std::string>());
    auto const body = payload ? nlohmann::json::parse(*payload, nullptr, false) : nlohmann::json();
    if (!payload || body.is_discarded()) {
        return {"payload is not base64 of JSON"};
    }
    return schema.validate(body, "/$defs/body");
}

} // namespace sluice::testing
