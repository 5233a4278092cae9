#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::protocol {

// Limits applied to JSON text from outside the process before the parser builds anything from it. Depth
// guards the parser's stack and the destructor's recursion; the value count bounds memory to a small
// multiple of the text size whatever its shape (8 MiB of "[{},{},...]" would otherwise cost ~200 MiB).
struct json_limits {
    std::size_t max_depth = 64;
    std::size_t max_values = 1'000'000;
};

enum class json_problem {
    none,
    invalid_utf8,
    too_deep,
    too_many_values,
    syntax,
    number_out_of_range,
    duplicate_member, // an object names the same member twice, at any depth
};

struct parsed_json {
    nlohmann::json value;
    json_problem problem = json_problem::none;
    // For a person: what was wrong and where (byte offset), never the offending text itself.
    std::string detail;

    explicit operator bool() const { return problem == json_problem::none; }
};

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text);

// Parses text that nobody vouches for. Never throws; on failure `value` is null and `problem` says why.
// Stricter than nlohmann::json::parse: an object that names a member twice is refused, not read as its last.
parsed_json parse_untrusted_json(std::string_view text, json_limits const& limits = {});

// Serialises for the wire. Invalid UTF-8 cannot come from parsed input, but strings built from other
// sources (file names on disk) might carry it: it is replaced rather than thrown on.
std::string dump_compact(nlohmann::json const& value);

} // namespace sluice::protocol
