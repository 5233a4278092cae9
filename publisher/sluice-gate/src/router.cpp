#include "sluice-gate/router.hpp"

#include "sluice-gate/admin_handlers.hpp"
#include "sluice-gate/api_error.hpp"
#include "sluice-gate/bundle_handlers.hpp"
#include "sluice-gate/checkout_pages.hpp"
#include "sluice-gate/dashboard_handlers.hpp"
#include "sluice-gate/email_handlers.hpp"
#include "sluice-gate/payment_handlers.hpp"
#include "sluice-gate/play_handlers.hpp"
#include "sluice-gate/pledge_handlers.hpp"
#include "sluice-gate/translation_handlers.hpp"
#include "sluice-gate/view_handlers.hpp"

#include <memory>
#include <optional>
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

// Most routes answer at once; the email unlock (the mail command), the payment and the pledge (the payment
// provider's checkout) answer through `respond` themselves, later.
void route(gate_context& ctx, gate_request const& req, responder const& respond) {
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
    if (is({"v1", "bundles", "*", "unlock", "email"})) {
        if (req.method != "POST") {
            return respond(wrong_method("POST"));
        }
        return handle_email_unlock(ctx, req, s[2], respond);
    }
    if (is({"v1", "bundles", "*", "unlock", "pay"})) {
        return req.method == "POST" ? handle_pay(ctx, req, s[2], respond) : respond(wrong_method("POST"));
    }
    if (is({"v1", "campaigns", "*", "pledges"})) {
        return req.method == "POST" ? handle_pledge(ctx, req, s[2], respond) : respond(wrong_method("POST"));
    }
    if (is({"v1", "campaigns", "*", "pledges", "*", "payment-method"})) {
        return req.method == "POST" ? handle_pledge_payment_method(ctx, s[2], s[4], respond)
                                    : respond(wrong_method("POST"));
    }
    if (is({"pledges", "*", "*", "payment-method"})) {
        return req.method == "GET" ? handle_pledge_payment_method(ctx, s[1], s[2], respond, true)
                                   : respond(wrong_method("GET"));
    }
    respond([&] {
        if (s.size() >= 2 && s[0] == "v1" && s[1] == "admin") {
            return handle_admin(ctx, req, s);
        }
        if (!s.empty() && s[0] == "admin") {
            return handle_dashboard(ctx, req, s);
        }
        if (is({"v1", "bundles", "*"})) {
            return req.method == "GET" ? handle_bundle_status(ctx, s[2]) : wrong_method("GET");
        }
        if (is({"v1", "bundles", "*", "unlock", "email", "confirm"})) {
            return req.method == "POST" ? handle_email_confirm(ctx, req, s[2]) : wrong_method("POST");
        }
        // Before the payment's own path: "webhook" is never a payment id (22 characters).
        if (is({"v1", "payments", "webhook"})) {
            return req.method == "POST" ? handle_payment_webhook(ctx, req) : wrong_method("POST");
        }
        if (is({"v1", "payments", "*"})) {
            return req.method == "GET" ? handle_payment_status(ctx, s[2]) : wrong_method("GET");
        }
        if (is({"v1", "campaigns", "*"})) {
            return req.method == "GET" ? handle_campaign_status(ctx, s[2]) : wrong_method("GET");
        }
        if (is({"checkout", "done"}) || is({"checkout", "cancelled"})) {
            return req.method == "GET" ? checkout_return_page(s[1] == "done") : wrong_method("GET");
        }
        if (is({"v1", "campaigns", "*", "pledges", "*"})) {
            return req.method == "GET" ? handle_pledge_status(ctx, s[2], s[4]) : wrong_method("GET");
        }
        if (is({"v1", "campaigns", "*", "pledges", "*", "cancel"})) {
            return req.method == "POST" ? handle_pledge_cancel(ctx, s[2], s[4]) : wrong_method("POST");
        }
        if (is({"v1", "bundles", "*", "views"})) {
            return req.method == "POST" ? handle_view(ctx, req, s[2]) : wrong_method("POST");
        }
        if (is({"v1", "bundles", "*", "translations"})) {
            if (req.method == "GET") {
                return handle_translation_list(ctx, s[2]);
            }
            return req.method == "POST" ? handle_translation_submit(ctx, req, s[2])
                                        : wrong_method("GET, POST");
        }
        if (is({"v1", "bundles", "*", "translations", "*"})) {
            return req.method == "GET" ? handle_translation_get(ctx, s[2], s[4]) : wrong_method("GET");
        }
        if (is({"v1", "bundles", "*", "plays"})) {
            return req.method == "POST" ? handle_plays(ctx, req, s[2]) : wrong_method("POST");
        }
        if (is({"assets", "views.js"})) {
            return req.method == "GET" ? views_script() : wrong_method("GET");
        }
        if (is({"b", "*"})) {
            return req.method == "GET" ? handle_landing_page(ctx, s[1]) : wrong_method("GET");
        }
        return error_response(404, error_code::not_found, "no such path");
    }());
}

} // namespace

void handle_request(gate_context& ctx, gate_request const& req, responder const& respond) {
    // Whether an answer went out, so that an exception after it does not make a second one.
    auto answered = std::make_shared<bool>(false);
    responder const once(respond.owner(), [answered, respond](gate_response res) {
        *answered = true;
        respond(std::move(res));
    });
    try {
        route(ctx, req, once);
    } catch (std::exception const&) {
        // Allocation failure or a library's surprise: the request was not carried out.
        if (!*answered) {
            respond(error_response(500, error_code::internal_error, "the request could not be handled"));
        }
    }
}

gate_response handle_request(gate_context& ctx, gate_request const& req) {
    boost::asio::io_context local;
    std::optional<gate_response> out;
    handle_request(ctx, req,
                   responder(local.get_executor(), [&out](gate_response res) { out = std::move(res); }));
    // Returns at once when the answer was given; else when the deferred answer has run.
    local.run();
    if (!out) {
        return error_response(500, error_code::internal_error, "the request could not be handled");
    }
    return std::move(*out);
}

} // namespace sluice::gate
