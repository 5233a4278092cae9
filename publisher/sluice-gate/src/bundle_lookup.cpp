#include "sluice-gate/bundle_lookup.hpp"

#include "sluice-gate/api_error.hpp"

namespace sluice::gate {

bundle_lookup lookup_bundle(gate_store& store, std::string_view id) {
    bundle_lookup out;
    if (!protocol::is_bundle_slug(id)) {
        out.error = error_response(404, error_code::bundle_not_found, "no bundle with that id");
        return out;
    }
    std::error_code ec;
    auto stored = store.find_bundle(id, ec);
    if (ec) {
        out.error = storage_failed(ec);
        return out;
    }
    if (!stored) {
        out.error = error_response(404, error_code::bundle_not_found, "no bundle with that id");
        return out;
    }
    // Both were checked at import; parsing again costs little next to a network round trip and keeps the
    // store free of a second, derived copy that could drift.
    auto manifest = protocol::parse_bundle_manifest(stored->manifest);
    auto keys = publisher::parse_item_keys(stored->keys);
    if (!manifest || !keys) {
        out.error = error_response(500, error_code::internal_error, "the stored bundle does not parse");
        return out;
    }
    out.bundle = loaded_bundle{std::move(*stored), std::move(*manifest.manifest), std::move(*keys)};
    return out;
}

} // namespace sluice::gate
