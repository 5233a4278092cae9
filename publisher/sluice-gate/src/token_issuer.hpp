#pragma once

#include "sluice-gate/bundle_lookup.hpp"

#include <sluice/protocol/unlock_token.hpp>

#include <array>
#include <functional>
#include <optional>
#include <string>

namespace sluice::gate {

// The unlock a gate grants for `gate`: a token naming every locked item of the bundle that this gate
// unlocks, each key sealed to `device`, signed with the gate's key. Not yet recorded: the caller stores it
// (in the same transaction as whatever else the grant settles) before answering. nullopt when the bundle
// has no such item or its keys file lacks one (import refuses both, so only a damaged store gets there).
// `include` narrows the items to a part of them (a pledge tier's), by path.
std::optional<unlock_record> grant_unlock(gate_context const& ctx, loaded_bundle const& bundle,
                                          protocol::gate_kind gate, protocol::token_grantee const& grantee,
                                          std::array<unsigned char, 32> const& device,
                                          std::function<bool(std::string const&)> const& include = {});

// Whether the manifest trusts the key this gate signs with.
bool trusts_gate_key(protocol::bundle_manifest const& manifest, protocol::signing_keypair const& gate_key);

// Whether any locked item of the manifest is unlocked by `gate`.
bool offers_gate(protocol::bundle_manifest const& manifest, protocol::gate_kind gate);

} // namespace sluice::gate
