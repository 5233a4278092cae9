#include "pledge_handlers.hpp"

#include "api_error.hpp"
#include "bundle_lookup.hpp"
#include "receipt.hpp"
#include "request_body.hpp"
#include "token_issuer.hpp"

#include <sluice/protocol/strict_object.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <sodium.h>

#include <algorithm>

namespace sluice::gate {

namespace {

using nlohmann::json;

constexpr std::size_t max_idempotency_key = 128;

std::int64_t unix_now(gate_context const& ctx) {
    return std::chrono::duration_cast<std::chrono::seconds>(ctx.now().time_since_epoch()).count();
}

gate_response storage_failed() {
    return error_response(500, error_code::internal_error, "the gate's storage failed");
}

gate_response no_campaign() {
    return error_response(404, error_code::campaign_not_found, "no campaign with that id");
}

// The campaign as it stands now: one still open past its deadline is closed first.
std::optional<campaign_record> current_campaign(gate_context& ctx, std::string_view id, std::error_code& ec) {
    if (!protocol::is_bundle_slug(id)) {
        return std::nullopt;
    }
    auto campaign = ctx.store.find_campaign(id, ec);
    if (ec || !campaign) {
        return std::nullopt;
    }
    auto const now = unix_now(ctx);
    if (campaign->state == "open" && now >= campaign->deadline) {
        ctx.store.close_campaign(id, now, ec);
        if (ec) {
            return std::nullopt;
        }
        campaign = ctx.store.find_campaign(id, ec);
    }
    return campaign;
}

json progress(gate_context& ctx, campaign_record const& c, campaign_totals const& t) {
    json out{{"campaignId", c.id},
             {"bundleId", c.bundle_id},
             {"state", c.state},
             {"backers", t.backers},
             {"amount", t.amount},
             {"price", c.price},
             {"currency", c.currency},
             {"deadline", protocol::format_utc_timestamp(c.deadline)},
             {"secondsLeft", std::max<std::int64_t>(0, c.deadline - unix_now(ctx))},
             {"expectedDelivery", c.expected_delivery},
             {"ifGoalMissed", c.if_goal_missed}};
    if (c.goal_backers) {
        out["goalBackers"] = *c.goal_backers;
    }
    if (c.goal_amount) {
        out["goalAmount"] = *c.goal_amount;
    }
    return out;
}

std::string request_hash(std::uint64_t amount, std::string const& device) {
    std::string const input = std::to_string(amount) + "\n" + device;
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<unsigned char const*>(input.data()), input.size());
    return protocol::to_hex(digest);
}

json receipt_body(std::string kind, pledge_record const& p, campaign_record const& c, std::int64_t at) {
    return json{{"kind", std::move(kind)}, {"pledgeId", p.pledge_id},
                {"campaignId", c.id},      {"bundleId", c.bundle_id},
                {"amount", p.amount},      {"currency", c.currency},
                {"device", p.device},      {"at", protocol::format_utc_timestamp(at)}};
}

} // namespace

std::optional<json> campaign_progress(gate_context& ctx, std::string_view campaign_id, std::error_code& ec) {
    auto const campaign = current_campaign(ctx, campaign_id, ec);
    if (ec || !campaign) {
        return std::nullopt;
    }
    auto const sums = ctx.store.totals(campaign->id, ec);
    if (ec) {
        return std::nullopt;
    }
    return progress(ctx, *campaign, sums);
}

gate_response handle_campaign_status(gate_context& ctx, std::string_view campaign_id) {
    std::error_code ec;
    auto const out = campaign_progress(ctx, campaign_id, ec);
    if (ec) {
        return storage_failed();
    }
    if (!out) {
        return no_campaign();
    }
    return json_response(protocol::dump_compact(*out));
}

gate_response handle_pledge(gate_context& ctx, gate_request const& req, std::string_view campaign_id) {
    auto const* key = req.header("idempotency-key");
    if (!key || key->empty() || key->size() > max_idempotency_key ||
        !std::all_of(key->begin(), key->end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
        return error_response(400, error_code::idempotency_key_required,
                              "an Idempotency-Key header of 1 to 128 visible ASCII characters is required");
    }
    std::string device_text;
    std::optional<std::uint64_t> amount;
    if (auto bad = read_json_body(req.body, [&](json const& v) {
            protocol::strict_object const o(v, "", {"device", "amount"});
            device_text = o.string("device", 1, 128);
            if (o.has("amount")) {
                amount = o.integer("amount", 1, protocol::max_safe_integer);
            }
        })) {
        return *bad;
    }
    auto const device = protocol::decode_public_key("x25519", device_text);
    if (!device) {
        return error_response(400, error_code::invalid_device,
                              "device must be \"x25519:<base64 of 32 bytes>\"");
    }
    std::error_code ec;
    auto const campaign = current_campaign(ctx, campaign_id, ec);
    if (ec) {
        return storage_failed();
    }
    if (!campaign) {
        return no_campaign();
    }
    auto const pledged = amount.value_or(campaign->price);
    if (pledged < campaign->price) {
        return error_response(400, error_code::amount_too_low,
                              "the pledge is at least " + std::to_string(campaign->price) + " " +
                                  campaign->currency);
    }

    auto const now = unix_now(ctx);
    pledge_record pledge;
    pledge.pledge_id = protocol::generate_token_id();
    pledge.campaign_id = campaign->id;
    pledge.idempotency_key = *key;
    pledge.amount = pledged;
    pledge.device = protocol::encode_public_key("x25519", *device);
    pledge.request_hash = request_hash(pledge.amount, pledge.device);
    pledge.created_at = now;
    json const answer{
        {"pledgeId", pledge.pledge_id},
        {"campaignId", campaign->id},
        {"state", "active"},
        {"amount", pledge.amount},
        {"currency", campaign->currency},
        {"receipt", sign_receipt(receipt_body("pledge", pledge, *campaign, now), ctx.gate_key)}};
    pledge.response = protocol::dump_compact(answer);

    std::optional<pledge_record> existing;
    auto const outcome = ctx.store.add_pledge(pledge, now, existing, ec);
    if (ec) {
        return storage_failed();
    }
    switch (outcome) {
    case pledge_outcome::created:
        return json_response(pledge.response, 201);
    case pledge_outcome::existing: {
        if (existing->request_hash != pledge.request_hash) {
            return error_response(422, error_code::idempotency_key_reused,
                                  "this Idempotency-Key was used for another pledge request");
        }
        auto res = json_response(existing->response, 201);
        res.headers.emplace_back("Idempotent-Replayed", "true");
        return res;
    }
    case pledge_outcome::closed:
        return error_response(409, error_code::campaign_closed, "the campaign takes no more pledges");
    case pledge_outcome::no_campaign:
        return no_campaign();
    }
    return storage_failed();
}

gate_response handle_pledge_status(gate_context& ctx, std::string_view campaign_id,
                                   std::string_view pledge_id) {
    std::error_code ec;
    auto const campaign = current_campaign(ctx, campaign_id, ec);
    if (ec) {
        return storage_failed();
    }
    if (!campaign) {
        return no_campaign();
    }
    auto const pledge = ctx.store.find_pledge(pledge_id, ec);
    if (ec) {
        return storage_failed();
    }
    if (!pledge || pledge->campaign_id != campaign->id) {
        return error_response(404, error_code::pledge_not_found, "no pledge with that id in this campaign");
    }
    json out{{"pledgeId", pledge->pledge_id},  {"campaignId", campaign->id},
             {"state", pledge->state},         {"amount", pledge->amount},
             {"currency", campaign->currency}, {"campaignState", campaign->state}};
    if (pledge->state == "active" && campaign->state == "funded") {
        auto unlock = ctx.store.find_unlock("pledge", pledge->pledge_id, ec);
        if (ec) {
            return storage_failed();
        }
        if (!unlock) {
            auto found = lookup_bundle(ctx, campaign->bundle_id);
            if (!found.bundle) {
                return found.error;
            }
            if (!trusts_gate_key(found.bundle->manifest, ctx.gate_key)) {
                return error_response(503, error_code::gate_misconfigured,
                                      "this gate's key is not one the bundle trusts");
            }
            auto const device = protocol::decode_public_key("x25519", pledge->device);
            unlock = grant_unlock(ctx, *found.bundle, protocol::gate_kind::pledge,
                                  {protocol::grantee_kind::pledge, pledge->pledge_id}, *device);
            if (!unlock) {
                return error_response(404, error_code::gate_not_offered,
                                      "the bundle has nothing to unlock by pledge");
            }
            ctx.store.record_unlock(*unlock, ec);
            if (ec) {
                return storage_failed();
            }
        }
        out["token"] = unlock->token;
    } else if (pledge->state == "active" && campaign->state == "failed") {
        out["release"] = sign_receipt(
            receipt_body("release", *pledge, *campaign, campaign->closed_at.value_or(0)), ctx.gate_key);
    }
    return json_response(protocol::dump_compact(out));
}

gate_response handle_pledge_cancel(gate_context& ctx, std::string_view campaign_id,
                                   std::string_view pledge_id) {
    std::error_code ec;
    auto const campaign = current_campaign(ctx, campaign_id, ec);
    if (ec) {
        return storage_failed();
    }
    if (!campaign) {
        return no_campaign();
    }
    auto pledge = ctx.store.find_pledge(pledge_id, ec);
    if (ec) {
        return storage_failed();
    }
    if (!pledge || pledge->campaign_id != campaign->id) {
        return error_response(404, error_code::pledge_not_found, "no pledge with that id in this campaign");
    }
    switch (ctx.store.cancel_pledge(pledge_id, unix_now(ctx), ec)) {
    case cancel_outcome::cancelled:
    case cancel_outcome::already_cancelled:
        break;
    case cancel_outcome::closed:
        return error_response(409, error_code::campaign_closed,
                              "the campaign is closed: pledges stand as they are");
    case cancel_outcome::not_found:
        return ec ? storage_failed()
                  : error_response(404, error_code::pledge_not_found,
                                   "no pledge with that id in this campaign");
    }
    if (ec) {
        return storage_failed();
    }
    pledge = ctx.store.find_pledge(pledge_id, ec);
    if (ec || !pledge) {
        return storage_failed();
    }
    json const out{{"pledgeId", pledge->pledge_id},
                   {"campaignId", campaign->id},
                   {"state", pledge->state},
                   {"receipt", sign_receipt(receipt_body("cancellation", *pledge, *campaign,
                                                         pledge->cancelled_at.value_or(0)),
                                            ctx.gate_key)}};
    return json_response(protocol::dump_compact(out));
}

} // namespace sluice::gate
