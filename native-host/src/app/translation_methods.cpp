#include "app/translation_methods.hpp"

#include "app/method_params.hpp"
#include "gate_api/gate_client.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/translation_addon.hpp>
#include <sluice/protocol/webvtt_check.hpp>

namespace sluice::app {

using native_messaging::rpc_call;
using nlohmann::json;
using protocol::error_code;

namespace {

bool is_text(json const& j, char const* name, std::size_t max) {
    auto const it = j.find(name);
    return it != j.end() && it->is_string() && !it->get_ref<std::string const&>().empty() &&
           it->get_ref<std::string const&>().size() <= max;
}

// What a gate said, answered to the call when it is not an answer; true when `reply` holds one.
bool answered(rpc_call const& call, gate_api::gate_reply const& reply) {
    if (reply.what != gate_api::gate_reply::outcome::answered) {
        call.fail(gate_api::to_rpc_error(reply));
        return false;
    }
    return true;
}

// The gate's terms and latest submissions, with nothing but what the editor shows.
std::optional<json> read_terms(json const& body) {
    if (!is_text(body, "licence", 200) || !body.contains("latest") || !body["latest"].is_array()) {
        return std::nullopt;
    }
    json latest = json::array();
    for (auto const& s : body["latest"]) {
        if (!s.is_object() || !is_text(s, "submissionId", 64) || !is_text(s, "item", 1024) ||
            !is_text(s, "lang", 35) || !is_text(s, "state", 16)) {
            return std::nullopt;
        }
        latest.push_back({{"submissionId", s["submissionId"]},
                          {"item", s["item"]},
                          {"lang", s["lang"]},
                          {"state", s["state"]},
                          {"submittedAt", s.value("submittedAt", "")}});
    }
    return json{{"licence", body["licence"]}, {"latest", std::move(latest)}};
}

// A submission as the gate gives it, its track checked as strictly as the gate checks what it keeps.
std::optional<json> read_submission(json const& body, std::string& problem) {
    json out;
    for (auto const* name : {"submissionId", "item", "lang", "label", "credit", "state"}) {
        if (!is_text(body, name, 1024)) {
            problem = std::string("the gate's answer has no ") + name;
            return std::nullopt;
        }
        out[name] = body[name];
    }
    if (!is_text(body, "track", protocol::max_webvtt_bytes)) {
        problem = "the gate's answer has no track";
        return std::nullopt;
    }
    if (auto const bad = protocol::check_webvtt(body["track"].get_ref<std::string const&>())) {
        problem = "the gate's track is not strict WebVTT: " + bad->text;
        return std::nullopt;
    }
    out["track"] = body["track"];
    if (is_text(body, "basedOn", 64)) {
        out["basedOn"] = body["basedOn"];
    }
    return out;
}

// A submission id, as the gate makes them (base64url), for a URL path.
std::optional<std::string> submission_id_param(rpc_call const& call, char const* name) {
    auto id = string_param(call, name, 64);
    if (id && !protocol::is_submission_id(*id)) {
        call.fail(error_code::invalid_params, std::string(name) + " must be a submission id the gate gave");
        return std::nullopt;
    }
    return id;
}

} // namespace

void add_translation_methods(native_messaging::rpc_dispatcher& dispatcher, boost::asio::io_context& io,
                             torrent::torrent_engine& engine, bundle::bundle_library& library,
                             std::chrono::seconds gate_timeout) {
    dispatcher.add("translation.terms", [&io, &engine, &library, gate_timeout](rpc_call const& call) {
        if (!check_members(call, {"infoHash"})) {
            return;
        }
        auto const* manifest = gated_bundle(call, engine, library);
        if (!manifest) {
            return;
        }
        gate_api::call_gate(
            io, manifest->gate_url,
            {"GET", "v1/bundles/" + manifest->id + "/translations", nullptr, {}, gate_timeout},
            [call](gate_api::gate_reply reply) {
                if (!answered(call, reply)) {
                    return;
                }
                if (auto terms = read_terms(reply.body)) {
                    call.reply(std::move(*terms));
                } else {
                    call.fail(error_code::gate_bad_answer,
                              "the gate's list of translations is not what its API says");
                }
            });
    });

    dispatcher.add("translation.get", [&io, &engine, &library, gate_timeout](rpc_call const& call) {
        if (!check_members(call, {"infoHash", "submissionId"})) {
            return;
        }
        auto const* manifest = gated_bundle(call, engine, library);
        auto const id = manifest ? submission_id_param(call, "submissionId") : std::nullopt;
        if (!id) {
            return;
        }
        gate_api::gate_request request{
            "GET", "v1/bundles/" + manifest->id + "/translations/" + *id, nullptr, {}, gate_timeout};
        request.max_answer_bytes = gate_api::max_translation_answer_bytes;
        gate_api::call_gate(io, manifest->gate_url, std::move(request), [call](gate_api::gate_reply reply) {
            if (!answered(call, reply)) {
                return;
            }
            std::string problem;
            if (auto submission = read_submission(reply.body, problem)) {
                call.reply(std::move(*submission));
            } else {
                call.fail(error_code::gate_bad_answer, problem);
            }
        });
    });

    dispatcher.add("translation.submit", [&io, &engine, &library, gate_timeout](rpc_call const& call) {
        if (!check_members(
                call, {"infoHash", "item", "lang", "label", "translator", "licence", "basedOn", "track"})) {
            return;
        }
        auto const* manifest = gated_bundle(call, engine, library);
        auto const item = manifest ? string_param(call, "item", 1024) : std::nullopt;
        auto const lang = item ? string_param(call, "lang", 35) : std::nullopt;
        auto const label = lang ? string_param(call, "label", 100) : std::nullopt;
        auto const translator = label ? string_param(call, "translator", 100) : std::nullopt;
        auto const licence = translator ? string_param(call, "licence", 200) : std::nullopt;
        auto const track = licence ? string_param(call, "track", protocol::max_webvtt_bytes) : std::nullopt;
        if (!track) {
            return;
        }
        if (!manifest->find_item(*item)) {
            call.fail(error_code::invalid_params, "the bundle has no item " + *item);
            return;
        }
        if (!protocol::is_language_tag(*lang)) {
            call.fail(error_code::invalid_params, "lang must be a language tag such as \"es\" or \"pt-BR\"");
            return;
        }
        if (auto const bad = protocol::check_webvtt(*track)) {
            call.fail(error_code::invalid_params, bad->describe());
            return;
        }
        json body{{"version", manifest->version}, {"item", *item},       {"lang", *lang},  {"label", *label},
                  {"translator", *translator},    {"licence", *licence}, {"track", *track}};
        if (call.params().contains("basedOn")) {
            auto const based_on = submission_id_param(call, "basedOn");
            if (!based_on) {
                return;
            }
            body["basedOn"] = *based_on;
        }
        gate_api::call_gate(
            io, manifest->gate_url,
            {"POST", "v1/bundles/" + manifest->id + "/translations", std::move(body), {}, gate_timeout},
            [call](gate_api::gate_reply reply) {
                if (!answered(call, reply)) {
                    return;
                }
                if (!is_text(reply.body, "submissionId", 64) || !is_text(reply.body, "sha256", 64)) {
                    call.fail(error_code::gate_bad_answer, "the gate did not say which submission it kept");
                    return;
                }
                call.reply({{"submissionId", reply.body["submissionId"]},
                            {"state", reply.body.value("state", "pending")},
                            {"sha256", reply.body["sha256"]}});
            });
    });
}

} // namespace sluice::app
