#include "app/gate_methods.hpp"

#include "app/method_params.hpp"
#include "gate_api/gate_client.hpp"

namespace sluice::app {

using native_messaging::rpc_call;
using nlohmann::json;
using protocol::error_code;

namespace {

// A token from the gate of `manifest`: checked to be for that bundle and this device, then redeemed at once,
// so the reply says what is now unlocked. A refused token leaves every earlier unlock as it was.
void finish_with_token(rpc_call const& call, bundle::bundle_library& library,
                       protocol::bundle_manifest const& manifest, std::string const& token) {
    auto const checked = gate_api::check_gate_token(
        token, manifest.id, manifest.gate_keys, library.keys().device(),
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    if (!checked) {
        auto error = protocol::rpc_error::make(error_code::gate_bad_answer,
                                               "the gate server's token was refused: " + checked.detail);
        error.data["problem"] = std::string(protocol::to_string(checked.problem));
        call.fail(std::move(error));
        return;
    }
    auto const outcome = library.redeem(token);
    if (outcome.no_bundle || outcome.problem != protocol::token_problem::none) {
        auto error = protocol::rpc_error::make(error_code::gate_bad_answer,
                                               "the gate server's token was refused: " + outcome.detail);
        error.data["problem"] = std::string(protocol::to_string(outcome.problem));
        call.fail(std::move(error));
        return;
    }
    call.reply({{"status", "unlocked"}, {"bundleId", outcome.bundle_id}, {"items", outcome.items}});
}

// Answers bundle.unlock (email) or bundle.confirmEmail with what the gate said.
void finish_email_unlock(rpc_call const& call, bundle::bundle_library& library,
                         protocol::bundle_manifest const& manifest, gate_api::gate_reply const& reply,
                         bool confirming) {
    if (reply.what != gate_api::gate_reply::outcome::answered) {
        call.fail(gate_api::to_rpc_error(reply));
        return;
    }
    auto const answer = gate_api::read_email_unlock(reply, confirming);
    if (!answer) {
        call.fail(error_code::gate_bad_answer, answer.problem);
        return;
    }
    if (!answer.value.request_id.empty()) {
        call.reply({{"status", "confirmationSent"}, {"requestId", answer.value.request_id}});
        return;
    }
    finish_with_token(call, library, manifest, answer.value.token);
}

// Answers the call with what the gate agent found.
std::function<void(bundle::gate_agent::answer)> answer_to(rpc_call const& call) {
    return [call](bundle::gate_agent::answer a) {
        if (auto* result = std::get_if<json>(&a)) {
            call.reply(std::move(*result));
        } else {
            call.fail(std::move(std::get<protocol::rpc_error>(a)));
        }
    };
}

std::string device_key(bundle::bundle_library const& library) {
    return protocol::encode_public_key("x25519", library.keys().device().public_key);
}

} // namespace

void add_gate_methods(native_messaging::rpc_dispatcher& dispatcher, boost::asio::io_context& io,
                      torrent::torrent_engine& engine, bundle::bundle_library& library,
                      bundle::gate_agent& agent, bundle::play_reporter& plays) {
    dispatcher.add("bundle.played", [&engine, &library, &plays](rpc_call const& call) {
        if (!check_members(call, {"infoHash", "path", "event"})) {
            return;
        }
        auto const* manifest = gated_bundle(call, engine, library);
        auto const path = manifest ? string_param(call, "path", 1024) : std::nullopt;
        auto const event = path ? string_param(call, "event", 16) : std::nullopt;
        if (!event) {
            return;
        }
        if (*event != "started" && *event != "finished") {
            call.fail(error_code::invalid_params, "event must be \"started\" or \"finished\"");
            return;
        }
        if (!manifest->find_item(*path)) {
            call.fail(error_code::invalid_params, "the bundle has no item " + *path);
            return;
        }
        auto const counted =
            plays.count(*manifest, *path,
                        *event == "started" ? bundle::play_event::started : bundle::play_event::finished);
        call.reply({{"counted", counted}});
    });

    dispatcher.add("bundle.unlock", [&io, &engine, &library, &agent](rpc_call const& call) {
        if (!check_members(call, {"infoHash", "gate", "email", "amount"})) {
            return;
        }
        auto const* manifest = gated_bundle(call, engine, library);
        auto const gate = manifest ? string_param(call, "gate", 16) : std::nullopt;
        if (!gate) {
            return;
        }
        if (*gate == "pay") {
            auto const amount = amount_param(call, "amount", true);
            if (amount.ok) {
                agent.pay(*manifest, *amount.value, answer_to(call));
            }
            return;
        }
        if (*gate != "email") {
            call.fail(error_code::invalid_params,
                      "gate must be \"email\" or \"pay\" (pledges have their own method, bundle.pledge)");
            return;
        }
        if (!manifest->gates.email) {
            call.fail(error_code::gate_not_offered, "this bundle has no email gate");
            return;
        }
        auto const email = string_param(call, "email", 254);
        if (!email) {
            return;
        }
        gate_api::call_gate(io, manifest->gate_url,
                            gate_api::gate_request{"POST",
                                                   "v1/bundles/" + manifest->id + "/unlock/email",
                                                   {{"email", *email}, {"device", device_key(library)}},
                                                   {},
                                                   agent.gate_timeout()},
                            [call, &library, manifest = *manifest](gate_api::gate_reply reply) {
                                finish_email_unlock(call, library, manifest, reply, false);
                            });
    });

    dispatcher.add("bundle.confirmEmail", [&io, &engine, &library, &agent](rpc_call const& call) {
        if (!check_members(call, {"infoHash", "requestId", "code"})) {
            return;
        }
        auto const* manifest = gated_bundle(call, engine, library);
        auto const request = manifest ? string_param(call, "requestId", 128) : std::nullopt;
        auto const code = request ? string_param(call, "code", 32) : std::nullopt;
        if (!code) {
            return;
        }
        gate_api::call_gate(io, manifest->gate_url,
                            gate_api::gate_request{
                                "POST",
                                "v1/bundles/" + manifest->id + "/unlock/email/confirm",
                                {{"requestId", *request}, {"code", *code}, {"device", device_key(library)}},
                                {},
                                agent.gate_timeout()},
                            [call, &library, manifest = *manifest](gate_api::gate_reply reply) {
                                finish_email_unlock(call, library, manifest, reply, true);
                            });
    });

    dispatcher.add("bundle.pledge", [&engine, &library, &agent](rpc_call const& call) {
        if (!check_members(call, {"infoHash", "amount", "tier"})) {
            return;
        }
        auto const* manifest = gated_bundle(call, engine, library);
        auto const amount = manifest ? amount_param(call, "amount", false) : amount_param_result{};
        auto const tier = amount.ok ? slug_param(call, "tier", false) : slug_param_result{};
        if (tier.ok) {
            agent.pledge(*manifest, amount.value, tier.value, answer_to(call));
        }
    });

    dispatcher.add("bundle.cancelPledge", [&engine, &library, &agent](rpc_call const& call) {
        if (!check_members(call, {"infoHash"})) {
            return;
        }
        if (auto const* manifest = gated_bundle(call, engine, library)) {
            agent.cancel_pledge(*manifest, answer_to(call));
        }
    });

    dispatcher.add("bundle.updatePledgePayment", [&engine, &library, &agent](rpc_call const& call) {
        if (!check_members(call, {"infoHash"})) {
            return;
        }
        if (auto const* manifest = gated_bundle(call, engine, library)) {
            agent.update_pledge_payment(*manifest, answer_to(call));
        }
    });

    dispatcher.add("bundle.campaign", [&engine, &library, &agent](rpc_call const& call) {
        if (!check_members(call, {"infoHash"})) {
            return;
        }
        if (auto const* manifest = gated_bundle(call, engine, library)) {
            agent.campaign(*manifest, answer_to(call));
        }
    });
}

} // namespace sluice::app
