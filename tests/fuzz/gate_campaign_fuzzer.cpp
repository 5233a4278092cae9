// libFuzzer entry point: a campaign's progress as a gate answers it (GET /v1/campaigns/{c}), reduced to what
// may reach the extension.

#include "gate_api/campaign_progress.hpp"
#include "gate_fuzz_support.hpp"

#include <set>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace sluice;
    using namespace sluice::fuzzing;
    auto const reply = fuzz_reply(std::string_view(reinterpret_cast<char const*>(data), size), 200);
    if (reply.what != gate_api::gate_reply::outcome::answered) {
        return 0;
    }
    auto const progress = gate_api::campaign_progress(reply.body);
    if (!progress) {
        return 0;
    }
    // Only the members the API defines, of the kinds it promises.
    static std::set<std::string> const known = {
        "campaignId",   "bundleId",   "state",    "backers",  "amount",      "goalBackers",
        "goalAmount",   "price",      "currency", "deadline", "secondsLeft", "expectedDelivery",
        "ifGoalMissed", "deliveries", "updates",  "tiers"};
    for (auto const& [key, value] : progress->items()) {
        if (!known.count(key)) {
            std::abort();
        }
    }
    if (!(*progress)["campaignId"].is_string() || !(*progress)["deliveries"].is_array()) {
        std::abort();
    }
    // What a backer picks from: at most 20, each id once, a limited tier never with more places left than it
    // has.
    auto const& tiers = progress->at("tiers");
    if (!tiers.is_array() || tiers.size() > gate_api::max_campaign_tiers) {
        std::abort();
    }
    static std::set<std::string> const tier_members = {
        "id", "title", "description", "price", "backers", "limit", "left", "items", "deliveries"};
    std::set<std::string> ids;
    for (auto const& tier : tiers) {
        for (auto const& [key, value] : tier.items()) {
            if (!tier_members.count(key)) {
                std::abort();
            }
        }
        if (!ids.insert(tier.at("id").get<std::string>()).second ||
            tier.contains("limit") != tier.contains("left") ||
            (tier.contains("left") &&
             tier.at("left").get<std::uint64_t>() > tier.at("limit").get<std::uint64_t>())) {
            std::abort();
        }
    }
    progress->dump();
    return 0;
}
