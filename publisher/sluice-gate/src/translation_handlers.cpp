#include "sluice-gate/translation_handlers.hpp"

#include "sluice-gate/admin_commands.hpp"
#include "sluice-gate/api_error.hpp"
#include "sluice-gate/bundle_lookup.hpp"
#include "sluice-gate/request_body.hpp"
#include "sluice-gate/translation_review.hpp"

#include <sluice/protocol/strict_object.hpp>
#include <sluice/protocol/translation_addon.hpp>
#include <sluice/protocol/unlock_token.hpp>
#include <sluice/protocol/untrusted_json.hpp>
#include <sluice/protocol/webvtt_check.hpp>

namespace sluice::gate {

using nlohmann::json;

gate_response handle_translation_submit(gate_context& ctx, gate_request const& req,
                                        std::string_view bundle_id) {
    if (auto const wait = ctx.translations_per_ip->acquire(req.client_ip, ctx.steady_now());
        wait.count() != 0) {
        auto res = error_response(429, error_code::rate_limited, "too many translations from this address");
        res.headers.emplace_back("Retry-After", std::to_string(wait.count()));
        return res;
    }
    translation_submission t;
    if (auto bad = read_json_body(
            req.body,
            [&](nlohmann::json const& v) {
                protocol::strict_object const o(
                    v, "", {"version", "item", "lang", "label", "translator", "licence", "basedOn", "track"});
                t.version = o.integer("version", 1, protocol::max_safe_integer);
                t.item = o.string("item", 1, 1024);
                t.lang = o.string("lang", 2, 35);
                if (!protocol::is_language_tag(t.lang)) {
                    protocol::shape_fail(o.at("lang"), "must be a language tag such as \"es\" or \"pt-BR\"");
                }
                t.label = o.string("label", 1, 100);
                t.translator = o.string("translator", 1, 100);
                t.licence = o.string("licence", 1, 200);
                t.based_on = o.has("basedOn") ? o.string("basedOn", 1, 64) : std::string();
                t.track = o.string("track", 1, protocol::max_webvtt_bytes);
            },
            max_translation_body_bytes)) {
        return *bad;
    }
    auto const found = lookup_bundle(ctx, bundle_id);
    if (!found.bundle) {
        return found.error;
    }
    if (t.version > found.bundle->stored.version || !found.bundle->manifest.find_item(t.item)) {
        return error_response(422, error_code::invalid_request,
                              "the bundle has no item " + t.item + " in version " +
                                  std::to_string(t.version));
    }
    if (t.licence != ctx.translation_licence) {
        return error_response(422, error_code::invalid_request,
                              "the licence is not the one this gate asks translators to agree to: " +
                                  ctx.translation_licence);
    }
    for (auto const* text : {&t.label, &t.translator}) {
        if (!readable_text(*text, 200, false)) {
            return error_response(400, error_code::invalid_request,
                                  "label and translator are text on one line, without control characters");
        }
    }
    if (auto const problem = protocol::check_webvtt(t.track)) {
        return error_response(422, error_code::invalid_request, problem->describe());
    }
    std::error_code ec;
    if (!t.based_on.empty()) {
        auto const earlier = ctx.store.find_translation(t.based_on, ec);
        if (ec) {
            return storage_failed(ec);
        }
        if (!earlier || earlier->bundle_id != bundle_id || earlier->item != t.item ||
            earlier->lang != t.lang) {
            return error_response(422, error_code::invalid_request,
                                  "basedOn names no submission of this item and language");
        }
    }
    t.id = protocol::generate_token_id();
    t.bundle_id = bundle_id;
    t.sha256 = protocol::to_hex(protocol::sha256_of(t.track));
    t.submitted_at = ctx.unix_now();
    ctx.store.add_translation(t, ec);
    if (ec) {
        return storage_failed(ec);
    }
    return json_response(
        protocol::dump_compact({{"submissionId", t.id}, {"state", t.state}, {"sha256", t.sha256}}), 201);
}

gate_response handle_translation_list(gate_context& ctx, std::string_view bundle_id) {
    auto outcome = approved_translations(ctx.store, bundle_id);
    if (!outcome.done()) {
        return error_response(outcome.status, outcome.code, outcome.message);
    }
    outcome.body["licence"] = ctx.translation_licence;
    return json_response(protocol::dump_compact(outcome.body));
}

gate_response handle_translation_get(gate_context& ctx, std::string_view bundle_id,
                                     std::string_view submission_id) {
    auto const shown = translation_show(ctx.store, submission_id);
    if (shown.status == 500) {
        return error_response(shown.status, shown.code, shown.message);
    }
    auto const& t = shown.body;
    if (!shown.done() || t.at("bundleId") != bundle_id || t.at("state") == "rejected") {
        return error_response(404, error_code::not_found, "no such translation");
    }
    // What the creator and the translator agreed stays between them: the public view leaves out the licence,
    // review notes and the add-on (listed once approved).
    json body;
    for (auto const* key : {"submissionId", "version", "item", "lang", "label", "credit", "state", "basedOn",
                            "sha256", "track"}) {
        if (t.contains(key)) {
            body[key] = t.at(key);
        }
    }
    return json_response(protocol::dump_compact(body));
}

} // namespace sluice::gate
