#include "sluice-gate/pledge_handlers.hpp"

#include "sluice-gate/api_error.hpp"
#include "sluice-gate/bundle_lookup.hpp"
#include "sluice-gate/campaigns.hpp"
#include "sluice-gate/checkout_pages.hpp"
#include "sluice-gate/idempotency.hpp"
#include "sluice-gate/receipt.hpp"
#include "sluice-gate/request_body.hpp"
#include "sluice-gate/token_issuer.hpp"

#include <sluice/protocol/strict_object.hpp>
#include <sluice/protocol/untrusted_json.hpp>

namespace sluice::gate {

namespace {

using nlohmann::json;

gate_response no_campaign() {
    return error_response(404, error_code::campaign_not_found, "no campaign with that id");
}

json receipt_body(std::string kind, pledge_record const& p, campaign_record const& c, std::int64_t at) {
    return json{{"kind", std::move(kind)}, {"pledgeId", p.pledge_id},
                {"campaignId", c.id},      {"bundleId", c.bundle_id},
                {"amount", p.amount},      {"currency", c.currency},
                {"device", p.device},      {"at", protocol::format_utc_timestamp(at)}};
}

// The pledge's token for one bundle (the campaign's own, with what the pledge's `tier` unlocks of it, or a
// delivery, whole): the one recorded for this pledge and bundle, else a new one, recorded before it is
// answered. Either the token or the response to send instead.
struct pledge_token {
    std::string token;
    std::optional<gate_response> error;
};

pledge_token token_for(gate_context& ctx, pledge_record const& pledge, std::string_view bundle_id,
                       protocol::pledge_tier const* tier) {
    std::error_code ec;
    auto unlock = ctx.store.find_unlock("pledge", pledge.pledge_id, bundle_id, ec);
    if (ec) {
        return {{}, storage_failed(ec)};
    }
    if (unlock) {
        return {unlock->token, std::nullopt};
    }
    auto found = lookup_bundle(ctx, bundle_id);
    if (!found.bundle) {
        return {{}, found.error};
    }
    if (!trusts_gate_key(found.bundle->manifest, ctx.gate_key)) {
        return {{},
                error_response(503, error_code::gate_misconfigured,
                               "this gate's key is not one the bundle trusts")};
    }
    auto const device = protocol::decode_public_key("x25519", pledge.device);
    unlock = grant_unlock(ctx, *found.bundle, protocol::gate_kind::pledge,
                          {protocol::grantee_kind::pledge, pledge.pledge_id}, *device,
                          [tier](std::string const& path) { return !tier || tier->unlocks(path); });
    if (!unlock) {
        return {
            {},
            error_response(404, error_code::gate_not_offered, "the bundle has nothing to unlock by pledge")};
    }
    auto token = ctx.store.record_unlock_once(*unlock, ec);
    if (ec) {
        return {{}, storage_failed(ec)};
    }
    return {std::move(token), std::nullopt};
}

} // namespace

gate_response handle_campaign_status(gate_context& ctx, std::string_view campaign_id) {
    std::error_code ec;
    auto const out = campaign_progress(ctx.store, campaign_id, ctx.unix_now(), ec);
    if (ec) {
        return storage_failed(ec);
    }
    if (!out) {
        return no_campaign();
    }
    return json_response(protocol::dump_compact(*out));
}

namespace {

gate_response provider_failed(std::string const& error) {
    return error_response(502, error_code::payment_provider_failed,
                          "the payment provider could not open its page (" + error +
                              "); retry with the same Idempotency-Key");
}

// The tier a pledge asks for: the one named, or the only one; else the response to send.
struct tier_choice {
    protocol::pledge_tier const* tier = nullptr;
    std::optional<gate_response> error;
};

tier_choice choose_tier(campaign_record const& c, std::optional<std::string> const& requested) {
    if (!requested && c.tiers.size() == 1) {
        return {&c.tiers.front(), std::nullopt};
    }
    auto const* tier = requested ? c.find_tier(*requested) : nullptr;
    if (tier) {
        return {tier, std::nullopt};
    }
    std::string ids;
    for (auto const& t : c.tiers) {
        ids += (ids.empty() ? "" : ", ") + t.id;
    }
    return {nullptr, error_response(400, error_code::unknown_tier,
                                    (requested ? "the campaign has no tier " + *requested
                                               : std::string("the campaign has several tiers: name one")) +
                                        " (its tiers: " + ids + ")")};
}

gate_response replay_pledge(std::string const& response) {
    auto res = json_response(response, 201);
    res.headers.emplace_back("Idempotent-Replayed", "true");
    return res;
}

// The provider's page that saves the backer's payment method for the pledge. The key makes a retry (the
// host's, or a restarted gate's) open the same page rather than a second one.
checkout_request setup_checkout(gate_context const& ctx, pledge_record const& pledge,
                                campaign_record const& c, std::string idempotency_key) {
    checkout_request request;
    request.mode = checkout_request::kind::setup;
    request.currency = c.currency;
    request.description = "Pledge of " + std::to_string(pledge.amount) + " " + c.currency +
                          " (minor units) to " + c.id + ": charged on " +
                          protocol::format_utc_timestamp(c.deadline) + " only if the campaign is funded";
    request.success_url = checkout_return_url(ctx.public_url, true);
    request.cancel_url = checkout_return_url(ctx.public_url, false);
    request.references = {{reference::pledge, pledge.pledge_id}, {reference::campaign, c.id}};
    request.idempotency_key = std::move(idempotency_key);
    return request;
}

// Opens the provider's page for a recorded pledge and answers with it; the first answer is stored for
// retries of the same request.
void open_pledge_checkout(gate_context& ctx, pledge_record pledge, campaign_record campaign,
                          responder const& respond) {
    if (auto busy = lease_checkout(ctx, checkout_of::pledge, pledge.pledge_id)) {
        return respond(*busy);
    }
    auto request = setup_checkout(ctx, pledge, campaign, "sluice-pledge-" + pledge.pledge_id);
    ctx.payments->create_checkout(std::move(request), [&ctx, pledge, campaign,
                                                       respond](provider_answer<checkout_session> answer) {
        if (!answer.value) {
            end_checkout_lease(ctx, checkout_of::pledge, pledge.pledge_id);
            return respond(provider_failed(answer.error));
        }
        json const body{{"pledgeId", pledge.pledge_id},
                        {"campaignId", campaign.id},
                        {"state", "pending"},
                        {"tier", pledge.tier_id},
                        {"amount", pledge.amount},
                        {"currency", campaign.currency},
                        {"checkoutUrl", answer.value->url},
                        {"chargedOn", protocol::format_utc_timestamp(campaign.deadline)},
                        {"receipt", sign_receipt(receipt_body("pledge", pledge, campaign, pledge.created_at),
                                                 ctx.gate_key)}};
        std::error_code ec;
        ctx.store.set_pledge_checkout(pledge.pledge_id, answer.value->url, protocol::dump_compact(body), ec);
        auto const stored = ec ? std::nullopt : ctx.store.find_pledge(pledge.pledge_id, ec);
        if (ec || !stored) {
            return respond(storage_failed(ec));
        }
        respond(json_response(stored->response, 201));
    });
}

} // namespace

void handle_pledge(gate_context& ctx, gate_request const& req, std::string_view campaign_id,
                   responder const& respond) {
    auto const key = idempotency_key(req);
    if (!key) {
        return respond(idempotency_key_required());
    }
    std::string device_text;
    std::optional<std::uint64_t> amount;
    std::optional<std::string> tier_id;
    if (auto bad = read_json_body(req.body, [&](json const& v) {
            protocol::strict_object const o(v, "", {"device", "amount", "tier"});
            device_text = o.string("device", 1, 128);
            if (o.has("amount")) {
                amount = o.integer("amount", 1, protocol::max_safe_integer);
            }
            if (o.has("tier")) {
                tier_id = o.string("tier", 1, 64);
            }
        })) {
        return respond(*bad);
    }
    auto const device = protocol::decode_public_key("x25519", device_text);
    if (!device) {
        return respond(error_response(400, error_code::invalid_device,
                                      "device must be \"x25519:<base64 of 32 bytes>\""));
    }
    std::error_code ec;
    auto const campaign = current_campaign(ctx.store, campaign_id, ctx.unix_now(), ec);
    if (ec) {
        return respond(storage_failed(ec));
    }
    if (!campaign) {
        return respond(no_campaign());
    }
    if (!ctx.payments) {
        return respond(error_response(503, error_code::payments_unavailable, "this gate takes no payments"));
    }
    auto const chosen = choose_tier(*campaign, tier_id);
    if (!chosen.tier) {
        return respond(*chosen.error);
    }
    auto const& tier = *chosen.tier;
    auto const pledged = amount.value_or(tier.price);
    if (pledged < tier.price) {
        return respond(error_response(400, error_code::amount_too_low,
                                      "a pledge in the tier " + tier.id + " is at least " +
                                          std::to_string(tier.price) + " " + campaign->currency));
    }

    auto const now = ctx.unix_now();
    pledge_record pledge;
    pledge.pledge_id = protocol::generate_token_id();
    pledge.campaign_id = campaign->id;
    pledge.idempotency_key = *key;
    pledge.amount = pledged;
    pledge.device = protocol::encode_public_key("x25519", *device);
    pledge.tier_id = tier.id;
    // A single-price campaign's pledges hash as they did before tiers, so a retry across an upgrade matches.
    pledge.request_hash =
        request_digest(std::to_string(pledge.amount) + "\n" + pledge.device +
                       (tier.id == protocol::single_tier_id ? std::string() : "\n" + tier.id));
    pledge.created_at = now;

    // A full tier takes no new pledge (a retry of one made before it filled is answered as before). The
    // check is a courtesy to the backer: the place itself is taken when the provider saves the method.
    if (tier.limit) {
        auto const full = ctx.store.tier_backers(campaign->id, tier.id, ec) >= *tier.limit;
        auto const earlier =
            ec || !full ? std::nullopt : ctx.store.find_pledge_by_key(campaign->id, *key, ec);
        if (ec) {
            return respond(storage_failed(ec));
        }
        if (full && !earlier) {
            return respond(error_response(409, error_code::tier_sold_out,
                                          "every place in the tier " + tier.id + " is taken"));
        }
    }
    std::optional<pledge_record> existing;
    auto const outcome = ctx.store.add_pledge(pledge, now, existing, ec);
    if (ec) {
        return respond(storage_failed(ec));
    }
    switch (outcome) {
    case pledge_outcome::created:
        return open_pledge_checkout(ctx, std::move(pledge), *campaign, respond);
    case pledge_outcome::existing:
        if (existing->request_hash != pledge.request_hash) {
            return respond(error_response(422, error_code::idempotency_key_reused,
                                          "this Idempotency-Key was used for another pledge request"));
        }
        if (!existing->response.empty()) {
            return respond(replay_pledge(existing->response));
        }
        // Recorded, but its page was never opened (the provider failed, or the gate stopped): open it now,
        // while a card saved there can still count.
        if (campaign->state != "open" || existing->state != "pending") {
            return respond(
                error_response(409, error_code::campaign_closed, "the campaign takes no more pledges"));
        }
        return open_pledge_checkout(ctx, std::move(*existing), *campaign, respond);
    case pledge_outcome::closed:
        return respond(
            error_response(409, error_code::campaign_closed, "the campaign takes no more pledges"));
    case pledge_outcome::no_campaign:
        return respond(no_campaign());
    }
    respond(storage_failed());
}

void handle_pledge_payment_method(gate_context& ctx, std::string_view campaign_id, std::string_view pledge_id,
                                  responder const& respond, bool redirect) {
    std::error_code ec;
    auto const campaign = current_campaign(ctx.store, campaign_id, ctx.unix_now(), ec);
    if (ec) {
        return respond(storage_failed(ec));
    }
    if (!campaign) {
        return respond(no_campaign());
    }
    auto const pledge = ctx.store.find_pledge(pledge_id, ec);
    if (ec) {
        return respond(storage_failed(ec));
    }
    if (!pledge || pledge->campaign_id != campaign->id) {
        return respond(
            error_response(404, error_code::pledge_not_found, "no pledge with that id in this campaign"));
    }
    if (!ctx.payments) {
        return respond(error_response(503, error_code::payments_unavailable, "this gate takes no payments"));
    }
    bool const open = campaign->state == "open";
    if (!(pledge->state == "charge_failed" ||
          (open && (pledge->state == "pending" || pledge->state == "confirmed")))) {
        return respond(error_response(409, error_code::pledge_not_updatable,
                                      "this pledge's payment method can no longer be changed (it is " +
                                          pledge->state + ")"));
    }
    // One page per charge attempt: asking again before the next attempt answers the same page.
    auto request =
        setup_checkout(ctx, *pledge, *campaign,
                       "sluice-pledge-" + pledge->pledge_id + "-method-" + std::to_string(pledge->attempts));
    ctx.payments->create_checkout(std::move(request), [&ctx, pledge_id = pledge->pledge_id, respond,
                                                       redirect](provider_answer<checkout_session> answer) {
        if (!answer.value) {
            return respond(provider_failed(answer.error));
        }
        std::error_code ec;
        ctx.store.set_pledge_checkout(pledge_id, answer.value->url, "", ec);
        if (ec) {
            return respond(storage_failed(ec));
        }
        if (redirect) {
            return respond(redirect_to(answer.value->url));
        }
        respond(json_response(
            protocol::dump_compact(json{{"pledgeId", pledge_id}, {"checkoutUrl", answer.value->url}})));
    });
}

gate_response handle_pledge_status(gate_context& ctx, std::string_view campaign_id,
                                   std::string_view pledge_id) {
    std::error_code ec;
    auto const campaign = current_campaign(ctx.store, campaign_id, ctx.unix_now(), ec);
    if (ec) {
        return storage_failed(ec);
    }
    if (!campaign) {
        return no_campaign();
    }
    auto const pledge = ctx.store.find_pledge(pledge_id, ec);
    if (ec) {
        return storage_failed(ec);
    }
    if (!pledge || pledge->campaign_id != campaign->id) {
        return error_response(404, error_code::pledge_not_found, "no pledge with that id in this campaign");
    }
    json out{{"pledgeId", pledge->pledge_id},
             {"campaignId", campaign->id},
             {"state", pledge->state},
             {"tier", pledge->tier_id},
             {"amount", pledge->amount},
             {"currency", campaign->currency},
             {"campaignState", campaign->state},
             {"chargedOn", protocol::format_utc_timestamp(campaign->deadline)}};
    if (pledge->state == "pending" && campaign->state == "open" && !pledge->checkout_url.empty()) {
        out["checkoutUrl"] = pledge->checkout_url;
    }
    if (pledge->state == "charge_failed") {
        // The backer can fix it: a new card (POST .../payment-method) before the grace period ends.
        out["declineCode"] = pledge->last_decline;
        if (pledge->grace_until) {
            out["retryUntil"] = protocol::format_utc_timestamp(*pledge->grace_until);
        }
        if (pledge->next_charge_at) {
            out["nextAttempt"] = protocol::format_utc_timestamp(*pledge->next_charge_at);
        }
    }
    if (pledge->state == "charged") {
        auto const* tier = campaign->find_tier(pledge->tier_id);
        auto const own = token_for(ctx, *pledge, campaign->bundle_id, tier);
        if (own.error) {
            return *own.error;
        }
        out["token"] = own.token;
        auto const delivered = ctx.store.deliveries(campaign->id, ec);
        if (ec) {
            return storage_failed(ec);
        }
        json deliveries = json::array();
        for (auto const& d : delivered) {
            if (tier && !tier->receives(d.bundle_id)) {
                continue;
            }
            auto const delivery = token_for(ctx, *pledge, d.bundle_id, nullptr);
            if (delivery.error) {
                return *delivery.error;
            }
            deliveries.push_back({{"bundleId", d.bundle_id},
                                  {"version", d.version},
                                  {"magnet", magnet_json(d.magnet)},
                                  {"token", delivery.token}});
        }
        out["deliveries"] = std::move(deliveries);
    } else if (pledge->state == "released") {
        if (!pledge->release_reason.empty()) {
            out["reason"] = pledge->release_reason;
        }
        out["release"] = sign_receipt(
            receipt_body("release", *pledge, *campaign, campaign->closed_at.value_or(0)), ctx.gate_key);
    }
    return json_response(protocol::dump_compact(out));
}

gate_response handle_pledge_cancel(gate_context& ctx, std::string_view campaign_id,
                                   std::string_view pledge_id) {
    std::error_code ec;
    auto const campaign = current_campaign(ctx.store, campaign_id, ctx.unix_now(), ec);
    if (ec) {
        return storage_failed(ec);
    }
    if (!campaign) {
        return no_campaign();
    }
    auto pledge = ctx.store.find_pledge(pledge_id, ec);
    if (ec) {
        return storage_failed(ec);
    }
    if (!pledge || pledge->campaign_id != campaign->id) {
        return error_response(404, error_code::pledge_not_found, "no pledge with that id in this campaign");
    }
    switch (ctx.store.cancel_pledge(pledge_id, ctx.unix_now(), ec)) {
    case cancel_outcome::cancelled:
    case cancel_outcome::already_cancelled:
        break;
    case cancel_outcome::closed:
        return error_response(409, error_code::campaign_closed,
                              "the campaign is closed: pledges stand as they are");
    case cancel_outcome::not_found:
        return ec ? storage_failed(ec)
                  : error_response(404, error_code::pledge_not_found,
                                   "no pledge with that id in this campaign");
    }
    if (ec) {
        return storage_failed(ec);
    }
    pledge = ctx.store.find_pledge(pledge_id, ec);
    if (ec || !pledge) {
        return storage_failed(ec);
    }
    // Its saved method, if any, is for the provider to forget.
    ctx.wake_charges();
    json const out{{"pledgeId", pledge->pledge_id},
                   {"campaignId", campaign->id},
                   {"state", pledge->state},
                   {"receipt", sign_receipt(receipt_body("cancellation", *pledge, *campaign,
                                                         pledge->cancelled_at.value_or(0)),
                                            ctx.gate_key)}};
    return json_response(protocol::dump_compact(out));
}

} // namespace sluice::gate
