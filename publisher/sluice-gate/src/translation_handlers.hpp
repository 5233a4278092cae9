#pragma once

#include "sluice-gate/gate_context.hpp"
#include "sluice-gate/http_types.hpp"

#include <string_view>

namespace sluice::gate {

// `POST /v1/bundles/<id>/translations`: a viewer's translation of an item's subtitles, sent by their host:
// `{"version", "item", "lang", "label", "translator", "licence", "basedOn"?, "track"}`. The track must be
// strict WebVTT (protocol::check_webvtt) for an item of a version the bundle has had; `basedOn` names the
// submission of the same item and language it takes up. Kept as pending until the creator reviews it:
// 201 `{"submissionId", "state": "pending", "sha256"}`. At most 10 per client address an hour.
gate_response handle_translation_submit(gate_context& ctx, gate_request const& req,
                                        std::string_view bundle_id);

// `GET /v1/bundles/<id>/translations`: the approved add-ons hosts fetch with the bundle
// (translation_review.hpp, approved_translations).
gate_response handle_translation_list(gate_context& ctx, std::string_view bundle_id);

// `GET /v1/bundles/<id>/translations/<submission>`: a submission with its track, approved or pending (a
// translator may take up where another left off): {"submissionId", "version", "item", "lang", "label",
// "credit", "state", "basedOn"?, "sha256", "track"}. A rejected one is not served.
gate_response handle_translation_get(gate_context& ctx, std::string_view bundle_id,
                                     std::string_view submission_id);

} // namespace sluice::gate
