#include "router.hpp"

#include "api_error.hpp"
#include "bundle_handlers.hpp"
#include "email_handlers.hpp"
#include "pledge_handlers.hpp"

#include <string_view>
#include <vector>

namespace sluice::gate {

namespace {

std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    // Path must be absolute; an empty segment ("//", a trailing '/') matches no route.
    if (path.empty() || path.front() != '/') {
        return out;
    }
    path.remove_prefix(1);
    while (true) {
        auto const slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) {
            break;
        }
        path.remove_prefix(slash + 1);
    }
    return out;
}

gate_response wrong_method(std::string_view allowed) {
    auto res = error_response(405, error_code::method_not_allowed, "use " + std::string(allowed) + " here");
    res.headers.emplace_back("Allow", std::string(allowed));
    return res;
}

gate_response route(gate_context& ctx, gate_request const& req) {
    std::string_view target = req.target;
    // The query string carries nothing for any route.
    target = target.substr(0, target.find('?'));
    auto const s = segments(target);
    auto const is = [&](std::initializer_list<std::string_view> pattern) {
        if (s.size() != pattern.size()) {
            return false;
        }
        std::size_t i = 0;
        for (auto const p : pattern) {
            // "*" is an id's place.
            if (p != "*" && s[i] != p) {
                return false;
            }
            ++i;
        }
        return true;
    };
    if (is({"v1", "bundles", "*"})) {
        return req.method == "GET" ? handle_bundle_status(ctx, s[2]) : wrong_method("GET");
    }
    if (is({"v1", "bundles", "*", "unlock", "email"})) {
        return req.method == "POST" ? handle_email_unlock(ctx, req, s[2]) : wrong_method("POST");
    }
    if (is({"v1", "bundles", "*", "unlock", "email", "confirm"})) {
        return req.method == "POST" ? handle_email_confirm(ctx, req, s[2]) : wrong_method("POST");
    }
    if (is({"v1", "campaigns", "*"})) {
        return req.method == "GET" ? handle_campaign_status(ctx, s[2]) : wrong_method("GET");
    }
    if (is({"v1", "campaigns", "*", "pledges"})) {
        return req.method == "POST" ? handle_pledge(ctx, req, s[2]) : wrong_method("POST");
    }
    if (is({"v1", "campaigns", "*", "pledges", "*"})) {
        return req.method == "GET" ? handle_pledge_status(ctx, s[2], s[4]) : wrong_method("GET");
    }
    if (is({"v1", "campaigns", "*", "pledges", "*", "cancel"})) {
        return req.method == "POST" ? handle_pledge_cancel(ctx, s[2], s[4]) : wrong_method("POST");
    }
    if (is({"b", "*"})) {
        return req.method == "GET" ? handle_landing_page(ctx, s[1]) : wrong_method("GET");
    }
    return error_response(404, error_code::not_found, "no such path");
}

} // namespace

gate_response handle_request(gate_context& ctx, gate_request const& req) {
    try {
        return route(ctx, req);
    } catch (std::exception const&) {
        // Allocation failure or a library's surprise: the request was not carried out.
        return error_response(500, error_code::internal_error, "the request could not be handled");
    }
}

} // namespace sluice::gate
