#pragma once

#include "sluice-gate/admin_commands.hpp"
#include "sluice-gate/gate_store.hpp"

#include <sluice/protocol/keys.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

namespace sluice::gate {

// The creator's review of viewers' translations (protocol/translations.md), shared by `sluice-gate
// translations` and the admin endpoints as admin_commands.hpp's operations are.

// A bundle's submissions ("" for every bundle's) in `state` ("" for any), by the second they arrived, without
// tracks:
// {"translations": [submission...]}. A submission: {"submissionId", "bundleId", "version", "item", "lang",
// "label", "translator", "licence", "basedOn"?, "sha256", "submittedAt", "state", "reviewedAt"?, "reason"?,
// "credit", "addon"?}; `credit` names everyone whose work it takes up (basedOn, followed back), first first.
admin_outcome translation_list(gate_store& store, std::string_view bundle_id, std::string_view state);

// One submission with its track ("track"); 404 not_found.
admin_outcome translation_show(gate_store& store, std::string_view id);

// Approves a pending submission: signs its add-on with `signer`, which must be the bundle's publisher key
// or one of its manifest's translationKeys, for the version of the bundle the gate holds now (the item must
// still be in it). Approving an approved submission again answers it as it is. Errors: 404 not_found,
// bundle_not_found; 409 translation_rejected, item_gone; 422 key_not_listed.
admin_outcome approve_translation(gate_store& store, std::string_view id,
                                  protocol::signing_keypair const& signer, std::int64_t now);

// Rejects a pending submission, saying why (1 to 500 bytes, shown to nobody but the creator). Errors: 404
// not_found; 409 translation_approved.
admin_outcome reject_translation(gate_store& store, std::string_view id, std::string_view reason,
                                 std::int64_t now);

// What hosts fetch with the bundle: {"translations": [{"submissionId", "item", "lang", "addon"}], "latest":
// [{"submissionId", "item", "lang", "state", "submittedAt"}]}. `translations` holds the last approved add-on
// of each item and language; `latest` the last submission of each that was not rejected, where a translator
// takes up the work. Tracks are had from GET /v1/bundles/{id}/translations/{submission}. 404
// bundle_not_found.
admin_outcome approved_translations(gate_store& store, std::string_view bundle_id);

// The last approved add-on of each item and language of a bundle, with its track: what `sluice-gate
// translations export` writes for the bundle's next version (`sluice-bundle create --include-translations`).
struct approved_track {
    std::string addon;
    std::string track;
};
std::vector<approved_track> approved_tracks(gate_store& store, std::string_view bundle_id,
                                            std::error_code& ec);

} // namespace sluice::gate
