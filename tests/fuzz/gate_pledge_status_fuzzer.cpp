// libFuzzer entry point: a pledge's status as a gate answers it (GET /v1/campaigns/{c}/pledges/{p}), with
// the deliveries it lists and the check of the tokens it carries.

#include "gate_api/campaign_progress.hpp"
#include "gate_fuzz_support.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace sluice;
    using namespace sluice::fuzzing;
    auto const& k = fuzz_keys();
    auto const reply = fuzz_reply(std::string_view(reinterpret_cast<char const*>(data), size), 200);
    if (reply.what != gate_api::gate_reply::outcome::answered) {
        return 0;
    }
    auto const status = gate_api::read_pledge_status(reply.body, "p-1", "saison-2");
    if (!status) {
        return status.problem.empty() ? (std::abort(), 0) : 0;
    }
    auto const& s = status.value;
    if ((s.state != "active" && s.state != "cancelled") ||
        (s.campaign_state != "open" && s.campaign_state != "funded" && s.campaign_state != "failed")) {
        std::abort();
    }
    if (!s.token.empty()) {
        gate_api::check_gate_token(s.token, "saison-2-bundle", {k.gate.public_key}, k.device, k.now);
    }
    for (auto const& delivery : gate_api::campaign_deliveries(reply.body)) {
        if (!protocol::is_bundle_slug(delivery.bundle_id)) {
            std::abort();
        }
        if (!delivery.token.empty()) {
            gate_api::check_gate_token(delivery.token, delivery.bundle_id, {k.gate.public_key}, k.device,
                                       k.now);
        }
    }
    return 0;
}
