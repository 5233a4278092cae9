#include "stream/range_parser.hpp"

#include <algorithm>
#include <limits>
#include <optional>

namespace sluice::stream {

namespace {

constexpr std::uint64_t saturated = std::numeric_limits<std::uint64_t>::max();

void skip_ows(std::string_view& s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
}

// Reads 1+ digits; values that do not fit saturate (they only ever mean "beyond the end").
std::optional<std::uint64_t> read_number(std::string_view& s) {
    std::uint64_t value = 0;
    std::size_t n = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9') {
        auto const digit = static_cast<std::uint64_t>(s[n] - '0');
        value = value > (saturated - digit) / 10 ? saturated : value * 10 + digit;
        ++n;
    }
    if (n == 0) {
        return std::nullopt;
    }
    s.remove_prefix(n);
    return value;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

} // namespace

range_decision decide_range(std::string_view header, std::uint64_t size, std::size_t max_parts) {
    range_decision whole;
    auto const eq = header.find('=');
    if (header.empty() || eq == std::string_view::npos) {
        return whole;
    }
    auto unit = header.substr(0, eq);
    while (!unit.empty() && (unit.back() == ' ' || unit.back() == '\t')) {
        unit.remove_suffix(1);
    }
    if (!iequals(unit, "bytes")) {
        return whole;
    }
    std::string_view rest = header.substr(eq + 1);
    bool any_part = false;
    bool any_satisfiable = false;
    std::uint64_t lo = saturated;
    std::uint64_t hi = 0;
    std::size_t parts = 0;
    for (;;) {
        skip_ows(rest);
        if (rest.empty()) {
            break;
        }
        if (rest.front() == ',') { // empty list elements are allowed by the ABNF
            rest.remove_prefix(1);
            continue;
        }
        if (++parts > max_parts) {
            return whole;
        }
        std::uint64_t first = 0;
        std::uint64_t last = 0;
        if (rest.front() == '-') {
            rest.remove_prefix(1);
            auto const suffix = read_number(rest);
            if (!suffix) {
                return whole;
            }
            if (*suffix > 0 && size > 0) {
                first = size - std::min(*suffix, size);
                last = size - 1;
                any_satisfiable = true;
                lo = std::min(lo, first);
                hi = std::max(hi, last);
            }
        } else {
            auto const start = read_number(rest);
            if (!start || rest.empty() || rest.front() != '-') {
                return whole;
            }
            rest.remove_prefix(1);
            std::optional<std::uint64_t> end;
            if (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
                end = read_number(rest);
                if (*end < *start) {
                    return whole; // first-last with last < first makes the whole header invalid
                }
            }
            first = *start;
            if (first < size) {
                last = end ? std::min(*end, size - 1) : size - 1;
                any_satisfiable = true;
                lo = std::min(lo, first);
                hi = std::max(hi, last);
            }
        }
        any_part = true;
        skip_ows(rest);
        if (!rest.empty()) {
            if (rest.front() != ',') {
                return whole;
            }
            rest.remove_prefix(1);
        }
    }
    if (!any_part) {
        return whole;
    }
    if (!any_satisfiable) {
        return {range_outcome::unsatisfiable, 0, 0};
    }
    return {range_outcome::partial, lo, hi};
}

} // namespace sluice::stream
