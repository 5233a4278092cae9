#include "sluice-gate/admin_commands.hpp"

#include "sluice-gate/api_error.hpp"
#include "sluice-gate/campaigns.hpp"
#include "sluice-gate/token_issuer.hpp"
#include "sluice-gate/view_counting.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/unlock_token.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <algorithm>

namespace sluice::gate {

using nlohmann::json;

admin_outcome refused(unsigned status, std::string_view code, std::string message) {
    return {status, code, std::move(message), {}};
}

admin_outcome storage_failure(std::error_code const& ec) {
    return refused(500, error_code::internal_error, "the gate's storage failed: " + ec.message());
}

namespace {

admin_outcome no_campaign(std::string_view id) {
    return refused(404, error_code::campaign_not_found, "no campaign " + std::string(id));
}

} // namespace

admin_outcome close_campaign_now(gate_store& store, std::string_view campaign_id, std::int64_t now) {
    std::error_code ec;
    auto const state = store.close_campaign(campaign_id, now, ec);
    if (ec) {
        return storage_failure(ec);
    }
    if (state.empty()) {
        return no_campaign(campaign_id);
    }
    auto const sums = store.totals(campaign_id, ec);
    if (ec) {
        return storage_failure(ec);
    }
    return {200,
            {},
            {},
            json{{"campaignId", campaign_id},
                 {"state", state},
                 {"backers", sums.backers},
                 {"amount", sums.amount}}};
}

admin_outcome deliver_bundle(gate_store& store, std::string_view campaign_id, std::string_view bundle_id,
                             std::int64_t now) {
    std::error_code ec;
    auto const campaign = current_campaign(store, campaign_id, now, ec);
    if (ec) {
        return storage_failure(ec);
    }
    if (!campaign) {
        return no_campaign(campaign_id);
    }
    if (campaign->state == "failed") {
        return refused(409, error_code::campaign_failed,
                       "campaign " + campaign->id +
                           " failed: its backers were released, nothing is delivered");
    }
    if (campaign->state != "funded") {
        return refused(
            409, error_code::campaign_open,
            "campaign " + campaign->id +
                " is still open: deliveries go to the backers of a funded campaign (close it first)");
    }
    auto const stored = protocol::is_bundle_slug(bundle_id) ? store.find_bundle(bundle_id, ec) : std::nullopt;
    if (ec) {
        return storage_failure(ec);
    }
    if (!stored) {
        return refused(404, error_code::bundle_not_found,
                       "no bundle " + std::string(bundle_id) + " (import it first)");
    }
    auto const manifest = protocol::parse_bundle_manifest(stored->manifest);
    if (!manifest) {
        return refused(500, error_code::internal_error,
                       "the stored bundle does not parse: " + manifest.error);
    }
    auto const& pledge = manifest.manifest->gates.pledge;
    if (!pledge || pledge->campaign_id != campaign->id) {
        return refused(409, error_code::campaign_mismatch,
                       "bundle " + stored->id + " does not name campaign " + campaign->id +
                           " in its pledge gate: its backers' tokens would not be the bundle's");
    }
    if (!offers_gate(*manifest.manifest, protocol::gate_kind::pledge)) {
        return refused(404, error_code::gate_not_offered,
                       "bundle " + stored->id + " has no item locked by the pledge gate: nothing to deliver");
    }
    bool const added = store.add_delivery(campaign->id, stored->id, now, ec);
    if (ec) {
        return storage_failure(ec);
    }
    auto const delivered = store.deliveries(campaign->id, ec);
    if (ec) {
        return storage_failure(ec);
    }
    auto const it = std::find_if(delivered.begin(), delivered.end(),
                                 [&](delivery_record const& d) { return d.bundle_id == stored->id; });
    if (it == delivered.end()) {
        return refused(500, error_code::internal_error, "the delivery was not recorded");
    }
    return {added ? 201u : 200u,
            {},
            {},
            json{{"campaignId", it->campaign_id},
                 {"bundleId", it->bundle_id},
                 {"version", it->version},
                 {"magnet", magnet_json(it->magnet)},
                 {"publishedAt", protocol::format_utc_timestamp(it->delivered_at)}}};
}

bool readable_text(std::string_view text, std::size_t max, bool lines) {
    if (text.empty() || text.size() > max || !protocol::is_valid_utf8(text)) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto const u = static_cast<unsigned char>(text[i]);
        bool const c1 = u == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F;
        if ((u < 0x20 && !(lines && (text[i] == '\n' || text[i] == '\t'))) || u == 0x7f || c1) {
            return false;
        }
    }
    return true;
}

admin_outcome post_update(gate_store& store, std::string_view campaign_id, std::string_view title,
                          std::string_view text, std::int64_t now) {
    if (!readable_text(title, max_update_title, false)) {
        return refused(400, error_code::invalid_request,
                       "the title is 1 to " + std::to_string(max_update_title) +
                           " bytes of UTF-8 on one line");
    }
    if (!readable_text(text, max_update_text, true)) {
        return refused(400, error_code::invalid_request,
                       "the text is 1 to " + std::to_string(max_update_text) +
                           " bytes of UTF-8, with no control characters but new lines");
    }
    std::error_code ec;
    auto const campaign = current_campaign(store, campaign_id, now, ec);
    if (ec) {
        return storage_failure(ec);
    }
    if (!campaign) {
        return no_campaign(campaign_id);
    }
    campaign_update const update{protocol::generate_token_id(), campaign->id, std::string(title),
                                 std::string(text), now};
    store.add_update(update, ec);
    if (ec) {
        return storage_failure(ec);
    }
    return {201,
            {},
            {},
            json{{"campaignId", campaign->id},
                 {"id", update.update_id},
                 {"title", update.title},
                 {"text", update.text},
                 {"postedAt", protocol::format_utc_timestamp(now)}}};
}

admin_outcome campaign_report(gate_store& store, std::string_view campaign_id, std::int64_t now) {
    std::error_code ec;
    auto progress = campaign_progress(store, campaign_id, now, ec);
    if (ec) {
        return storage_failure(ec);
    }
    if (!progress) {
        return no_campaign(campaign_id);
    }
    return {200, {}, {}, std::move(*progress)};
}

admin_outcome gate_statistics(gate_store& store) {
    std::error_code ec;
    auto const s = store.stats(ec);
    if (ec) {
        return storage_failure(ec);
    }
    auto const views = store.all_view_totals(ec);
    if (ec) {
        return storage_failure(ec);
    }
    json bundles = json::array();
    for (auto const& b : s.bundles) {
        auto const v = views.contains(b.id) ? views.at(b.id) : view_totals{};
        bundles.push_back({{"id", b.id},
                           {"version", b.version},
                           {"unlocks", b.unlocks},
                           {"views", v.views},
                           {"visitorDays", v.visitor_days}});
    }
    json campaigns = json::array();
    for (auto const& c : s.campaigns) {
        campaigns.push_back(
            {{"id", c.id}, {"state", c.state}, {"backers", c.totals.backers}, {"amount", c.totals.amount}});
    }
    return {200,
            {},
            {},
            json{
                {"bundles", bundles},
                {"campaigns", campaigns},
                {"unlocks", s.unlocks},
                {"emailRequests",
                 {{"pending", s.email_requests_pending}, {"confirmed", s.email_requests_confirmed}}},
                {"payments",
                 {{"pending", s.payments.pending}, {"paid", s.payments.paid}, {"failed", s.payments.failed}}},
            }};
}

} // namespace sluice::gate
