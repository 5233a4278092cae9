#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::gate_api {

// What the host remembers of its conversations with gates, kept in the keystore so that a restart (or a
// kill -9) loses none of them. Each is written before the request it describes is first sent: its
// idempotency key then makes every retry the same request, and the gate records it once.

// A pledge to a campaign: one per campaign.
struct pledge_record {
    std::string campaign_id;
    std::string bundle_id;
    std::string gate_url;
    std::vector<std::string> gate_keys; // "ed25519:…", from the manifest: receipts and tokens are checked
    std::string idempotency_key;
    std::uint64_t amount = 0; // minor units; 0: the campaign's price (its tier's, when one is named)
    // The campaign's tier pledged to, as sent (the retried request must be the same), or the gate's word for
    // it once acknowledged; empty when none was named and the gate has not said.
    std::string tier;
    std::string pledge_id; // empty until the gate acknowledged the pledge
    // sending (not acknowledged yet), refused (the gate said no for good), or the gate's state of the pledge
    // as last heard: pending (no payment method saved yet), confirmed, charging, charged (its token taken),
    // charge_failed, failed (never charged, the grace period over), cancelled, released (the release kept).
    std::string state = "sending";
    std::string checkout_url;            // the provider's page last handed out for this pledge, or empty
    std::vector<std::string> receipts;   // each as the gate signed it, checked before it was kept
    std::vector<std::string> deliveries; // bundle ids of the deliveries already taken in
    std::string release_reason;          // released: the gate's reason when it gave one (tier_sold_out)
};

// A pay-what-you-want payment for a bundle's `pay` items.
struct payment_record {
    std::string bundle_id;
    std::string gate_url;
    std::string idempotency_key;
    std::uint64_t amount = 0;
    std::string currency;
    std::string payment_id;        // empty until the gate acknowledged the payment
    std::string checkout_url;      // where the viewer pays
    std::string state = "sending"; // sending, pending, paid (its token taken), failed
};

nlohmann::json to_json(pledge_record const& r);
nlohmann::json to_json(payment_record const& r);
// Throw nlohmann::json::exception on a malformed record (the keystore treats the file as damaged). A pledge
// kept by a host from before pledges were pre-orders is read in today's states (see pledge_from_json); one
// from before tiers has none.
pledge_record pledge_from_json(nlohmann::json const& j);
payment_record payment_from_json(nlohmann::json const& j);

// 22 base64url characters from 16 random bytes: an Idempotency-Key.
std::string new_idempotency_key();

} // namespace sluice::gate_api
