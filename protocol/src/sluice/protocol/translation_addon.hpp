#pragma once

#include "bundle_manifest.hpp"
#include "keys.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::protocol {

// A translation a bundle's creator approved (protocol/translations.md): subtitles of one item of one bundle
// version, in one language, credited to their translators, and the SHA-256 of the WebVTT track itself. The
// envelope is an unlock token's, with its own format name; it is signed by the bundle's publisher key or by a
// translation key its manifest lists, so a gate can approve translations without the publisher key.
inline constexpr std::string_view translation_addon_format = "sluice-translation/1";
inline constexpr std::size_t max_translation_addon_bytes = 16 * 1024;

struct translation_addon {
    std::string bundle_id;
    std::uint64_t version = 0;
    std::string item;   // the item's manifest path
    std::string lang;   // a language tag: "es", "pt-BR"
    std::string label;  // the player's menu entry: "Español"
    std::string credit; // the translators, as they asked to be named
    sha256_digest sha256{};
    std::uint64_t size = 0;              // of the track, in bytes
    std::string approved_at;             // "YYYY-MM-DDTHH:MM:SSZ"
    std::array<unsigned char, 32> key{}; // the key that signed it (set by verify_translation_addon)
};

// The envelope of `addon`, signed with `signer`.
std::string sign_translation_addon(translation_addon const& addon, signing_keypair const& signer);

// Why an add-on was refused, in the order a reader checks (protocol/translations.md); the test vectors in
// protocol/examples/translations name these.
enum class translation_problem {
    none,
    malformed,      // too large, not the envelope or the body the format defines
    untrusted_key,  // neither the publisher key nor a translation key of the manifest
    bad_signature,  // the signature does not hold over the payload
    wrong_bundle,   // another bundle, or another version than the one allowed
    unknown_item,   // the item is not in the manifest
    track_mismatch, // the track's size or SHA-256 is not the one signed
    track_invalid,  // the track is not strict WebVTT
};

std::string_view to_string(translation_problem problem);

struct translation_addon_result {
    translation_addon addon; // only meaningful when problem is none
    translation_problem problem = translation_problem::none;
    std::string detail; // for a person: why the add-on was refused

    explicit operator bool() const { return problem == translation_problem::none; }
};

// Checks an add-on nobody vouches for against the manifest of the bundle it claims to fit: at most 16 KiB,
// the envelope, a key that is the manifest's publisher key or one of its translation keys, the signature over
// the payload's exact bytes, then the body: the manifest's bundle id and version, one of its items, and
// values within their limits. With `track`, the track must be the one signed (size and SHA-256) and pass
// check_webvtt. Never throws.
translation_addon_result verify_translation_addon(std::string_view text, bundle_manifest const& manifest,
                                                  std::optional<std::string_view> track = std::nullopt);

// As verify_translation_addon, for an add-on a creator carries into a later version of the bundle
// (`sluice-bundle create --include-translations`): made for an earlier version of the same bundle, its item
// still in `manifest`, signed by a key `manifest` lists, with its track.
translation_addon_result verify_carried_translation(std::string_view text, bundle_manifest const& manifest,
                                                    std::string_view track);

// Whether `s` can be a gate's id of a submitted translation, which hosts put in URL paths: 1 to 64
// characters of base64url (the gate makes them with generate_token_id).
bool is_submission_id(std::string_view s);

// The SHA-256 of `bytes`.
sha256_digest sha256_of(std::string_view bytes);

} // namespace sluice::protocol
