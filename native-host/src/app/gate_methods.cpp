#include "gate_methods.hpp"

#include "../bundle/gate_client.hpp"
#include "method_params.hpp"

namespace sluice::app {

using native_messaging::rpc_call;
using nlohmann::json;
using protocol::error_code;

namespace {

// The verified bundle a call names, with a gate URL; nullptr after answering the call with the reason.
protocol::bundle_manifest const* gated_bundle(rpc_call const& call, torrent::torrent_engine const& engine,
                                              bundle::bundle_library const& library) {
    auto const id = info_hash_param(call, engine);
    if (!id) {
        return nullptr;
    }
    auto const* manifest = library.manifest(*id);
    if (!manifest) {
        call.fail(error_code::bundle_not_found, "torrent " + *id + " is not a verified bundle");
        return nullptr;
    }
    if (manifest->gate_url.empty()) {
        call.fail(error_code::gate_not_offered, "this bundle names no gate server");
        return nullptr;
    }
    return manifest;
}

// A gate's answer that carries a token: redeemed at once, so the reply says what is now unlocked.
void finish_with_token(rpc_call const& call, bundle::bundle_library& library, json const& body) {
    auto const token = body.find("token");
    if (token == body.end() || !token->is_string()) {
        call.fail(error_code::gate_bad_answer, "the gate server's answer carries no token");
        return;
    }
    auto const outcome = library.redeem(token->get<std::string>());
    if (outcome.no_bundle || outcome.problem != protocol::token_problem::none) {
        auto error = protocol::rpc_error::make(error_code::gate_bad_answer,
                                               "the gate server's token was refused: " + outcome.detail);
        error.data["problem"] = std::string(protocol::to_string(outcome.problem));
        call.fail(std::move(error));
        return;
    }
    call.reply({{"status", "unlocked"}, {"bundleId", outcome.bundle_id}, {"items", outcome.items}});
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
                      bundle::gate_agent& agent) {
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
        bundle::call_gate(
            io, manifest->gate_url, "v1/bundles/" + manifest->id + "/unlock/email",
            {{"email", *email}, {"device", device_key(library)}}, [call, &library](bundle::gate_reply reply) {
                if (reply.what != bundle::gate_reply::outcome::answered) {
                    call.fail(bundle::to_rpc_error(reply));
                    return;
                }
                if (reply.status == 202) {
                    auto const request = reply.body.value("requestId", json());
                    if (!request.is_string() || request.get_ref<std::string const&>().size() > 128) {
                        call.fail(error_code::gate_bad_answer,
                                  "the gate server asked for a confirmation without a request id");
                        return;
                    }
                    call.reply({{"status", "confirmationSent"}, {"requestId", request}});
                    return;
                }
                finish_with_token(call, library, reply.body);
            });
    });

    dispatcher.add("bundle.confirmEmail", [&io, &engine, &library](rpc_call const& call) {
        if (!check_members(call, {"infoHash", "requestId", "code"})) {
            return;
        }
        auto const* manifest = gated_bundle(call, engine, library);
        auto const request = manifest ? string_param(call, "requestId", 128) : std::nullopt;
        auto const code = request ? string_param(call, "code", 32) : std::nullopt;
        if (!code) {
            return;
        }
        bundle::call_gate(io, manifest->gate_url, "v1/bundles/" + manifest->id + "/unlock/email/confirm",
                          {{"requestId", *request}, {"code", *code}, {"device", device_key(library)}},
                          [call, &library](bundle::gate_reply reply) {
                              if (reply.what != bundle::gate_reply::outcome::answered) {
                                  call.fail(bundle::to_rpc_error(reply));
                                  return;
                              }
                              finish_with_token(call, library, reply.body);
                          });
    });

    dispatcher.add("bundle.pledge", [&engine, &library, &agent](rpc_call const& call) {
        if (!check_members(call, {"infoHash", "amount"})) {
            return;
        }
        auto const* manifest = gated_bundle(call, engine, library);
        auto const amount = manifest ? amount_param(call, "amount", false) : amount_param_result{};
        if (amount.ok) {
            agent.pledge(*manifest, amount.value, answer_to(call));
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
