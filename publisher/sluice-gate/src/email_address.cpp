#include "email_address.hpp"

#include <algorithm>

namespace sluice::gate {

namespace {

constexpr std::size_t max_address = 254; // RFC 5321's path limit minus the angle brackets
constexpr std::size_t max_local = 64;
constexpr std::size_t max_label = 63;

email_check refuse(std::string problem) {
    return {std::nullopt, std::move(problem)};
}

bool is_label_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

} // namespace

email_check normalise_email(std::string_view input) {
    auto const blank = [](char c) { return c == ' ' || c == '\t'; };
    while (!input.empty() && blank(input.front())) {
        input.remove_prefix(1);
    }
    while (!input.empty() && blank(input.back())) {
        input.remove_suffix(1);
    }
    if (input.empty()) {
        return refuse("the address is empty");
    }
    if (input.size() > max_address) {
        return refuse("the address is longer than 254 bytes");
    }
    for (char const c : input) {
        auto const u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) {
            return refuse("the address holds a space or a control character");
        }
    }
    auto const at = input.find('@');
    if (at == std::string_view::npos || input.find('@', at + 1) != std::string_view::npos) {
        return refuse("the address must hold exactly one '@'");
    }
    auto const local = input.substr(0, at);
    std::string domain(input.substr(at + 1));
    if (local.empty() || local.size() > max_local) {
        return refuse("the part before '@' must be 1 to 64 bytes");
    }
    if (local.find_first_of("\"(),:;<>[]\\") != std::string_view::npos) {
        return refuse("the part before '@' holds a character that needs quoting");
    }
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
        return refuse("the part before '@' has a misplaced '.'");
    }
    std::transform(domain.begin(), domain.end(), domain.begin(),
                   [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
    std::size_t labels = 0;
    std::size_t start = 0;
    while (true) {
        auto const dot = domain.find('.', start);
        auto const label = std::string_view(domain).substr(start, dot == std::string::npos ? std::string::npos
                                                                                           : dot - start);
        if (label.empty() || label.size() > max_label || label.front() == '-' || label.back() == '-' ||
            !std::all_of(label.begin(), label.end(), is_label_char)) {
            return refuse("the domain must be dot-separated labels of letters, digits and '-'");
        }
        ++labels;
        if (dot == std::string::npos) {
            break;
        }
        start = dot + 1;
    }
    if (labels < 2) {
        return refuse("the domain must have at least two labels");
    }
    return {std::string(local) + "@" + domain, {}};
}

} // namespace sluice::gate
