#pragma once

#include "common/key_files.hpp"
#include "sluice-gate/gate_context.hpp"
#include "sluice-gate/http_types.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <optional>
#include <string_view>

namespace sluice::gate {

// A stored bundle read back into its typed forms.
struct loaded_bundle {
    stored_bundle stored;
    protocol::bundle_manifest manifest;
    publisher::item_keys keys;
};

// The bundle `id`, or the error response to send instead: 404 bundle_not_found when there is none (or the
// id is not a bundle id at all), 500 when the store fails or holds something that no longer parses.
struct bundle_lookup {
    std::optional<loaded_bundle> bundle;
    gate_response error;
};

bundle_lookup lookup_bundle(gate_store& store, std::string_view id);
inline bundle_lookup lookup_bundle(gate_context& ctx, std::string_view id) {
    return lookup_bundle(ctx.store, id);
}

} // namespace sluice::gate
