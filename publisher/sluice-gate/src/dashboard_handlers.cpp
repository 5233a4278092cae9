#include "sluice-gate/dashboard_handlers.hpp"

#include "sluice-gate/admin_commands.hpp"
#include "sluice-gate/api_error.hpp"
#include "sluice-gate/constant_time.hpp"
#include "sluice-gate/creator_figures.hpp"
#include "sluice-gate/dashboard_pages.hpp"
#include "sluice-gate/static_assets.hpp"
#include "sluice-gate/translation_review.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <algorithm>

namespace sluice::gate {

namespace {

// How long a login lasts.
constexpr int login_seconds = 12 * 3600;

// The pages load only the gate's own files and send nothing anywhere; a translation's preview plays a video
// the creator picks on their disk, and its track, from blob: URLs the page makes.
constexpr char const* page_policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' "
                                    "data:; media-src blob:; form-action 'self'; frame-ancestors 'none'; "
                                    "base-uri 'none'";

gate_response html(std::string body, unsigned status = 200) {
    gate_response res;
    res.status = status;
    res.content_type = "text/html; charset=utf-8";
    res.body = std::move(body);
    res.headers.emplace_back("Content-Security-Policy", page_policy);
    res.headers.emplace_back("Cache-Control", "no-store");
    // Not no-referrer: with it a form posts "Origin: null", which from_elsewhere refuses.
    res.headers.emplace_back("Referrer-Policy", "same-origin");
    res.headers.emplace_back("X-Frame-Options", "DENY");
    return res;
}

// A redirect relative to the page asked for, so that a gate behind a proxy under its own path still works.
gate_response see(std::string location, std::string cookie = {}) {
    gate_response res;
    res.status = 303;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "See " + location + "\n";
    res.headers.emplace_back("Location", std::move(location));
    res.headers.emplace_back("Cache-Control", "no-store");
    if (!cookie.empty()) {
        res.headers.emplace_back("Set-Cookie", std::move(cookie));
    }
    return res;
}

// The cookie's value: the token in hex, since a token file may hold bytes a cookie cannot carry.
std::string cookie_value(std::string_view token) {
    return protocol::to_hex({reinterpret_cast<unsigned char const*>(token.data()), token.size()});
}

// The value of cookie `name` in the request's Cookie headers, or "".
std::string cookie_of(gate_request const& req, std::string_view name) {
    for (auto const& [header, value] : req.headers) {
        if (header != "cookie") {
            continue;
        }
        std::string_view rest = value;
        while (!rest.empty()) {
            auto const end = std::min(rest.find(';'), rest.size());
            auto pair = rest.substr(0, end);
            rest.remove_prefix(std::min(end + 1, rest.size()));
            pair.remove_prefix(std::min(pair.find_first_not_of(' '), pair.size()));
            if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
                pair[name.size()] == '=') {
                return std::string(pair.substr(name.size() + 1));
            }
        }
    }
    return {};
}

bool logged_in(gate_context const& ctx, gate_request const& req) {
    auto const value = cookie_of(req, admin_cookie);
    return !value.empty() && equal_in_constant_time(value, cookie_value(ctx.admin_token));
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = static_cast<char>(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// Field `name` of an application/x-www-form-urlencoded body, decoded; "" when absent or badly encoded.
std::string form_field(std::string_view body, std::string_view name) {
    while (!body.empty()) {
        auto const end = std::min(body.find('&'), body.size());
        auto const pair = body.substr(0, end);
        body.remove_prefix(std::min(end + 1, body.size()));
        if (pair.size() <= name.size() || pair.substr(0, name.size()) != name || pair[name.size()] != '=') {
            continue;
        }
        std::string out;
        auto const encoded = pair.substr(name.size() + 1);
        for (std::size_t i = 0; i < encoded.size(); ++i) {
            if (encoded[i] == '+') {
                out += ' ';
            } else if (encoded[i] != '%') {
                out += encoded[i];
            } else if (i + 2 < encoded.size() && hex_digit(encoded[i + 1]) >= 0 &&
                       hex_digit(encoded[i + 2]) >= 0) {
                out += static_cast<char>(hex_digit(encoded[i + 1]) * 16 + hex_digit(encoded[i + 2]));
                i += 2;
            } else {
                return {};
            }
        }
        return out;
    }
    return {};
}

// A form sent from another site is refused: the browser names the page's origin, which must be this gate's.
bool from_elsewhere(gate_request const& req) {
    auto const* origin = req.header("origin");
    auto const* host = req.header("host");
    if (!origin) {
        return false;
    }
    auto const scheme_end = origin->find("://");
    return !host || scheme_end == std::string::npos || origin->substr(scheme_end + 3) != *host;
}

gate_response login(gate_context& ctx, gate_request const& req) {
    if (from_elsewhere(req)) {
        return error_response(403, error_code::unauthorized, "a login must come from this gate's own page");
    }
    if (ctx.admin_logins->acquire(req.client_ip, ctx.steady_now()).count() != 0) {
        return html(render_login_page("Too many attempts from this address: wait a few minutes."), 429);
    }
    auto const token = form_field(req.body, "token");
    if (token.empty() || !equal_in_constant_time(token, ctx.admin_token)) {
        return html(render_login_page("That is not this gate's admin token."), 401);
    }
    return see("./", std::string(admin_cookie) + "=" + cookie_value(ctx.admin_token) + "; Max-Age=" +
                         std::to_string(login_seconds) + "; HttpOnly; Secure; SameSite=Strict");
}

gate_response asset(std::string_view name) {
    auto const assets = dashboard_assets();
    auto const found =
        std::find_if(assets.begin(), assets.end(), [&](static_asset const& a) { return a.name == name; });
    if (found == assets.end()) {
        return error_response(404, error_code::not_found, "no such path");
    }
    gate_response res;
    res.content_type = std::string(found->content_type) + "; charset=utf-8";
    res.body = std::string(found->body);
    res.headers.emplace_back("Cache-Control", "public, max-age=3600");
    res.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return res;
}

// A figures page, or the error of its figures (an unknown id is 404, as HTML a person can read).
gate_response figures_page(admin_outcome const& outcome, std::string (*render)(nlohmann::json const&)) {
    if (!outcome.done()) {
        return html(
            std::string("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not "
                        "found</title></head><body><main><p>") +
                (outcome.status == 404 ? "Nothing by that name here." : "The figures cannot be read now.") +
                "</p><p><a href=\"../\">Overview</a></p></main></body></html>\n",
            outcome.status);
    }
    return html(render(outcome.body));
}

} // namespace

gate_response handle_dashboard(gate_context& ctx, gate_request const& req,
                               std::vector<std::string_view> const& path) {
    if (ctx.admin_token.empty()) {
        return error_response(404, error_code::not_found, "no such path");
    }
    auto const is = [&](std::initializer_list<std::string_view> pattern) {
        return path.size() == pattern.size() &&
               std::equal(pattern.begin(), pattern.end(), path.begin(),
                          [](std::string_view p, std::string_view s) { return p == "*" || p == s; });
    };
    if (is({"admin"})) {
        return see("admin/");
    }
    if (is({"admin", "assets", "*"})) {
        return req.method == "GET" ? asset(path[2]) : wrong_method("GET");
    }
    if (is({"admin", "login"})) {
        if (req.method == "POST") {
            return login(ctx, req);
        }
        return req.method == "GET" ? html(render_login_page("")) : wrong_method("GET, POST");
    }
    if (is({"admin", "logout"})) {
        if (req.method != "POST") {
            return wrong_method("POST");
        }
        return from_elsewhere(req)
                   ? error_response(403, error_code::unauthorized, "not from this gate's page")
                   : see("login",
                         std::string(admin_cookie) + "=; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
    }
    bool const page = is({"admin", ""}) || is({"admin", "bundles", "*"}) || is({"admin", "campaigns", "*"}) ||
                      is({"admin", "translations"}) || is({"admin", "translations", "*"});
    if (!page) {
        return error_response(404, error_code::not_found, "no such path");
    }
    if (req.method != "GET") {
        return wrong_method("GET");
    }
    if (!logged_in(ctx, req)) {
        return see(path.size() == 2 ? "login" : "../login");
    }
    if (is({"admin", "translations"})) {
        return figures_page(translation_list(ctx.store, "", ""), render_translations_page);
    }
    if (path.size() == 2) {
        return figures_page(gate_statistics(ctx.store), render_overview_page);
    }
    if (path[1] == "translations") {
        return figures_page(translation_show(ctx.store, path[2]), render_translation_page);
    }
    if (path[1] == "bundles") {
        return figures_page(bundle_figures(ctx.store, path[2], ctx.unix_now()), render_bundle_page);
    }
    return figures_page(campaign_figures(ctx.store, path[2]), render_campaign_page);
}

} // namespace sluice::gate
