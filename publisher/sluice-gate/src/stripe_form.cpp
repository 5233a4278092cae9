#include "sluice-gate/stripe_form.hpp"

namespace sluice::gate {

std::string form_escape(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char const ch : text) {
        auto const c = static_cast<unsigned char>(ch);
        bool const unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '_' || c == '.' || c == '~';
        // Brackets in names are part of the syntax, and Stripe reads them escaped or not: escaped is safe.
        if (unreserved) {
            out.push_back(ch);
        } else if (c == ' ') {
            out.push_back('+');
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0x0f]);
        }
    }
    return out;
}

stripe_form& stripe_form::add(std::string_view name, std::string_view value) {
    if (!body_.empty()) {
        body_.push_back('&');
    }
    body_ += form_escape(name);
    body_.push_back('=');
    body_ += form_escape(value);
    return *this;
}

stripe_form& stripe_form::add(std::string_view name, std::uint64_t value) {
    return add(name, std::to_string(value));
}

stripe_form& stripe_form::add_map(std::string_view prefix,
                                  std::vector<std::pair<std::string, std::string>> const& pairs) {
    for (auto const& [key, value] : pairs) {
        add(std::string(prefix) + "[" + key + "]", value);
    }
    return *this;
}

} // namespace sluice::gate
