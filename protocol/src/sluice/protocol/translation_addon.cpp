#include "translation_addon.hpp"

#include "strict_object.hpp"
#include "untrusted_json.hpp"
#include "webvtt_check.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>

namespace sluice::protocol {

namespace {

constexpr json_limits addon_json_limits{.max_depth = 4, .max_values = 64};

translation_addon_result refuse_addon(translation_problem problem, std::string detail) {
    translation_addon_result result;
    result.problem = problem;
    result.detail = std::move(detail);
    return result;
}

nlohmann::json addon_body(translation_addon const& a) {
    return {{"bundleId", a.bundle_id},
            {"version", a.version},
            {"item", a.item},
            {"lang", a.lang},
            {"label", a.label},
            {"credit", a.credit},
            {"sha256", to_hex(a.sha256)},
            {"size", a.size},
            {"approvedAt", a.approved_at}};
}

// The signed body; throws json_shape_error.
translation_addon read_addon_body(nlohmann::json const& value) {
    strict_object const body(
        value, "",
        {"bundleId", "version", "item", "lang", "label", "credit", "sha256", "size", "approvedAt"});
    translation_addon a;
    a.bundle_id = body.string("bundleId", 1, 64);
    if (!is_bundle_slug(a.bundle_id)) {
        shape_fail(body.at("bundleId"), "must be a bundle id: lower-case letters, digits and '-'");
    }
    a.version = body.integer("version", 1, max_safe_integer);
    a.item = body.string("item", 1, 1024);
    a.lang = body.string("lang", 2, 35);
    if (!is_language_tag(a.lang)) {
        shape_fail(body.at("lang"), "must be a language tag such as \"es\" or \"pt-BR\"");
    }
    a.label = body.string("label", 1, 100);
    a.credit = body.string("credit", 1, 200);
    auto const hash = hex_sha256(body.string("sha256", 64, 64));
    if (!hash) {
        shape_fail(body.at("sha256"), "must be 64 lower-case hex digits");
    }
    a.sha256 = *hash;
    a.size = body.integer("size", 1, max_webvtt_bytes);
    a.approved_at = body.string("approvedAt", 20, 20);
    if (!parse_utc_timestamp(a.approved_at)) {
        shape_fail(body.at("approvedAt"), "must be a time such as 2026-12-01T10:00:00Z");
    }
    return a;
}

} // namespace

std::string_view to_string(translation_problem problem) {
    switch (problem) {
    case translation_problem::none:
        return "none";
    case translation_problem::malformed:
        return "malformed";
    case translation_problem::untrusted_key:
        return "untrusted_key";
    case translation_problem::bad_signature:
        return "bad_signature";
    case translation_problem::wrong_bundle:
        return "wrong_bundle";
    case translation_problem::unknown_item:
        return "unknown_item";
    case translation_problem::track_mismatch:
        return "track_mismatch";
    case translation_problem::track_invalid:
        return "track_invalid";
    }
    return "unknown";
}

bool is_submission_id(std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
}

sha256_digest sha256_of(std::string_view bytes) {
    sodium_ready();
    sha256_digest out{};
    crypto_hash_sha256(out.data(), reinterpret_cast<unsigned char const*>(bytes.data()), bytes.size());
    return out;
}

std::string sign_translation_addon(translation_addon const& addon, signing_keypair const& signer) {
    auto const payload = dump_compact(addon_body(addon));
    auto const signature = sign(payload, signer);
    return dump_compact(
        {{"format", translation_addon_format},
         {"key", encode_public_key("ed25519", signer.public_key)},
         {"payload", to_base64(payload)},
         {"signature",
          to_base64(std::string_view(reinterpret_cast<char const*>(signature.data()), signature.size()))}});
}

namespace {

enum class version_rule { same, earlier };

translation_addon_result verify_addon(std::string_view text, bundle_manifest const& manifest,
                                      std::optional<std::string_view> track, version_rule rule) {
    if (text.size() > max_translation_addon_bytes) {
        return refuse_addon(translation_problem::malformed, "the add-on is larger than " +
                                                                std::to_string(max_translation_addon_bytes) +
                                                                " bytes");
    }
    auto const parsed = parse_untrusted_json(text, addon_json_limits);
    if (!parsed) {
        return refuse_addon(translation_problem::malformed, "the add-on is not JSON: " + parsed.detail);
    }
    try {
        strict_object const envelope(parsed.value, "", {"format", "key", "payload", "signature"});
        if (envelope.string("format", 1, 64) != translation_addon_format) {
            shape_fail(envelope.at("format"), "must be \"" + std::string(translation_addon_format) + "\"");
        }
        auto const key = decode_public_key("ed25519", envelope.string("key", 1, 128));
        if (!key) {
            shape_fail(envelope.at("key"), "must be ed25519:<base64 of 32 bytes>");
        }
        auto const payload = from_base64(envelope.string("payload", 1, max_translation_addon_bytes));
        auto const signature = from_base64(envelope.string("signature", 1, 128));
        if (!payload || !signature || signature->size() != 64) {
            shape_fail(envelope.at(payload ? "signature" : "payload"),
                       "must be base64 (a signature: 64 bytes)");
        }
        auto const& keys = manifest.translation_keys;
        if (*key != manifest.publisher_key && std::find(keys.begin(), keys.end(), *key) == keys.end()) {
            return refuse_addon(
                translation_problem::untrusted_key,
                "the add-on is signed by " + encode_public_key("ed25519", *key) +
                    ", neither the bundle's publisher key nor a translation key its manifest lists");
        }
        std::array<unsigned char, 64> sig{};
        std::copy(signature->begin(), signature->end(), sig.begin());
        if (!verify(*payload, sig, *key)) {
            return refuse_addon(translation_problem::bad_signature,
                                "the add-on's signature does not match its contents");
        }
        auto const body = parse_untrusted_json(*payload, addon_json_limits);
        if (!body) {
            return refuse_addon(translation_problem::malformed,
                                "the add-on's signed body is not JSON: " + body.detail);
        }
        translation_addon_result result;
        result.addon = read_addon_body(body.value);
        result.addon.key = *key;
        auto const& a = result.addon;
        if (rule == version_rule::same && (a.bundle_id != manifest.id || a.version != manifest.version)) {
            return refuse_addon(translation_problem::wrong_bundle,
                                "the add-on is for " + a.bundle_id + " version " + std::to_string(a.version) +
                                    ", not " + manifest.id + " version " + std::to_string(manifest.version));
        }
        if (rule == version_rule::earlier && (a.bundle_id != manifest.id || a.version >= manifest.version)) {
            return refuse_addon(translation_problem::wrong_bundle,
                                "the add-on is for " + a.bundle_id + " version " + std::to_string(a.version) +
                                    ", not an earlier version of " + manifest.id + " than " +
                                    std::to_string(manifest.version));
        }
        if (!manifest.find_item(a.item)) {
            return refuse_addon(translation_problem::unknown_item,
                                "the add-on names " + a.item + ", which the bundle does not hold");
        }
        if (track) {
            if (track->size() != a.size || sha256_of(*track) != a.sha256) {
                return refuse_addon(translation_problem::track_mismatch,
                                    "the track is not the one the add-on signs (its SHA-256 differs)");
            }
            if (auto const problem = check_webvtt(*track)) {
                return refuse_addon(translation_problem::track_invalid, problem->describe());
            }
        }
        return result;
    } catch (json_shape_error const& e) {
        return refuse_addon(translation_problem::malformed, "the add-on is malformed " + e.message());
    }
}

} // namespace

translation_addon_result verify_translation_addon(std::string_view text, bundle_manifest const& manifest,
                                                  std::optional<std::string_view> track) {
    return verify_addon(text, manifest, track, version_rule::same);
}

translation_addon_result verify_carried_translation(std::string_view text, bundle_manifest const& manifest,
                                                    std::string_view track) {
    return verify_addon(text, manifest, track, version_rule::earlier);
}

} // namespace sluice::protocol
