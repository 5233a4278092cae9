#include "sluice-gate/translation_review.hpp"

#include "sluice-gate/api_error.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/translation_addon.hpp>
#include <sluice/protocol/unlock_token.hpp>

#include <algorithm>

namespace sluice::gate {

namespace {

using nlohmann::json;

// A chain of takings-up longer than this is cut: the credit names the latest translators.
constexpr int max_credit_chain = 100;
constexpr std::size_t max_credit_bytes = 200;
constexpr std::size_t max_reason_bytes = 500;

admin_outcome done(json body, unsigned status = 200) {
    return {status, {}, {}, std::move(body)};
}

// The submission `id` with its track; nothing, with `failed` set to the answer (404 not_found, or 500 when
// the store fails), when there is none to work on.
std::optional<translation_submission> find_submission(gate_store& store, std::string_view id,
                                                      admin_outcome& failed) {
    std::error_code ec;
    auto t = store.find_translation(id, ec);
    if (ec) {
        failed = storage_failure(ec);
        return std::nullopt;
    }
    if (!t) {
        failed = refused(404, error_code::not_found, "no translation submission " + std::string(id));
    }
    return t;
}

// Everyone whose work `t` takes up, the first translator first, each once, within the add-on's limit.
std::string credit_of(gate_store& store, translation_submission const& t, std::error_code& ec) {
    std::vector<std::string> names{t.translator};
    auto earlier = t.based_on;
    for (int i = 0; !earlier.empty() && i < max_credit_chain; ++i) {
        auto const found = store.find_translation(earlier, ec);
        if (ec || !found) {
            break;
        }
        names.push_back(found->translator);
        earlier = found->based_on;
    }
    std::reverse(names.begin(), names.end());
    std::string credit;
    std::vector<std::string> seen;
    for (auto const& name : names) {
        if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
            continue;
        }
        seen.push_back(name);
        auto const next = credit.empty() ? name : credit + ", " + name;
        if (next.size() > max_credit_bytes) {
            // The latest translator is named whatever the length: theirs is the work approved.
            return credit.size() + 2 + t.translator.size() <= max_credit_bytes ? credit + ", " + t.translator
                                                                               : t.translator;
        }
        credit = next;
    }
    return credit;
}

json submission_json(gate_store& store, translation_submission const& t, std::error_code& ec) {
    json j{{"submissionId", t.id},
           {"bundleId", t.bundle_id},
           {"version", t.version},
           {"item", t.item},
           {"lang", t.lang},
           {"label", t.label},
           {"translator", t.translator},
           {"licence", t.licence},
           {"sha256", t.sha256},
           {"submittedAt", protocol::format_utc_timestamp(t.submitted_at)},
           {"state", t.state},
           {"credit", credit_of(store, t, ec)}};
    if (!t.based_on.empty()) {
        j["basedOn"] = t.based_on;
    }
    if (t.reviewed_at) {
        j["reviewedAt"] = protocol::format_utc_timestamp(*t.reviewed_at);
    }
    if (!t.reason.empty()) {
        j["reason"] = t.reason;
    }
    if (!t.addon.empty()) {
        j["addon"] = t.addon;
    }
    return j;
}

bool key_is_listed(protocol::bundle_manifest const& m, std::array<unsigned char, 32> const& key) {
    return key == m.publisher_key ||
           std::find(m.translation_keys.begin(), m.translation_keys.end(), key) != m.translation_keys.end();
}

// For each item and language of `rows`: the last approved (by when it was approved), and the last submitted
// that was not rejected (where the next translator takes up).
struct last_submissions {
    std::vector<translation_submission const*> approved;
    std::vector<translation_submission const*> latest;
};

last_submissions last_of_each(std::vector<translation_submission> const& rows) {
    last_submissions out;
    auto const keep_last = [](std::vector<translation_submission const*>& list,
                              translation_submission const& t, auto when) {
        auto same = std::find_if(list.begin(), list.end(),
                                 [&](auto const* l) { return l->item == t.item && l->lang == t.lang; });
        if (same == list.end()) {
            list.push_back(&t);
        } else if (when(t) > when(**same) || (when(t) == when(**same) && t.based_on == (*same)->id)) {
            *same = &t; // within one second, what takes up another comes after it
        }
    };
    for (auto const& t : rows) {
        if (t.state == "approved") {
            keep_last(out.approved, t, [](auto const& x) {
                return std::pair{x.reviewed_at.value_or(0), x.submitted_at};
            });
        }
        if (t.state != "rejected") {
            keep_last(out.latest, t, [](auto const& x) { return x.submitted_at; });
        }
    }
    return out;
}

} // namespace

admin_outcome translation_list(gate_store& store, std::string_view bundle_id, std::string_view state) {
    if (!state.empty() && state != "pending" && state != "approved" && state != "rejected") {
        return refused(400, error_code::invalid_request, "state is pending, approved or rejected");
    }
    std::error_code ec;
    auto const rows = store.translations(bundle_id, state, ec);
    json list = json::array();
    for (auto const& t : rows) {
        if (ec) {
            break;
        }
        list.push_back(submission_json(store, t, ec));
    }
    if (ec) {
        return storage_failure(ec);
    }
    return done({{"translations", std::move(list)}});
}

admin_outcome translation_show(gate_store& store, std::string_view id) {
    std::error_code ec;
    admin_outcome failed;
    auto const t = find_submission(store, id, failed);
    if (!t) {
        return failed;
    }
    auto body = submission_json(store, *t, ec);
    if (ec) {
        return storage_failure(ec);
    }
    body["track"] = t->track;
    return done(std::move(body));
}

admin_outcome approve_translation(gate_store& store, std::string_view id,
                                  protocol::signing_keypair const& signer, std::int64_t now) {
    std::error_code ec;
    admin_outcome failed;
    auto const t = find_submission(store, id, failed);
    if (!t) {
        return failed;
    }
    if (t->state == "rejected") {
        return refused(409, "translation_rejected", "submission " + t->id + " was rejected: " + t->reason);
    }
    if (t->state == "approved") {
        return translation_show(store, id);
    }
    auto const stored = store.find_bundle(t->bundle_id, ec);
    if (ec) {
        return storage_failure(ec);
    }
    if (!stored) {
        return refused(404, error_code::bundle_not_found, "no bundle " + t->bundle_id);
    }
    auto const parsed = protocol::parse_bundle_manifest(stored->manifest);
    if (!parsed) {
        return refused(500, error_code::internal_error, "the stored bundle does not parse");
    }
    auto const& manifest = *parsed.manifest;
    if (!key_is_listed(manifest, signer.public_key)) {
        return refused(422, "key_not_listed",
                       "the key " + protocol::encode_public_key("ed25519", signer.public_key) +
                           " is neither the publisher key of " + t->bundle_id +
                           " nor one of its manifest's translationKeys");
    }
    if (!manifest.find_item(t->item)) {
        return refused(409, "item_gone",
                       "version " + std::to_string(stored->version) + " of " + t->bundle_id +
                           " has no item " + t->item);
    }
    protocol::translation_addon addon;
    addon.bundle_id = t->bundle_id;
    addon.version = stored->version;
    addon.item = t->item;
    addon.lang = t->lang;
    addon.label = t->label;
    addon.credit = credit_of(store, *t, ec);
    addon.sha256 = protocol::sha256_of(t->track);
    addon.size = t->track.size();
    addon.approved_at = protocol::format_utc_timestamp(now);
    if (ec) {
        return storage_failure(ec);
    }
    auto const text = protocol::sign_translation_addon(addon, signer);
    if (!store.review_translation(id, "approved", now, "", text, ec) && !ec) {
        return translation_show(store, id); // reviewed meanwhile: answered as it now is
    }
    if (ec) {
        return storage_failure(ec);
    }
    return translation_show(store, id);
}

admin_outcome reject_translation(gate_store& store, std::string_view id, std::string_view reason,
                                 std::int64_t now) {
    if (!readable_text(reason, max_reason_bytes, true)) {
        return refused(400, error_code::invalid_request,
                       "the reason is 1 to " + std::to_string(max_reason_bytes) + " bytes of text");
    }
    std::error_code ec;
    admin_outcome failed;
    auto const t = find_submission(store, id, failed);
    if (!t) {
        return failed;
    }
    if (t->state == "approved") {
        return refused(409, "translation_approved", "submission " + t->id + " is already approved");
    }
    if (t->state == "pending") {
        store.review_translation(id, "rejected", now, reason, "", ec);
        if (ec) {
            return storage_failure(ec);
        }
    }
    return translation_show(store, id);
}

admin_outcome approved_translations(gate_store& store, std::string_view bundle_id) {
    std::error_code ec;
    auto const stored = protocol::is_bundle_slug(bundle_id) ? store.find_bundle(bundle_id, ec) : std::nullopt;
    if (ec) {
        return storage_failure(ec);
    }
    if (!stored) {
        return refused(404, error_code::bundle_not_found, "no bundle with that id");
    }
    auto const rows = store.translations(bundle_id, "", ec);
    if (ec) {
        return storage_failure(ec);
    }
    auto const [approved, latest] = last_of_each(rows);
    json offered = json::array();
    for (auto const* t : approved) {
        offered.push_back(
            {{"submissionId", t->id}, {"item", t->item}, {"lang", t->lang}, {"addon", t->addon}});
    }
    json drafts = json::array();
    for (auto const* t : latest) {
        drafts.push_back({{"submissionId", t->id},
                          {"item", t->item},
                          {"lang", t->lang},
                          {"state", t->state},
                          {"submittedAt", protocol::format_utc_timestamp(t->submitted_at)}});
    }
    return done({{"translations", std::move(offered)}, {"latest", std::move(drafts)}});
}

std::vector<approved_track> approved_tracks(gate_store& store, std::string_view bundle_id,
                                            std::error_code& ec) {
    std::vector<approved_track> out;
    auto const rows = store.translations(bundle_id, "approved", ec);
    for (auto const* t : last_of_each(rows).approved) {
        auto const whole = ec ? std::nullopt : store.find_translation(t->id, ec);
        if (whole) {
            out.push_back({whole->addon, whole->track});
        }
    }
    return ec ? std::vector<approved_track>{} : out;
}

} // namespace sluice::gate
