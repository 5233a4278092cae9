#include "sluice-gate/token_issuer.hpp"

#include <algorithm>

namespace sluice::gate {

bool trusts_gate_key(protocol::bundle_manifest const& manifest, protocol::signing_keypair const& gate_key) {
    return std::find(manifest.gate_keys.begin(), manifest.gate_keys.end(), gate_key.public_key) !=
           manifest.gate_keys.end();
}

bool offers_gate(protocol::bundle_manifest const& manifest, protocol::gate_kind gate) {
    return std::any_of(manifest.items.begin(), manifest.items.end(),
                       [gate](auto const& item) { return item.locked() && item.gate == gate; });
}

std::optional<unlock_record> grant_unlock(gate_context const& ctx, loaded_bundle const& bundle,
                                          protocol::gate_kind gate, protocol::token_grantee const& grantee,
                                          std::array<unsigned char, 32> const& device,
                                          std::function<bool(std::string const&)> const& include) {
    auto const now = std::chrono::floor<std::chrono::seconds>(ctx.now());
    protocol::unlock_grant grant{protocol::generate_token_id(),
                                 bundle.manifest.id,
                                 bundle.manifest.version,
                                 grantee,
                                 now,
                                 std::nullopt,
                                 {}};
    for (auto const& item : bundle.manifest.items) {
        if (!item.locked() || item.gate != gate || (include && !include(item.path))) {
            continue;
        }
        auto const* key = bundle.keys.find(item.path);
        if (!key) {
            return std::nullopt;
        }
        grant.items.emplace_back(item.path, key->key);
    }
    if (grant.items.empty()) {
        return std::nullopt;
    }
    unlock_record record;
    record.token_id = grant.token_id;
    record.bundle_id = grant.bundle_id;
    record.bundle_version = grant.bundle_version;
    record.grantee_kind = std::string(protocol::to_string(grantee.kind));
    record.grantee_ref = grantee.ref;
    record.device = protocol::encode_public_key("x25519", device);
    record.token = protocol::issue_unlock_token(protocol::seal_unlock_grant(grant, device), ctx.gate_key);
    record.issued_at = now.time_since_epoch().count();
    return record;
}

} // namespace sluice::gate
