#pragma once

#include "sluice-gate/gate_store.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::gate {

// The publisher's operations on a running gate's data, shared by the command line (`close`, `deliver`,
// `campaign`, `stats`) and the HTTP admin endpoints (admin_handlers.hpp), so both do exactly the same.

// What an operation came to: a JSON body, or an error with the HTTP status and code the admin endpoints
// answer (the command line prints the message and exits 1).
struct admin_outcome {
    unsigned status = 200;
    std::string_view code; // an error_code, empty when done
    std::string message;   // for a person, when not done
    nlohmann::json body;   // when done

    bool done() const { return status < 400; }
};

// An operation refused: its status, error code and message.
admin_outcome refused(unsigned status, std::string_view code, std::string message);
// The store failed: 500 internal_error.
admin_outcome storage_failure(std::error_code const& ec);

// Closes a campaign now (funded if its active pledges meet its goals, else failed); an already closed one
// keeps its state. {"campaignId","state","backers","amount"}; 404 campaign_not_found.
admin_outcome close_campaign_now(gate_store& store, std::string_view campaign_id, std::int64_t now);

// Publishes the imported bundle `bundle_id` to the backers of the funded campaign `campaign_id`: each
// active pledge's status then carries a token for the bundle's pledge-locked items. The bundle's manifest
// must name the campaign in its pledge gate. Idempotent: 201 the first time, 200 with the same body after.
// {"campaignId","bundleId","version","magnet","publishedAt"}. Errors: 404 campaign_not_found,
// bundle_not_found, gate_not_offered (nothing locked by the pledge gate); 409 campaign_open (deliveries
// follow the funding), campaign_failed, campaign_mismatch (the manifest names another campaign).
admin_outcome deliver_bundle(gate_store& store, std::string_view campaign_id, std::string_view bundle_id,
                             std::int64_t now);

// Text a person wrote for other people: UTF-8, 1 to `max` bytes, no control character (C0, DEL, or C1:
// U+0080 to U+009F, written 0xC2 0x80-0x9F) but, with `lines`, new lines and tabs. Hosts drop text that
// breaks this (a campaign update, a translator's name), so the gate refuses it first.
bool readable_text(std::string_view text, std::size_t max, bool lines);

// Posts an update to the campaign's backers (their hosts show it with the campaign's progress): 201
// {"campaignId","id","title","text","postedAt"}. The title is one line of at most max_update_title bytes,
// the text at most max_update_text, both UTF-8 without control characters (new lines allowed in the text).
// Errors: 400 invalid_request, 404 campaign_not_found.
inline constexpr std::size_t max_update_title = 200;
inline constexpr std::size_t max_update_text = 10000;
admin_outcome post_update(gate_store& store, std::string_view campaign_id, std::string_view title,
                          std::string_view text, std::int64_t now);

// The campaign's progress as GET /v1/campaigns/{id} answers it; 404 campaign_not_found.
admin_outcome campaign_report(gate_store& store, std::string_view campaign_id, std::int64_t now);

// Bundles (with their landing-page views), campaigns, unlocks, confirmation requests and payments, counted.
admin_outcome gate_statistics(gate_store& store);

} // namespace sluice::gate
