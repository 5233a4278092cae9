#include "sluice-gate/admin_handlers.hpp"

#include "sluice-gate/admin_commands.hpp"
#include "sluice-gate/api_error.hpp"
#include "sluice-gate/constant_time.hpp"
#include "sluice-gate/creator_figures.hpp"
#include "sluice-gate/ledger.hpp"
#include "sluice-gate/request_body.hpp"
#include "sluice-gate/translation_review.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/strict_object.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <algorithm>
#include <cctype>

namespace sluice::gate {

namespace {

using nlohmann::json;

gate_response answer(admin_outcome const& outcome) {
    if (!outcome.done()) {
        return error_response(outcome.status, outcome.code, outcome.message);
    }
    return json_response(protocol::dump_compact(outcome.body), outcome.status);
}

} // namespace

bool bearer_matches(std::string const* authorization, std::string_view token) {
    constexpr std::string_view scheme = "bearer ";
    if (!authorization || token.empty() || authorization->size() <= scheme.size()) {
        return false;
    }
    // The scheme's name is case-insensitive (RFC 9110); the token is not.
    bool const is_bearer =
        std::equal(scheme.begin(), scheme.end(), authorization->begin(),
                   [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
    return is_bearer && equal_in_constant_time(std::string_view(*authorization).substr(scheme.size()), token);
}

gate_response handle_admin(gate_context& ctx, gate_request const& req,
                           std::vector<std::string_view> const& path) {
    if (ctx.admin_token.empty()) {
        return error_response(404, error_code::not_found, "no such path");
    }
    // Before anything else, so that without the token nothing, not even which paths exist, can be learnt.
    if (!bearer_matches(req.header("authorization"), ctx.admin_token)) {
        auto res = error_response(401, error_code::unauthorized, "an admin token is required");
        res.headers.emplace_back("WWW-Authenticate", "Bearer");
        return res;
    }
    auto const is = [&](std::initializer_list<std::string_view> pattern) {
        return path.size() == pattern.size() + 2 &&
               std::equal(pattern.begin(), pattern.end(), path.begin() + 2,
                          [](std::string_view p, std::string_view s) { return p == "*" || p == s; });
    };
    if (is({"stats"})) {
        return req.method == "GET" ? answer(gate_statistics(ctx.store)) : wrong_method("GET");
    }
    if (is({"stats", "bundles", "*"})) {
        return req.method == "GET" ? answer(bundle_figures(ctx.store, path[4], ctx.unix_now()))
                                   : wrong_method("GET");
    }
    if (is({"stats", "campaigns", "*"})) {
        return req.method == "GET" ? answer(campaign_figures(ctx.store, path[4])) : wrong_method("GET");
    }
    if (is({"campaigns", "*", "close"})) {
        if (req.method != "POST") {
            return wrong_method("POST");
        }
        auto const closed = close_campaign_now(ctx.store, path[3], ctx.unix_now());
        ctx.wake_charges(); // a funded campaign is charged, a failed one's methods released
        return answer(closed);
    }
    if (is({"campaigns", "*", "updates"})) {
        if (req.method != "POST") {
            return wrong_method("POST");
        }
        std::string title;
        std::string text;
        if (auto bad = read_json_body(req.body, [&](json const& v) {
                protocol::strict_object const o(v, "", {"title", "text"});
                title = o.string("title", 1, max_update_title);
                text = o.string("text", 1, max_update_text);
            })) {
            return *bad;
        }
        return answer(post_update(ctx.store, path[3], title, text, ctx.unix_now()));
    }
    if (is({"campaigns", "*", "ledger"})) {
        if (req.method != "GET") {
            return wrong_method("GET");
        }
        std::error_code ec;
        auto const ledger =
            protocol::is_bundle_slug(path[3]) ? campaign_ledger(ctx.store, path[3], ec) : std::nullopt;
        if (ec) {
            return storage_failed(ec);
        }
        return ledger ? json_response(ledger->dump())
                      : error_response(404, error_code::campaign_not_found, "no campaign with that id");
    }
    if (is({"campaigns", "*", "deliveries"})) {
        if (req.method != "POST") {
            return wrong_method("POST");
        }
        std::string bundle_id;
        if (auto bad = read_json_body(req.body, [&](json const& v) {
                protocol::strict_object const o(v, "", {"bundleId"});
                bundle_id = o.string("bundleId", 1, 64);
            })) {
            return *bad;
        }
        return answer(deliver_bundle(ctx.store, path[3], bundle_id, ctx.unix_now()));
    }
    if (is({"translations"})) {
        return req.method == "GET" ? answer(translation_list(ctx.store, "", "")) : wrong_method("GET");
    }
    if (is({"translations", "*"})) {
        return req.method == "GET" ? answer(translation_show(ctx.store, path[3])) : wrong_method("GET");
    }
    if (is({"translations", "*", "approve"})) {
        if (req.method != "POST") {
            return wrong_method("POST");
        }
        if (!ctx.translation_key) {
            return error_response(503, error_code::gate_misconfigured,
                                  "this gate has no translation key (serve --translation-key): approve on "
                                  "the command line with sluice-gate translations approve --key");
        }
        return answer(approve_translation(ctx.store, path[3], *ctx.translation_key, ctx.unix_now()));
    }
    if (is({"translations", "*", "reject"})) {
        if (req.method != "POST") {
            return wrong_method("POST");
        }
        std::string reason;
        if (auto bad = read_json_body(req.body, [&](json const& v) {
                protocol::strict_object const o(v, "", {"reason"});
                reason = o.string("reason", 1, 500);
            })) {
            return *bad;
        }
        return answer(reject_translation(ctx.store, path[3], reason, ctx.unix_now()));
    }
    return error_response(404, error_code::not_found, "no such path");
}

} // namespace sluice::gate
