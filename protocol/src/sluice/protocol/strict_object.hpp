#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace sluice::protocol {

// What was wrong with a document read through strict_object, and where (a JSON pointer, "" for the root).
// Thrown by strict_object and the readers built on it, and caught by the function that parses the whole
// document, which turns it into its own error result: the rules then read as a list, not a ladder of returns.
struct json_shape_error {
    std::string where;
    std::string what;

    // "at /items/1/path: must be ..."
    std::string message() const { return "at " + (where.empty() ? std::string("/") : where) + ": " + what; }
};

[[noreturn]] void shape_fail(std::string const& where, std::string const& what);

// One JSON object of a document nobody vouches for, read member by member. Members it was not told about
// are refused (a misspelt "acess" must not silently publish an item free), and every value is checked for
// kind and bounds as it is read.
class strict_object {
public:
    strict_object(nlohmann::json const& value, std::string where,
                  std::initializer_list<std::string_view> allowed);

    bool has(std::string_view key) const { return value_.contains(key); }
    std::string at(std::string_view key) const { return where_ + "/" + std::string(key); }
    std::string const& where() const { return where_; }

    nlohmann::json const& member(std::string_view key) const;
    std::string string(std::string_view key, std::size_t min_length, std::size_t max_length) const;
    std::uint64_t integer(std::string_view key, std::uint64_t min, std::uint64_t max) const;
    bool boolean(std::string_view key) const;
    nlohmann::json const& array(std::string_view key, std::size_t min_items, std::size_t max_items) const;

private:
    nlohmann::json const& value_;
    std::string where_;
};

// The largest integer JavaScript reads exactly: amounts and counts stay below it.
inline constexpr std::uint64_t max_safe_integer = 9007199254740991;

} // namespace sluice::protocol
