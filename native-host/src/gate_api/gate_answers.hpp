#pragma once

#include <sluice/net/http_client.hpp>
#include <sluice/protocol/jsonrpc.hpp>
#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/unlock_token.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::gate_api {

// Everything the host reads from a gate server's answers (protocol/gate-api.md), as pure functions: no I/O,
// no state, never throwing on any input. The gate agent and the gate methods call them, and so do the fuzzers
// in tests/fuzz, so what a hostile gate can reach is what is fuzzed.

// What came back from a bundle's gate server, sorted by what the host can do with it.
struct gate_reply {
    enum class outcome {
        answered,    // 2xx with a JSON object: `body`
        refused,     // 4xx: the gate said no; `gate_code` and `message` say why
        unavailable, // no connection, no answer in time, the connection closed early, or 5xx: try again later
        malformed,   // an answer that is not the JSON object the API promises, too large, or a redirect
    };
    outcome what = outcome::unavailable;
    int status = 0;
    nlohmann::json body;
    std::string gate_code; // error.code of a 4xx or 5xx answer, when it had one
    std::string message;   // for a person
};

// Largest answer the host reads from a gate: tokens are at most 64 KiB, everything else is smaller but a
// translation's track (max_translation_answer_bytes).
inline constexpr std::size_t max_gate_answer_bytes = 256 * 1024;
// A translation with its track: 512 KiB of WebVTT, escaped in JSON.
inline constexpr std::size_t max_translation_answer_bytes = 1024 * 1024;

// Sorts an HTTP exchange with the gate at `gate_url` into a gate_reply. `timeout` is the deadline the
// exchange had, named in the message when it passed; `max_bytes` the size the answer was read up to.
gate_reply interpret_gate_answer(net::incoming_response const& response, std::string const& gate_url,
                                 std::chrono::seconds timeout, std::size_t max_bytes = max_gate_answer_bytes);

// A reply that is not `answered`, as the error the extension receives: gate_refused (with data.gateCode),
// gate_unreachable (worth retrying) or gate_bad_answer, and data.status when there was one. Some of the
// gate's codes have their own: payment_provider_failed (its provider failed; worth retrying),
// pledge_not_updatable (the pledge is past the point where its payment method can change), tier_sold_out and
// unknown_tier (the tier a pledge named is full, or not the campaign's).
protocol::rpc_error to_rpc_error(gate_reply const& reply);

// What a parser made of an answer: `value` when `problem` is empty; else `problem` says, for a person, what
// the answer lacks.
template <typename T>
struct gate_answer {
    T value{};
    std::string problem;

    explicit operator bool() const { return problem.empty(); }
};

// POST /v1/bundles/{id}/unlock/email (`confirming` false) or .../unlock/email/confirm (true): a token, or,
// only for the first and with 202, the id of the request whose code was mailed.
struct email_unlock {
    std::string token;
    std::string request_id;
};
gate_answer<email_unlock> read_email_unlock(gate_reply const& reply, bool confirming);

// The answer to a pledge's cancellation (POST /v1/campaigns/{c}/pledges/{p}/cancel), and the part of a
// pledge's answer they share: the pledge's id and the receipt the gate signed, still to be checked with
// receipt_problem().
struct pledge_receipt_answer {
    std::string pledge_id;
    std::string receipt;
};
gate_answer<pledge_receipt_answer> read_pledge_receipt_answer(nlohmann::json const& body);

// The answer to a pledge (POST /v1/campaigns/{c}/pledges) to `campaign_id`: the pledge is a pre-order, and
// the backer saves a payment method on the provider's page before it counts.
struct pledge_created {
    std::string pledge_id;
    std::string receipt;
    std::string checkout_url; // the provider's page: http:// or https://, at most 2048 bytes
    std::string charged_on;   // the deadline, when the charge happens if the campaign is funded; may be empty
    std::string tier;         // the campaign's tier the pledge is in; empty when the gate did not say
};
gate_answer<pledge_created> read_pledge_created(nlohmann::json const& body, std::string const& campaign_id);

// What a receipt must say to be kept for a pledge. `amount` 0: any (the host let the gate take the price).
struct expected_receipt {
    std::string kind; // "pledge", "cancellation", "release"
    std::string pledge_id;
    std::string campaign_id;
    std::string device; // "x25519:<base64>"
    std::uint64_t amount = 0;
};
// Why `text` is not the receipt `expected` describes, signed by one of `trusted`; nullopt when it is.
std::optional<std::string> receipt_problem(std::string_view text, expected_receipt const& expected,
                                           std::vector<std::array<unsigned char, 32>> const& trusted);

// GET /v1/campaigns/{c}/pledges/{p}, for the pledge `pledge_id` of `campaign_id`: an answer about another
// pledge or campaign is refused, so it never changes this one, and so is a state or a member of the wrong
// form. Each member is read only in the state the API gives it in: a token beside any state but charged is
// not read, since nothing but a charge earns one.
struct pledge_status {
    // pending, confirmed, charging, charged, charge_failed, failed, cancelled or released
    std::string state;
    std::string campaign_state; // "open", "funded" or "failed"
    std::string charged_on;     // when it is (or was) charged if the campaign is funded; may be empty
    std::string checkout_url;   // pending: the provider's page, still to be completed; may be empty
    std::string decline_code;   // charge_failed: the bank's reason, such as insufficient_funds; may be empty
    std::string retry_until;    // charge_failed: the end of the grace period; may be empty
    std::string next_attempt;   // charge_failed: when it is charged again; may be empty
    std::string token;          // charged: may be empty until the gate issues it
    std::string release;        // released: the signed release, still to be checked
    std::string reason;         // released: why, when the gate says (tier_sold_out); may be empty
    std::string tier;           // the campaign's tier the pledge is in; may be empty
};
gate_answer<pledge_status> read_pledge_status(nlohmann::json const& body, std::string const& pledge_id,
                                              std::string const& campaign_id);

// POST /v1/campaigns/{c}/pledges/{p}/payment-method for `pledge_id`: a new page of the provider where the
// backer saves another payment method.
struct payment_method_page {
    std::string checkout_url; // http:// or https://, at most 2048 bytes
};
gate_answer<payment_method_page> read_payment_method(nlohmann::json const& body,
                                                     std::string const& pledge_id);

// POST /v1/bundles/{id}/unlock/pay for `bundle_id`.
struct payment_created {
    std::string payment_id;
    std::string checkout_url; // http:// or https://, at most 2048 bytes
};
gate_answer<payment_created> read_payment_created(nlohmann::json const& body, std::string const& bundle_id);

// GET /v1/payments/{p} for `payment_id`.
struct payment_status {
    std::string state; // "pending", "paid" or "failed"
    std::string token; // set when paid
};
gate_answer<payment_status> read_payment_status(nlohmann::json const& body, std::string const& payment_id);

// Checks a token a gate handed over for `bundle_id`, sealed to `device`, before the library redeems it: the
// library takes a token for any bundle in the session, and a gate asked about one bundle must not unlock
// another, or make the host believe it did. `gate_keys` empty: the key the envelope names is used, so this
// checks what the token is for, and the library then checks that key against the manifest. The manifest
// version is left to the library too.
protocol::unlock_token_result check_gate_token(std::string_view token, std::string const& bundle_id,
                                               std::vector<std::array<unsigned char, 32>> const& gate_keys,
                                               protocol::box_keypair const& device,
                                               std::chrono::sys_seconds now);

} // namespace sluice::gate_api
