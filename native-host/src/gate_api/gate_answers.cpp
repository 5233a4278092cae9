#include "gate_api/gate_answers.hpp"

#include <sluice/protocol/gate_receipt.hpp>
#include <sluice/protocol/untrusted_json.hpp>

namespace sluice::gate_api {

using nlohmann::json;

namespace {

// Gate ids (pledges, payments, requests) are 22 characters; anything up to 128 is taken, as the API allows.
constexpr std::size_t max_id_bytes = 128;
constexpr std::size_t max_receipt_bytes = 16 * 1024;

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
                                 std::chrono::seconds timeout) {
    using failure = net::incoming_response::failure;
    gate_reply reply;
    reply.status = response.status;
    auto const gate = "the gate server at " + excerpt(gate_url);
    if (!response.ok) {
        switch (response.what) {
        case failure::too_large:
            reply.what = gate_reply::outcome::malformed;
            reply.message = gate + " sent an answer larger than " + std::to_string(max_gate_answer_bytes) +
                            " bytes; it was not read";
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
    if (response.status >= 500) {
        reply.what = gate_reply::outcome::unavailable;
        reply.message = gate + " had a problem (" + http_status(response.status) + "); try again later";
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
    if (response.status >= 400) {
        reply.what = gate_reply::outcome::refused;
        auto const error = parsed && parsed.value.is_object() ? parsed.value.value("error", json()) : json();
        if (error.is_object()) {
            reply.gate_code = text_excerpt(error.value("code", json())).substr(0, 64);
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
    auto const code = reply.what == gate_reply::outcome::refused       ? error_code::gate_refused
                      : reply.what == gate_reply::outcome::unavailable ? error_code::gate_unreachable
                                                                       : error_code::gate_bad_answer;
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
    if (auto const* state = text_member(body, "state", 16);
        state && (*state == "active" || *state == "cancelled")) {
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
    if (auto const* token = text_member(body, "token", protocol::max_unlock_token_bytes)) {
        out.token = *token;
    }
    if (auto const* release = text_member(body, "release", max_receipt_bytes)) {
        out.release = *release;
    }
    return {std::move(out), {}};
}

gate_answer<payment_created> read_payment_created(json const& body, std::string const& bundle_id) {
    auto const* payment = text_member(body, "paymentId", max_id_bytes);
    auto const* checkout = text_member(body, "checkoutUrl", 2048);
    if (!payment || !checkout || !(checkout->starts_with("https://") || checkout->starts_with("http://"))) {
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
