// Writes the translation add-on test vectors of protocol/examples/translations/ (keys.json, manifest.json,
// tracks/, valid/, invalid/).
//
//     sluice_translation_vectors protocol/examples/translations
//
// Keys come from fixed seeds and Ed25519 signatures are deterministic, so each run writes the same bytes; the
// files are committed and the tests read them. Rerun it only when the format changes.

#include "vector_helpers.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/translation_addon.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

namespace {

using namespace sluice::protocol;
using vectors::decoded;
using vectors::hex;
using vectors::signing_from_seed;
using vectors::tampered;
using vectors::write_json;
using vectors::write_text;
using ordered_json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// 32 ASCII bytes each, so that the seeds read as what they are. Test-only: they are published.
constexpr std::string_view publisher_seed = "sluice test vectors: publisher  ";
constexpr std::string_view translator_seed = "sluice test vectors: translator ";
constexpr std::string_view stranger_seed = "sluice test vectors: stranger   ";

constexpr std::string_view bundle_id = "les-veilleurs";
constexpr std::uint64_t manifest_version = 3;

// The Spanish track the valid add-ons sign, and one that no add-on may carry.
constexpr std::string_view spanish_track = "WEBVTT\n\n"
                                           "1\n00:00.500 --> 00:02.000\nEsta noche, <i>nadie</i> duerme.\n\n"
                                           "2\n00:02.000 --> 00:04.000\n¿Quién vela la ciudad?\n\n"
                                           "3\n00:04.500 --> 00:07.000\nNosotros &amp; los demás.\n";
constexpr std::string_view scripted_track = "WEBVTT\n\n"
                                            "00:00.500 --> 00:02.000\nEsta noche<script>alert(1)</script>\n";

struct keys {
    signing_keypair publisher = signing_from_seed(publisher_seed);
    signing_keypair translator = signing_from_seed(translator_seed);
    signing_keypair stranger = signing_from_seed(stranger_seed);
};

std::string key_text(signing_keypair const& k) {
    return encode_public_key("ed25519", k.public_key);
}

// The manifest every vector is checked against: two items, the translator's key listed, the stranger's not.
ordered_json manifest(keys const& k) {
    auto const item = [](std::string_view path, std::uint64_t size, char digit) {
        return ordered_json{{"path", std::string(path)},    {"size", size},
                            {"mediaType", "video/webm"},    {"sha256", std::string(64, digit)},
                            {"root", std::string(64, '0')}, {"access", "free"}};
    };
    return {{"format", "sluice-bundle/2"},
            {"id", std::string(bundle_id)},
            {"version", manifest_version},
            {"title", "Les Veilleurs"},
            {"creator", "Atelier Nuit"},
            {"publisherKey", key_text(k.publisher)},
            {"translationKeys", {key_text(k.translator)}},
            {"items", {item("pilot.webm", 5242880, 'a'), item("episode-1.webm", 7340032, 'b')}}};
}

translation_addon base_addon(std::string_view track = spanish_track) {
    return {std::string(bundle_id),
            manifest_version,
            "pilot.webm",
            "es",
            "Español",
            "Ana Ruiz, Luis Ortega",
            sha256_of(track),
            track.size(),
            "2026-12-01T10:00:00Z",
            {}};
}

struct vector_file {
    std::string folder; // valid or invalid
    std::string name;
    std::string description;
    std::string addon;
    std::string track; // a file of tracks/, or empty: the add-on is checked without its track
    ordered_json expected;
};

ordered_json accepted(translation_addon const& a, signing_keypair const& signer) {
    return {{"accepted", true},       {"bundleId", a.bundle_id},
            {"version", a.version},   {"item", a.item},
            {"lang", a.lang},         {"label", a.label},
            {"credit", a.credit},     {"sha256", to_hex(a.sha256)},
            {"size", a.size},         {"approvedAt", a.approved_at},
            {"key", key_text(signer)}};
}

ordered_json refused(translation_problem problem) {
    return {{"accepted", false}, {"problem", std::string(to_string(problem))}};
}

std::vector<vector_file> all_vectors(keys const& k) {
    std::vector<vector_file> out;
    auto const addon = base_addon();
    out.push_back({"valid", "publisher-key", "Signed by the bundle's publisher key, checked with its track.",
                   sign_translation_addon(addon, k.publisher), "es.vtt", accepted(addon, k.publisher)});
    out.push_back({"valid", "translation-key",
                   "Signed by the translation key the manifest lists (a gate approving without the publisher "
                   "key), checked with its track.",
                   sign_translation_addon(addon, k.translator), "es.vtt", accepted(addon, k.translator)});
    auto regional = base_addon();
    regional.item = "episode-1.webm";
    regional.lang = "pt-BR";
    regional.label = "Português (Brasil)";
    regional.credit = "Joana";
    out.push_back(
        {"valid", "without-track",
         "Another item and a regional language, checked before its track is fetched: the body alone.",
         sign_translation_addon(regional, k.translator), "", accepted(regional, k.translator)});

    auto const good = sign_translation_addon(addon, k.translator);
    auto add = [&](std::string name, std::string description, std::string text, std::string track,
                   translation_problem problem) {
        out.push_back({"invalid", std::move(name), std::move(description), std::move(text), std::move(track),
                       refused(problem)});
    };
    add("stranger-key", "Well formed and well signed, by a key the manifest does not list.",
        sign_translation_addon(addon, k.stranger), "es.vtt", translation_problem::untrusted_key);
    add("payload-changed",
        "The body was edited after signing (another credit); the signature is the old one.",
        tampered(good,
                 [](nlohmann::json& e) {
                     auto body = nlohmann::json::parse(decoded(e, "payload"));
                     body["credit"] = "Mallory";
                     e["payload"] = to_base64(dump_compact(body));
                 }),
        "es.vtt", translation_problem::bad_signature);
    auto other_bundle = base_addon();
    other_bundle.bundle_id = "autre-histoire";
    add("other-bundle", "Approved for bundle autre-histoire, presented with les-veilleurs.",
        sign_translation_addon(other_bundle, k.translator), "es.vtt", translation_problem::wrong_bundle);
    auto older = base_addon();
    older.version = manifest_version - 1;
    add("other-version",
        "Approved for version 2; a host holding version 3 does not show it (the creator carries it into the "
        "next version with sluice-bundle create --include-translations).",
        sign_translation_addon(older, k.translator), "es.vtt", translation_problem::wrong_bundle);
    auto unknown = base_addon();
    unknown.item = "episode-9.webm";
    add("unknown-item", "Names an item the manifest does not hold.",
        sign_translation_addon(unknown, k.translator), "es.vtt", translation_problem::unknown_item);
    auto other_hash = base_addon();
    other_hash.sha256 = sha256_of("WEBVTT\n\n00:00.500 --> 00:02.000\nOtra cosa\n");
    add("hash-mismatch", "Signs the SHA-256 of another track; the track beside it has the size signed.",
        sign_translation_addon(other_hash, k.translator), "es.vtt", translation_problem::track_mismatch);
    auto scripted = base_addon(scripted_track);
    add("track-with-script",
        "Well signed over its track's hash, but the track holds a <script> tag: not WebVTT, never shown.",
        sign_translation_addon(scripted, k.translator), "script.vtt", translation_problem::track_invalid);
    add("unknown-member-envelope", "The envelope has a member the format does not define.",
        tampered(good, [](nlohmann::json& e) { e["comment"] = "hello"; }), "",
        translation_problem::malformed);
    auto body = nlohmann::json::parse(decoded(nlohmann::json::parse(good), "payload"));
    body["items"] = nlohmann::json::array({"episode-1.webm"});
    auto const extra = dump_compact(body);
    auto const signature = sign(extra, k.translator);
    add("unknown-member-body", "The signed body has a member the format does not define.",
        tampered(good,
                 [&](nlohmann::json& e) {
                     e["payload"] = to_base64(extra);
                     e["signature"] = to_base64(
                         std::string_view(reinterpret_cast<char const*>(signature.data()), signature.size()));
                 }),
        "", translation_problem::malformed);
    add("wrong-format", "Format sluice-unlock/1: an unlock token's name, not an add-on's.",
        tampered(good, [](nlohmann::json& e) { e["format"] = "sluice-unlock/1"; }), "",
        translation_problem::malformed);
    auto long_label = base_addon();
    long_label.label = std::string(101, 'x');
    add("label-too-long", "A menu label of 101 characters; at most 100.",
        sign_translation_addon(long_label, k.translator), "", translation_problem::malformed);
    auto big = base_addon();
    big.credit = std::string(200, 'x');
    auto oversized = tampered(sign_translation_addon(big, k.translator),
                              [](nlohmann::json& e) { e["padding"] = std::string(16 * 1024, ' '); });
    add("oversized", "Over the 16384-byte limit: refused before it is read.", oversized, "",
        translation_problem::malformed);
    return out;
}

ordered_json keys_file(keys const& k) {
    auto const entry = [](std::string_view seed, signing_keypair const& p) {
        return ordered_json{{"seed", hex(seed)}, {"seedText", std::string(seed)}, {"publicKey", key_text(p)}};
    };
    return {
        {"description",
         "TEST-ONLY keys of the vectors in this folder, published on purpose: never use them for anything "
         "else. Ed25519 from the seed (crypto_sign_seed_keypair). manifest.json names the publisher key "
         "as its publisherKey and the translator key among its translationKeys; it does not list the "
         "stranger."},
        {"publisher", entry(publisher_seed, k.publisher)},
        {"translator", entry(translator_seed, k.translator)},
        {"stranger", entry(stranger_seed, k.stranger)}};
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: " << argv[0] << " <protocol/examples/translations>\n";
        return 2;
    }
    if (sodium_init() < 0) {
        return 1;
    }
    fs::path const dir = argv[1];
    keys const k;
    for (auto const* folder : {"valid", "invalid", "tracks"}) {
        fs::create_directories(dir / folder);
    }
    bool ok = write_json(dir / "keys.json", keys_file(k));
    ok = write_json(dir / "manifest.json", manifest(k)) && ok;
    ok = write_text(dir / "tracks" / "es.vtt", spanish_track) && ok;
    ok = write_text(dir / "tracks" / "script.vtt", scripted_track) && ok;
    auto const vectors = all_vectors(k);
    for (auto const& v : vectors) {
        ordered_json const file = {{"description", v.description},
                                   {"addon", v.addon},
                                   {"track", v.track.empty() ? ordered_json(nullptr) : ordered_json(v.track)},
                                   {"expected", v.expected}};
        ok = write_json(dir / v.folder / (v.name + ".json"), file) && ok;
    }
    std::cout << "wrote " << vectors.size() << " vectors to " << dir.string() << "\n";
    return ok ? 0 : 1;
}
