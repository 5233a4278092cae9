#include "sluice-gate/email_address.hpp"

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

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// The code point of the UTF-8 sequence at `text[i]`, advancing `i` past it; nullopt when it is not valid
// UTF-8 (overlong, surrogate, cut short, beyond U+10FFFF).
std::optional<char32_t> next_code_point(std::string_view text, std::size_t& i) {
    auto const lead = static_cast<unsigned char>(text[i]);
    int const extra = lead < 0x80             ? 0
                      : (lead & 0xE0) == 0xC0 ? 1
                      : (lead & 0xF0) == 0xE0 ? 2
                      : (lead & 0xF8) == 0xF0 ? 3
                                              : -1;
    if (extra < 0 || text.size() - i <= static_cast<std::size_t>(extra)) {
        return std::nullopt;
    }
    char32_t cp = extra == 0 ? lead : lead & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
        auto const c = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
        if ((c & 0xC0) != 0x80) {
            return std::nullopt;
        }
        cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr char32_t min_for[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_for[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return std::nullopt;
    }
    i += static_cast<std::size_t>(extra) + 1;
    return cp;
}

// Control characters (C0, DEL, C1) and Unicode's White_Space: none belongs in an address a person typed,
// and U+0085 (NEL), U+2028 and U+2029 are line breaks to some mail software, which would end the To:
// header there.
bool is_space_or_control(char32_t cp) {
    return cp <= 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
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
    for (std::size_t i = 0; i < input.size();) {
        auto const cp = next_code_point(input, i);
        if (!cp) {
            return refuse("the address is not valid UTF-8");
        }
        if (is_space_or_control(*cp)) {
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
    std::string_view last_label;
    while (true) {
        auto const dot = domain.find('.', start);
        auto const label = std::string_view(domain).substr(start, dot == std::string::npos ? std::string::npos
                                                                                           : dot - start);
        if (label.empty() || label.size() > max_label || label.front() == '-' || label.back() == '-' ||
            !std::all_of(label.begin(), label.end(), is_label_char)) {
            return refuse("the domain must be dot-separated labels of letters, digits and '-'");
        }
        ++labels;
        last_label = label;
        if (dot == std::string::npos) {
            break;
        }
        start = dot + 1;
    }
    if (labels < 2) {
        return refuse("the domain must have at least two labels");
    }
    // No top-level domain is all digits (RFC 3696, 2): such a domain is an IP address in disguise
    // (127.0.0.1, or 127.1 and 0x7f.1 as inet_aton reads them), which a mail server would connect to.
    if (std::all_of(last_label.begin(), last_label.end(), is_digit)) {
        return refuse("the domain must be a name, not an IP address");
    }
    return {std::string(local) + "@" + domain, {}};
}

} // namespace sluice::gate
