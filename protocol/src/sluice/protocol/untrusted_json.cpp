#include "untrusted_json.hpp"

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

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

// Builds the value as nlohmann's DOM parser does, but stops at an object member named a second time in the
// same object. nlohmann and JSON.parse keep the last, other readers the first, and a request or a signed
// document must mean one thing to every reader: refusing is the one safe answer. The check is the insertion
// the DOM parser makes anyway, so it costs nothing extra (nlohmann's parser callback would see duplicates
// too, at ten times the cost of the parse).
class strict_dom_builder {
public:
    using json = nlohmann::json;

    bool null() { return value(nullptr); }
    bool boolean(bool v) { return value(v); }
    bool number_integer(json::number_integer_t v) { return value(v); }
    bool number_unsigned(json::number_unsigned_t v) { return value(v); }
    bool number_float(json::number_float_t v, json::string_t const&) { return value(v); }
    bool string(json::string_t& v) { return value(std::move(v)); }
    bool binary(json::binary_t& v) { return value(json::binary(std::move(v))); }

    bool start_object(std::size_t) {
        open_.push_back(put(json::object()));
        return true;
    }
    bool key(json::string_t& name) {
        auto& members = open_.back()->get_ref<json::object_t&>();
        // try_emplace leaves `name` alone when the member is there already.
        auto const [it, inserted] = members.try_emplace(std::move(name));
        if (!inserted) {
            problem_ = json_problem::duplicate_member;
            detail_ = "an object names the same member twice";
            return false;
        }
        slot_ = &it->second;
        return true;
    }
    bool end_object() {
        open_.pop_back();
        return true;
    }
    bool start_array(std::size_t) {
        open_.push_back(put(json::array()));
        return true;
    }
    bool end_array() {
        open_.pop_back();
        return true;
    }

    template <typename Exception>
    bool parse_error(std::size_t, std::string const&, Exception const& e) {
        if constexpr (std::is_same_v<Exception, json::out_of_range>) {
            problem_ = json_problem::number_out_of_range;
            detail_ = "a number is out of range";
        } else if constexpr (std::is_same_v<Exception, json::parse_error>) {
            problem_ = json_problem::syntax;
            detail_ = "invalid JSON at byte " + std::to_string(e.byte);
        } else {
            problem_ = json_problem::syntax;
            detail_ = "invalid JSON";
        }
        return false;
    }

    json& root() { return root_; }
    json_problem problem() const { return problem_; }
    std::string& detail() { return detail_; }

private:
    bool value(json&& v) {
        put(std::move(v));
        return true;
    }

    // Where a value goes: the root, the end of the innermost array, or the member key() just made.
    json* put(json&& v) {
        if (open_.empty()) {
            root_ = std::move(v);
            return &root_;
        }
        if (open_.back()->is_array()) {
            auto& items = open_.back()->get_ref<json::array_t&>();
            items.push_back(std::move(v));
            return &items.back();
        }
        *slot_ = std::move(v);
        return slot_;
    }

    json root_;
    std::vector<json*> open_; // the objects and arrays not yet closed, innermost last
    json* slot_ = nullptr;
    json_problem problem_ = json_problem::none;
    std::string detail_;
};

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
    strict_dom_builder builder;
    if (nlohmann::json::sax_parse(text, &builder)) {
        out.value = std::move(builder.root());
        return out;
    }
    out.problem = builder.problem() == json_problem::none ? json_problem::syntax : builder.problem();
    out.detail = builder.detail().empty() ? "invalid JSON" : std::move(builder.detail());
    return out;
}

std::string dump_compact(nlohmann::json const& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace sluice::protocol
