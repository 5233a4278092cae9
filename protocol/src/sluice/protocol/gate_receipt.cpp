#include "gate_receipt.hpp"

#include "keys.hpp"
#include "strict_object.hpp"
#include "untrusted_json.hpp"

#include <algorithm>

namespace sluice::protocol {

namespace {

constexpr std::size_t max_receipt_bytes = 16 * 1024;
constexpr json_limits receipt_json_limits{.max_depth = 4, .max_values = 64};

gate_receipt_result refuse(std::string detail) {
    gate_receipt_result result;
    result.detail = std::move(detail);
    return result;
}

// The signed body; throws json_shape_error.
gate_receipt read_body(nlohmann::json const& value) {
    strict_object body(value, "",
                       {"kind", "pledgeId", "campaignId", "bundleId", "amount", "currency", "device", "at"});
    gate_receipt r;
    r.kind = body.string("kind", 1, 32);
    if (r.kind != "pledge" && r.kind != "cancellation" && r.kind != "release") {
        shape_fail(body.at("kind"), "must be pledge, cancellation or release");
    }
    r.pledge_id = body.string("pledgeId", 1, 128);
    r.campaign_id = body.string("campaignId", 1, 64);
    r.bundle_id = body.string("bundleId", 1, 64);
    r.amount = body.integer("amount", 0, max_safe_integer);
    r.currency = body.string("currency", 3, 3);
    r.device = body.string("device", 1, 128);
    r.at = body.string("at", 20, 20);
    return r;
}

} // namespace

gate_receipt_result verify_gate_receipt(std::string_view text,
                                        std::vector<std::array<unsigned char, 32>> const& trusted) {
    if (text.size() > max_receipt_bytes) {
        return refuse("the receipt is larger than " + std::to_string(max_receipt_bytes) + " bytes");
    }
    auto const parsed = parse_untrusted_json(text, receipt_json_limits);
    if (!parsed) {
        return refuse("the receipt is not JSON: " + parsed.detail);
    }
    try {
        strict_object envelope(parsed.value, "", {"format", "gateKey", "payload", "signature"});
        if (envelope.string("format", 1, 64) != gate_receipt_format) {
            shape_fail(envelope.at("format"), "must be \"" + std::string(gate_receipt_format) + "\"");
        }
        auto const key = decode_public_key("ed25519", envelope.string("gateKey", 1, 128));
        if (!key) {
            shape_fail(envelope.at("gateKey"), "must be ed25519:<base64 of 32 bytes>");
        }
        auto const payload = from_base64(envelope.string("payload", 1, max_receipt_bytes));
        auto const signature = from_base64(envelope.string("signature", 1, 128));
        if (!payload || !signature || signature->size() != 64) {
            shape_fail(envelope.at(payload ? "signature" : "payload"),
                       "must be base64 (a signature: 64 bytes)");
        }
        if (std::find(trusted.begin(), trusted.end(), *key) == trusted.end()) {
            return refuse("the receipt is signed by " + encode_public_key("ed25519", *key) +
                          ", a key the bundle's manifest does not trust");
        }
        std::array<unsigned char, 64> sig{};
        std::copy(signature->begin(), signature->end(), sig.begin());
        if (!verify(*payload, sig, *key)) {
            return refuse("the receipt's signature does not match its contents");
        }
        auto const body = parse_untrusted_json(*payload, receipt_json_limits);
        if (!body) {
            return refuse("the receipt's signed body is not JSON: " + body.detail);
        }
        gate_receipt_result result;
        result.receipt = read_body(body.value);
        result.receipt.gate_key = *key;
        return result;
    } catch (json_shape_error const& e) {
        return refuse("the receipt is malformed " + e.message());
    }
}

} // namespace sluice::protocol
