#include "untrusted_json.hpp"

#include <cstdint>

namespace sluice::protocol {

bool is_valid_utf8(std::string_view text) {
    auto const* p = reinterpret_cast<unsigned char const*>(text.data());
    auto const* end = p + text.size();
    while (p < end) {
        unsigned char const c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int extra = 0;
        std::uint32_t cp = 0;
        std::uint32_t min = 0;
        if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
            min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
            min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return false;
        }
        if (end - p <= extra) {
            return false;
        }
        for (int i = 1; i <= extra; ++i) {
            if ((p[i] & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        p += extra + 1;
    }
    return true;
}

namespace {

// One pass over the text counting nesting and values outside strings. It does not judge syntax (the
// parser does); it only decides whether the parser may run at all.
json_problem scan_shape(std::string_view text, json_limits const& limits, std::string& detail) {
    std::size_t depth = 0;
    std::size_t values = 1;
    bool in_string = false;
    bool escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char const c = text[i];
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        switch (c) {
        case '"':
            in_string = true;
            break;
        case '[':
        case '{':
            if (++depth > limits.max_depth) {
                detail = "JSON nested deeper than " + std::to_string(limits.max_depth) + " levels (at byte " +
                         std::to_string(i) + ")";
                return json_problem::too_deep;
            }
            break;
        case ']':
        case '}':
            if (depth > 0) {
                --depth;
            }
            break;
        case ',':
            if (++values > limits.max_values) {
                detail = "JSON holds more than " + std::to_string(limits.max_values) + " values";
                return json_problem::too_many_values;
            }
            break;
        default:
            break;
        }
    }
    return json_problem::none;
}

} // namespace

parsed_json parse_untrusted_json(std::string_view text, json_limits const& limits) {
    parsed_json out;
    if (!is_valid_utf8(text)) {
        out.problem = json_problem::invalid_utf8;
        out.detail = "text is not valid UTF-8";
        return out;
    }
    out.problem = scan_shape(text, limits, out.detail);
    if (out.problem != json_problem::none) {
        return out;
    }
    try {
        out.value = nlohmann::json::parse(text);
    } catch (nlohmann::json::out_of_range const&) {
        out.problem = json_problem::number_out_of_range;
        out.detail = "a number is out of range";
    } catch (nlohmann::json::parse_error const& e) {
        out.problem = json_problem::syntax;
        out.detail = "invalid JSON at byte " + std::to_string(e.byte);
    }
    if (out.problem != json_problem::none) {
        out.value = nullptr;
    }
    return out;
}

std::string dump_compact(nlohmann::json const& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace sluice::protocol
