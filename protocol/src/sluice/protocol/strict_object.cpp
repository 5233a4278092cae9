#include "strict_object.hpp"

#include <algorithm>

namespace sluice::protocol {

using nlohmann::json;

void shape_fail(std::string const& where, std::string const& what) {
    throw json_shape_error{where, what};
}

strict_object::strict_object(json const& value, std::string where,
                             std::initializer_list<std::string_view> allowed)
    : value_(value), where_(std::move(where)) {
    if (!value_.is_object()) {
        shape_fail(where_, "must be an object");
    }
    for (auto const& [key, _] : value_.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            std::string list;
            for (auto const name : allowed) {
                list += (list.empty() ? "" : ", ") + std::string(name);
            }
            shape_fail(where_, "unknown member \"" + key.substr(0, 40) + "\" (allowed here: " + list + ")");
        }
    }
}

json const& strict_object::member(std::string_view key) const {
    auto const it = value_.find(key);
    if (it == value_.end()) {
        shape_fail(where_, "missing \"" + std::string(key) + "\"");
    }
    return *it;
}

std::string strict_object::string(std::string_view key, std::size_t min_length,
                                  std::size_t max_length) const {
    auto const& v = member(key);
    if (!v.is_string()) {
        shape_fail(at(key), "must be a string");
    }
    auto const& s = v.get_ref<std::string const&>();
    if (s.size() < min_length || s.size() > max_length) {
        shape_fail(at(key), min_length == 0 ? "must be at most " + std::to_string(max_length) + " bytes long"
                                            : "must be " + std::to_string(min_length) + " to " +
                                                  std::to_string(max_length) + " bytes long");
    }
    return s;
}

std::uint64_t strict_object::integer(std::string_view key, std::uint64_t min, std::uint64_t max) const {
    auto const& v = member(key);
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
        shape_fail(at(key), "must be a whole number of at least " + std::to_string(min));
    }
    auto const n = v.get<std::uint64_t>();
    if (n < min || n > max) {
        shape_fail(at(key), "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return n;
}

bool strict_object::boolean(std::string_view key) const {
    auto const& v = member(key);
    if (!v.is_boolean()) {
        shape_fail(at(key), "must be true or false");
    }
    return v.get<bool>();
}

json const& strict_object::array(std::string_view key, std::size_t min_items, std::size_t max_items) const {
    auto const& v = member(key);
    if (!v.is_array() || v.size() < min_items || v.size() > max_items) {
        shape_fail(at(key), "must be a list of " + std::to_string(min_items) + " to " +
                                std::to_string(max_items) + " entries");
    }
    return v;
}

} // namespace sluice::protocol
