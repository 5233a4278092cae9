#include "gate_api/gate_answers.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/gate_receipt.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <algorithm>

namespace sluice::gate_api {

using nlohmann::json;

namespace {

// Gate ids (pledges, payments, requests) are 22 characters; anything up to 128 is taken, as the API allows.
constexpr std::size_t max_id_bytes = 128;
constexpr std::size_t max_receipt_bytes = 16 * 1024;
constexpr std::size_t max_checkout_url_bytes = 2048;

// A short, printable excerpt of what the gate said: it reaches the extension's UI.
std::string excerpt(std::string_view text, std::size_t max = 300) {
    std::string out(text.substr(0, max));
    for (auto& c : out) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            c = ' ';
        }
    }
    return out;
}

std::string text_excerpt(json const& value) {
    return value.is_string() ? excerpt(value.get_ref<std::string const&>()) : std::string();
}

// The string member `key`, when it is one of 1 to `max` bytes; else nullptr.
std::string const* text_member(json const& body, char const* key, std::size_t max) {
    if (!body.is_object()) {
        return nullptr;
    }
    auto const it = body.find(key);
    if (it == body.end() || !it->is_string()) {
        return nullptr;
    }
    auto const& text = it->get_ref<std::string const&>();
    return text.empty() || text.size() > max ? nullptr : &text;
}

// A URL of the provider's page, which the extension opens in a tab: http(s) only, never javascript: or file:.
bool is_checkout_url(std::string const& text) {
    return text.size() <= max_checkout_url_bytes &&
           (text.starts_with("https://") || text.starts_with("http://"));
}

std::string const* checkout_member(json const& body, char const* key) {
    auto const* url = text_member(body, key, max_checkout_url_bytes);
    return url && is_checkout_url(*url) ? url : nullptr;
}

bool is_timestamp(std::string const& text) {
    return protocol::parse_utc_timestamp(text).has_value();
}

bool is_tier_id(std::string const& text) {
    return protocol::is_bundle_slug(text);
}

// A released pledge's reason is a code the extension words itself (tier_sold_out): only that form reaches it.
bool is_reason_code(std::string const& text) {
    return text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
           });
}

// Decline codes are the provider's words for a person to look up (insufficient_funds): they reach the UI, so
// only their plain form is taken.
bool is_decline_code(std::string const& text) {
    return text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.';
           });
}

// An optional string member into `out`: absent, null or empty leaves `out` empty; present, it must pass
// `fits`, else false: a gate that answers a member in another form than the API's is not half believed.
bool optional_text(json const& body, char const* key, bool (*fits)(std::string const&), std::string& out) {
    auto const it = body.find(key);
    if (it == body.end() || it->is_null()) {
        return true;
    }
    if (!it->is_string()) {
        return false;
    }
    auto const& text = it->get_ref<std::string const&>();
    if (text.empty()) {
        return true;
    }
    if (!fits(text)) {
        return false;
    }
    out = text;
    return true;
}

template <typename T>
gate_answer<T> problem(std::string text) {
    gate_answer<T> out;
    out.problem = std::move(text);
    return out;
}

std::string http_status(int status) {
    return "HTTP " + std::to_string(status);
}

} // namespace

gate_reply interpret_gate_answer(net::incoming_response const& response, std::string const& gate_url,
                                 std::chrono::seconds timeout, std::size_t max_bytes) {
    using failure = net::incoming_response::failure;
    gate_reply reply;
    reply.status = response.status;
    auto const gate = "the gate server at " + excerpt(gate_url);
    if (!response.ok) {
        switch (response.what) {
        case failure::too_large:
            reply.what = gate_reply::outcome::malformed;
            reply.message =
                gate + " sent an answer larger than " + std::to_string(max_bytes) + " bytes; it was not read";
            break;
        case failure::timeout:
            reply.what = gate_reply::outcome::unavailable;
            reply.message = gate + " did not answer completely within " + std::to_string(timeout.count()) +
                            " s; try again later";
            break;
        case failure::closed_early:
            reply.what = gate_reply::outcome::unavailable;
            reply.message = gate + " closed the connection before its answer was complete; try again later";
            break;
        case failure::read:
            reply.what = gate_reply::outcome::malformed;
            reply.message = gate + " did not answer in HTTP: " + excerpt(response.error);
            break;
        default:
            reply.what = gate_reply::outcome::unavailable;
            reply.message = gate + " could not be reached: " + excerpt(response.error);
            break;
        }
        return reply;
    }
    if (response.status >= 300 && response.status < 400) {
        // Never followed: a gate is addressed by the URL its bundle signs, and a loop of redirects would only
        // cost time. The publisher has to fix the gate URL, so this is not worth retrying.
        reply.what = gate_reply::outcome::malformed;
        reply.message = gate + " answered with a redirect (" + http_status(response.status) +
                        (response.location.empty() ? "" : " to " + excerpt(response.location, 200)) +
                        "), which the host does not follow";
        return reply;
    }
    auto parsed = protocol::parse_untrusted_json(
        response.body, protocol::json_limits{.max_depth = 16, .max_values = 10'000});
    auto const error = response.status >= 400 && parsed && parsed.value.is_object()
                           ? parsed.value.value("error", json())
                           : json();
    if (error.is_object()) {
        reply.gate_code = text_excerpt(error.value("code", json())).substr(0, 64);
    }
    // The first request with the same key is still being handled (by another gate): not a refusal, the
    // same request is sent again later.
    bool const in_flight = response.status == 409 && reply.gate_code == "idempotency_key_in_flight";
    if (response.status >= 500 || in_flight) {
        reply.what = gate_reply::outcome::unavailable;
        // The gate's own words are kept for its refusals; a failure is said in the host's, with its status.
        reply.message = reply.gate_code == "payment_provider_failed"
                            ? gate + " could not reach its payment provider (" +
                                  http_status(response.status) + "); try again later"
                            : gate + " had a problem (" + http_status(response.status) + "); try again later";
        return reply;
    }
    if (response.status >= 400) {
        reply.what = gate_reply::outcome::refused;
        if (error.is_object()) {
            reply.message = text_excerpt(error.value("message", json()));
        }
        if (reply.message.empty()) {
            reply.message = gate + " refused the request (" + http_status(response.status) + ")";
        }
        return reply;
    }
    if (response.status < 200) {
        reply.what = gate_reply::outcome::malformed;
        reply.message = gate + " gave an answer its API never gives (" + http_status(response.status) + ")";
        return reply;
    }
    if (!parsed) {
        reply.what = gate_reply::outcome::malformed;
        reply.message = gate + " gave an answer that is not JSON (" + http_status(response.status) + ", " +
                        excerpt(parsed.detail) + ")";
        return reply;
    }
    if (!parsed.value.is_object()) {
        reply.what = gate_reply::outcome::malformed;
        reply.message = gate + " gave JSON that is not an object (" + http_status(response.status) + ")";
        return reply;
    }
    reply.what = gate_reply::outcome::answered;
    reply.body = std::move(parsed.value);
    return reply;
}

protocol::rpc_error to_rpc_error(gate_reply const& reply) {
    using protocol::error_code;
    auto code = reply.what == gate_reply::outcome::refused       ? error_code::gate_refused
                : reply.what == gate_reply::outcome::unavailable ? error_code::gate_unreachable
                                                                 : error_code::gate_bad_answer;
    // Some of the gate's codes the extension words on their own: its provider failing (worth retrying later),
    // a pledge past the point where its payment method can change, and a tier full or not offered (the backer
    // picks another).
    if (reply.what == gate_reply::outcome::unavailable && reply.gate_code == "payment_provider_failed") {
        code = error_code::payment_provider_failed;
    } else if (reply.what == gate_reply::outcome::refused && reply.gate_code == "pledge_not_updatable") {
        code = error_code::pledge_not_updatable;
    } else if (reply.what == gate_reply::outcome::refused && reply.gate_code == "tier_sold_out") {
        code = error_code::tier_sold_out;
    } else if (reply.what == gate_reply::outcome::refused && reply.gate_code == "unknown_tier") {
        code = error_code::unknown_tier;
    }
    auto error = protocol::rpc_error::make(code, reply.message);
    if (reply.status != 0) {
        error.data["status"] = reply.status;
    }
    if (!reply.gate_code.empty()) {
        error.data["gateCode"] = reply.gate_code;
    }
    return error;
}

gate_answer<email_unlock> read_email_unlock(gate_reply const& reply, bool confirming) {
    if (reply.status == 202 && !confirming) {
        auto const* request = text_member(reply.body, "requestId", max_id_bytes);
        if (!request) {
            return problem<email_unlock>("the gate server asked for a confirmation without a request id");
        }
        return {{{}, *request}, {}};
    }
    auto const* token = text_member(reply.body, "token", protocol::max_unlock_token_bytes);
    if (!token) {
        return problem<email_unlock>("the gate server's answer carries no token");
    }
    return {{*token, {}}, {}};
}

gate_answer<pledge_receipt_answer> read_pledge_receipt_answer(json const& body) {
    auto const* pledge = text_member(body, "pledgeId", max_id_bytes);
    auto const* receipt = text_member(body, "receipt", max_receipt_bytes);
    if (!pledge || !receipt) {
        return problem<pledge_receipt_answer>(std::string("the gate's answer has no ") +
                                              (pledge ? "receipt" : "pledge id"));
    }
    return {{*pledge, *receipt}, {}};
}

gate_answer<pledge_created> read_pledge_created(json const& body, std::string const& campaign_id) {
    auto const shared = read_pledge_receipt_answer(body);
    if (!shared) {
        return problem<pledge_created>(shared.problem);
    }
    auto const* checkout = checkout_member(body, "checkoutUrl");
    if (!checkout) {
        return problem<pledge_created>(
            "the gate's answer to the pledge has no checkout URL (http or https, at "
            "most 2048 bytes) where the payment method is saved");
    }
    if (auto const it = body.find("campaignId"); it != body.end() && *it != campaign_id) {
        return problem<pledge_created>("the gate's answer is about a pledge to another campaign");
    }
    pledge_created out{shared.value.pledge_id, shared.value.receipt, *checkout, {}, {}};
    if (!optional_text(body, "chargedOn", is_timestamp, out.charged_on)) {
        return problem<pledge_created>("the gate's answer gives a charge date that is not a UTC time");
    }
    if (!optional_text(body, "tier", is_tier_id, out.tier)) {
        return problem<pledge_created>("the gate's answer names a tier that is not a tier id");
    }
    return {std::move(out), {}};
}

std::optional<std::string> receipt_problem(std::string_view text, expected_receipt const& expected,
                                           std::vector<std::array<unsigned char, 32>> const& trusted) {
    auto const checked = protocol::verify_gate_receipt(text, trusted);
    if (!checked) {
        return checked.detail;
    }
    auto const& r = checked.receipt;
    if (r.kind != expected.kind || r.pledge_id != expected.pledge_id ||
        r.campaign_id != expected.campaign_id) {
        return "the receipt is a " + excerpt(r.kind, 32) + " receipt for pledge " + excerpt(r.pledge_id, 64) +
               " of campaign " + excerpt(r.campaign_id, 64) + ", not the " + expected.kind +
               " receipt of this pledge";
    }
    if (r.device != expected.device) {
        return "the receipt is for another device (" + excerpt(r.device, 64) + ")";
    }
    if (expected.amount != 0 && r.amount != expected.amount) {
        return "the receipt is for an amount of " + std::to_string(r.amount) + ", not the " +
               std::to_string(expected.amount) + " pledged";
    }
    return std::nullopt;
}

gate_answer<pledge_status> read_pledge_status(json const& body, std::string const& pledge_id,
                                              std::string const& campaign_id) {
    auto const* pledge = text_member(body, "pledgeId", max_id_bytes);
    auto const* campaign = text_member(body, "campaignId", max_id_bytes);
    if (!pledge || *pledge != pledge_id || !campaign || *campaign != campaign_id) {
        return problem<pledge_status>("the gate's answer is not about pledge " + pledge_id + " of campaign " +
                                      campaign_id);
    }
    pledge_status out;
    static constexpr std::string_view pledge_states[] = {
        "pending", "confirmed", "charging", "charged", "charge_failed", "failed", "cancelled", "released"};
    if (auto const* state = text_member(body, "state", 16);
        state &&
        std::find(std::begin(pledge_states), std::end(pledge_states), *state) != std::end(pledge_states)) {
        out.state = *state;
    } else {
        return problem<pledge_status>("the gate's answer gives the pledge no state it knows");
    }
    if (auto const* state = text_member(body, "campaignState", 16);
        state && (*state == "open" || *state == "funded" || *state == "failed")) {
        out.campaign_state = *state;
    } else {
        return problem<pledge_status>("the gate's answer gives the campaign no state it knows");
    }
    if (!optional_text(body, "chargedOn", is_timestamp, out.charged_on)) {
        return problem<pledge_status>("the gate's answer gives a charge date that is not a UTC time");
    }
    if (!optional_text(body, "tier", is_tier_id, out.tier)) {
        return problem<pledge_status>("the gate's answer names a tier that is not a tier id");
    }
    if (out.state == "pending" && !optional_text(body, "checkoutUrl", is_checkout_url, out.checkout_url)) {
        return problem<pledge_status>("the gate's answer gives a checkout URL that is not http or https, or "
                                      "longer than 2048 bytes");
    }
    if (out.state == "charge_failed" &&
        (!optional_text(body, "declineCode", is_decline_code, out.decline_code) ||
         !optional_text(body, "retryUntil", is_timestamp, out.retry_until) ||
         !optional_text(body, "nextAttempt", is_timestamp, out.next_attempt))) {
        return problem<pledge_status>(
            "the gate's answer about the failed charge has a decline code or a time "
            "of the wrong form");
    }
    if (out.state == "charged") {
        if (auto const* token = text_member(body, "token", protocol::max_unlock_token_bytes)) {
            out.token = *token;
        }
    }
    if (out.state == "released") {
        if (auto const* release = text_member(body, "release", max_receipt_bytes)) {
            out.release = *release;
        }
        if (!optional_text(body, "reason", is_reason_code, out.reason)) {
            return problem<pledge_status>("the gate's answer gives the release a reason of the wrong form");
        }
    }
    return {std::move(out), {}};
}

gate_answer<payment_method_page> read_payment_method(json const& body, std::string const& pledge_id) {
    auto const* pledge = text_member(body, "pledgeId", max_id_bytes);
    if (!pledge || *pledge != pledge_id) {
        return problem<payment_method_page>("the gate's answer is not about pledge " + pledge_id);
    }
    auto const* checkout = checkout_member(body, "checkoutUrl");
    if (!checkout) {
        return problem<payment_method_page>(
            "the gate's answer has no checkout URL (http or https, at most 2048 bytes)");
    }
    return {{*checkout}, {}};
}

gate_answer<payment_created> read_payment_created(json const& body, std::string const& bundle_id) {
    auto const* payment = text_member(body, "paymentId", max_id_bytes);
    auto const* checkout = checkout_member(body, "checkoutUrl");
    if (!payment || !checkout) {
        return problem<payment_created>("the gate's answer to the payment has no payment id or checkout URL");
    }
    if (auto const it = body.find("bundleId"); it != body.end() && *it != bundle_id) {
        return problem<payment_created>("the gate's answer is about a payment for another bundle");
    }
    return {{*payment, *checkout}, {}};
}

gate_answer<payment_status> read_payment_status(json const& body, std::string const& payment_id) {
    auto const* payment = text_member(body, "paymentId", max_id_bytes);
    if (!payment || *payment != payment_id) {
        return problem<payment_status>("the gate's answer is not about payment " + payment_id);
    }
    auto const* state = text_member(body, "state", 16);
    if (!state || (*state != "pending" && *state != "paid" && *state != "failed")) {
        return problem<payment_status>("the gate's answer gives the payment no state it knows");
    }
    payment_status out{*state, {}};
    if (out.state == "paid") {
        auto const* token = text_member(body, "token", protocol::max_unlock_token_bytes);
        if (!token) {
            return problem<payment_status>("the gate says the payment is paid but gives no token");
        }
        out.token = *token;
    }
    return {std::move(out), {}};
}

protocol::unlock_token_result check_gate_token(std::string_view token, std::string const& bundle_id,
                                               std::vector<std::array<unsigned char, 32>> const& gate_keys,
                                               protocol::box_keypair const& device,
                                               std::chrono::sys_seconds now) {
    protocol::token_expectations expect{gate_keys, bundle_id, std::numeric_limits<std::uint64_t>::max(),
                                        device, now};
    if (expect.gate_keys.empty() && token.size() <= protocol::max_unlock_token_bytes) {
        auto const envelope =
            protocol::parse_untrusted_json(token, protocol::json_limits{.max_depth = 4, .max_values = 64});
        if (envelope && envelope.value.is_object()) {
            if (auto const* key = text_member(envelope.value, "gateKey", 128)) {
                if (auto const decoded = protocol::decode_public_key("ed25519", *key)) {
                    expect.gate_keys.push_back(*decoded);
                }
            }
        }
    }
    return protocol::verify_unlock_token(token, expect);
}

} // namespace sluice::gate_api
