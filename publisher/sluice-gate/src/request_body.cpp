#include "sluice-gate/request_body.hpp"

#include "sluice-gate/api_error.hpp"

#include <sluice/protocol/strict_object.hpp>
#include <sluice/protocol/untrusted_json.hpp>

namespace sluice::gate {

std::size_t request_body_limit(std::string_view method, std::string_view target) {
    target = target.substr(0, target.find('?'));
    constexpr std::string_view bundles = "/v1/bundles/";
    constexpr std::string_view translations = "/translations";
    bool const translation =
        method == "POST" && target.starts_with(bundles) && target.ends_with(translations) &&
        target.size() > bundles.size() + translations.size() &&
        target.substr(bundles.size(), target.size() - bundles.size() - translations.size()).find('/') ==
            std::string_view::npos;
    return translation ? max_translation_body_bytes : max_request_body_bytes;
}

std::optional<gate_response> read_json_body(std::string_view body,
                                            std::function<void(nlohmann::json const&)> const& read,
                                            std::size_t limit) {
    if (body.size() > limit) {
        return error_response(413, error_code::body_too_large,
                              "the request body is larger than " + std::to_string(limit) + " bytes");
    }
    auto parsed = protocol::parse_untrusted_json(body, {.max_depth = 4, .max_values = 256});
    if (!parsed) {
        return error_response(400, error_code::malformed_json,
                              "the body is not acceptable JSON: " + parsed.detail);
    }
    try {
        read(parsed.value);
    } catch (protocol::json_shape_error const& e) {
        return error_response(400, error_code::invalid_request, e.message());
    } catch (nlohmann::json::exception const&) {
        // strict_object checks kinds before reading, so this is a reader's own slip; still a client's 400.
        return error_response(400, error_code::invalid_request, "the body does not have the expected shape");
    }
    return std::nullopt;
}

} // namespace sluice::gate
