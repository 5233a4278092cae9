#include "gate_api/gate_records.hpp"

#include <sodium.h>

namespace sluice::gate_api {

using nlohmann::json;

json to_json(pledge_record const& r) {
    json j = {{"campaignId", r.campaign_id},
              {"bundleId", r.bundle_id},
              {"gateUrl", r.gate_url},
              {"gateKeys", r.gate_keys},
              {"idempotencyKey", r.idempotency_key},
              {"amount", r.amount},
              {"pledgeId", r.pledge_id},
              {"state", r.state},
              {"checkoutUrl", r.checkout_url},
              {"receipts", r.receipts},
              {"deliveries", r.deliveries}};
    // Left out when empty: a pledge to a single-price campaign is written as a host before tiers wrote it.
    if (!r.tier.empty()) {
        j["tier"] = r.tier;
    }
    if (!r.release_reason.empty()) {
        j["releaseReason"] = r.release_reason;
    }
    return j;
}

json to_json(payment_record const& r) {
    return {{"bundleId", r.bundle_id},
            {"gateUrl", r.gate_url},
            {"idempotencyKey", r.idempotency_key},
            {"amount", r.amount},
            {"currency", r.currency},
            {"paymentId", r.payment_id},
            {"checkoutUrl", r.checkout_url},
            {"state", r.state}};
}

pledge_record pledge_from_json(json const& j) {
    pledge_record r;
    r.campaign_id = j.at("campaignId").get<std::string>();
    r.bundle_id = j.at("bundleId").get<std::string>();
    r.gate_url = j.at("gateUrl").get<std::string>();
    r.gate_keys = j.at("gateKeys").get<std::vector<std::string>>();
    r.idempotency_key = j.at("idempotencyKey").get<std::string>();
    r.amount = j.at("amount").get<std::uint64_t>();
    r.pledge_id = j.at("pledgeId").get<std::string>();
    r.state = j.at("state").get<std::string>();
    r.receipts = j.at("receipts").get<std::vector<std::string>>();
    r.deliveries = j.at("deliveries").get<std::vector<std::string>>();
    // Both absent from records kept before tiers.
    if (auto const it = j.find("tier"); it != j.end()) {
        r.tier = it->get<std::string>();
    }
    if (auto const it = j.find("releaseReason"); it != j.end()) {
        r.release_reason = it->get<std::string>();
    }
    if (auto const it = j.find("checkoutUrl"); it != j.end()) {
        r.checkout_url = it->get<std::string>();
    } else {
        // Written before pledges were pre-orders (no record then had a checkoutUrl), in that version's
        // states: a pledge it kept "active" was counted by the gate, which now holds it as confirmed (the
        // gate's own store was moved the same way); "funded" had its token taken, which only a charge earns
        // now; "failed" meant its campaign failed and the release was kept, now "released". Its other states
        // are spelled alike, and each is written back in today's spelling with the record's next change.
        if (r.state == "active") {
            r.state = "confirmed";
        } else if (r.state == "funded") {
            r.state = "charged";
        } else if (r.state == "failed") {
            r.state = "released";
        }
    }
    return r;
}

payment_record payment_from_json(json const& j) {
    payment_record r;
    r.bundle_id = j.at("bundleId").get<std::string>();
    r.gate_url = j.at("gateUrl").get<std::string>();
    r.idempotency_key = j.at("idempotencyKey").get<std::string>();
    r.amount = j.at("amount").get<std::uint64_t>();
    r.currency = j.at("currency").get<std::string>();
    r.payment_id = j.at("paymentId").get<std::string>();
    r.checkout_url = j.at("checkoutUrl").get<std::string>();
    r.state = j.at("state").get<std::string>();
    return r;
}

std::string new_idempotency_key() {
    unsigned char bytes[16];
    randombytes_buf(bytes, sizeof bytes);
    char out[sodium_base64_ENCODED_LEN(sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(out, sizeof out, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

} // namespace sluice::gate_api
