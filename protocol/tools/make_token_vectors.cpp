// Writes the unlock-token test vectors of protocol/examples/tokens/ (keys.json, valid/, invalid/).
//
//     sluice_token_vectors protocol/examples/tokens
//
// Keys come from fixed seeds, so every key, signature input and expected outcome is the same on each run;
// sealed boxes take a fresh ephemeral key each time, so the tokens themselves differ from run to run, and
// the files are generated once and committed. Rerun it only when the format changes.

#include "vector_helpers.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/unlock_token.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <cstdio>
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
using ordered_json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// 32 ASCII bytes each, so that the seeds read as what they are. Test-only: they are published.
constexpr std::string_view gate_a_seed = "sluice test vectors: gate A seed";
constexpr std::string_view gate_b_seed = "sluice test vectors: gate B seed";
constexpr std::string_view device_a_secret = "sluice test vectors: device A sk";
constexpr std::string_view device_b_secret = "sluice test vectors: device B sk";
constexpr std::string_view item_key_prefix = "sluice test vectors: item key ";

constexpr std::string_view bundle_id = "les-veilleurs";
constexpr std::uint64_t manifest_version = 3;
constexpr std::string_view now_text = "2026-06-01T12:00:00Z";

template <std::size_t N>
std::string hex(std::array<unsigned char, N> const& bytes) {
    return hex({reinterpret_cast<char const*>(bytes.data()), N});
}

box_keypair device_from_secret(std::string_view secret) {
    box_keypair k;
    std::copy(secret.begin(), secret.end(), k.secret_key.begin());
    crypto_scalarmult_base(k.public_key.data(), k.secret_key.data());
    return k;
}

// SHA-256 of the prefix and the path: anyone can recompute a vector's expected item keys.
item_key key_for(std::string_view path) {
    std::string const input = std::string(item_key_prefix) + std::string(path);
    item_key k{};
    crypto_hash_sha256(k.data(), reinterpret_cast<unsigned char const*>(input.data()), input.size());
    return k;
}

std::chrono::sys_seconds at(std::string_view text) {
    return std::chrono::sys_seconds{std::chrono::seconds{*parse_utc_timestamp(text)}};
}

std::string time_text(std::chrono::sys_seconds t) {
    return format_utc_timestamp(t.time_since_epoch().count());
}

struct keys {
    signing_keypair gate_a = signing_from_seed(gate_a_seed);
    signing_keypair gate_b = signing_from_seed(gate_b_seed);
    box_keypair device_a = device_from_secret(device_a_secret);
    box_keypair device_b = device_from_secret(device_b_secret);
};

unlock_grant base_grant(std::string token_id) {
    unlock_grant g;
    g.token_id = std::move(token_id);
    g.bundle_id = bundle_id;
    g.bundle_version = manifest_version;
    g.grantee = {grantee_kind::email, "ada@example.org"};
    g.issued_at = at("2026-05-20T09:30:00Z");
    for (auto const* path : {"episode-1.webm.locked", "season/episode-2.webm.locked", "booklet.pdf.locked"}) {
        g.items.emplace_back(path, key_for(path));
    }
    return g;
}

std::string issue(unlock_grant const& g, box_keypair const& device, signing_keypair const& gate) {
    return issue_unlock_token(seal_unlock_grant(g, device.public_key), gate);
}

struct vector_file {
    std::string folder; // valid or invalid
    std::string name;
    std::string description;
    std::string token;
    ordered_json expected;
};

ordered_json accepted(unlock_grant const& g) {
    ordered_json item_keys = ordered_json::object();
    for (auto const& [path, key] : g.items) {
        item_keys[path] = hex(key);
    }
    return {
        {"accepted", true},
        {"tokenId", g.token_id},
        {"bundleId", g.bundle_id},
        {"bundleVersion", g.bundle_version},
        {"grantee", {{"kind", std::string(to_string(g.grantee.kind))}, {"ref", g.grantee.ref}}},
        {"issuedAt", time_text(g.issued_at)},
        {"expiresAt", g.expires_at ? ordered_json(time_text(*g.expires_at)) : ordered_json(nullptr)},
        {"itemKeys", item_keys},
    };
}

ordered_json refused(token_problem problem) {
    return {{"accepted", false}, {"problem", std::string(to_string(problem))}};
}

std::vector<vector_file> valid_vectors(keys const& k) {
    std::vector<vector_file> out;

    auto plain = base_grant("vector-no-expiry-0001");
    out.push_back({"valid", "no-expiry", "Three items for an email grantee; never expires.",
                   issue(plain, k.device_a, k.gate_a), accepted(plain)});

    auto paid = base_grant("vector-with-expiry-0002");
    paid.grantee = {grantee_kind::payment, "pay_3N9x7Q2eZvKk"};
    paid.items.resize(1);
    paid.expires_at = at("2027-05-20T09:30:00Z");
    out.push_back({"valid", "with-expiry", "One item for a payment, expiring in a year.",
                   issue(paid, k.device_a, k.gate_a), accepted(paid)});

    auto older = base_grant("vector-older-version-0003");
    older.grantee = {grantee_kind::pledge, "pledge-8841"};
    older.bundle_version = manifest_version - 1;
    out.push_back(
        {"valid", "older-version",
         "Issued for version 2; the manifest is now version 3, and a token holds for later versions.",
         issue(older, k.device_a, k.gate_a), accepted(older)});

    auto skewed = base_grant("vector-clock-skew-0004");
    skewed.grantee = {grantee_kind::code, "code-batch-7/0193"};
    skewed.issued_at = at(now_text) + std::chrono::minutes{4};
    out.push_back(
        {"valid", "within-clock-skew",
         "Issued 4 minutes after the host's now: within the 5 minutes allowed for clocks that disagree.",
         issue(skewed, k.device_a, k.gate_a), accepted(skewed)});
    return out;
}

// A well-signed token whose body is just long enough that its base64 passes 65536 characters, and so the
// token the 65536-byte limit.
std::string oversized_token(keys const& k) {
    auto grant = base_grant("vector-oversized-0099");
    grant.items.clear();
    auto body = seal_unlock_grant(grant, k.device_a.public_key);
    while (encode_token_body(body).size() <= 49 * 1024) {
        char path[64];
        std::snprintf(path, sizeof path, "extras/clip-%04zu.webm.locked", body.items.size());
        auto const key = key_for(path);
        body.items.push_back(
            {path, seal_to({reinterpret_cast<char const*>(key.data()), key.size()}, k.device_a.public_key)});
    }
    return issue_unlock_token(body, k.gate_a);
}

std::vector<vector_file> invalid_vectors(keys const& k) {
    std::vector<vector_file> out;
    auto const good = issue(base_grant("vector-tampered-base-0010"), k.device_a, k.gate_a);
    auto add = [&](std::string name, std::string description, std::string token, token_problem problem) {
        out.push_back(
            {"invalid", std::move(name), std::move(description), std::move(token), refused(problem)});
    };

    add("bad-signature", "One byte of the signature flipped.",
        tampered(good,
                 [](nlohmann::json& e) {
                     auto sig = decoded(e, "signature");
                     sig[10] = static_cast<char>(sig[10] ^ 0x01);
                     e["signature"] = to_base64(sig);
                 }),
        token_problem::bad_signature);

    add("payload-changed",
        "The body was edited after signing (another grantee); the signature is the old one.",
        tampered(good,
                 [](nlohmann::json& e) {
                     auto body = nlohmann::json::parse(decoded(e, "payload"));
                     body["grantee"]["ref"] = "mallory@example.org";
                     e["payload"] = to_base64(dump_compact(body));
                 }),
        token_problem::bad_signature);

    add("untrusted-gate", "Well formed and well signed, but by gate B, which the manifest does not list.",
        issue(base_grant("vector-untrusted-gate-0011"), k.device_a, k.gate_b),
        token_problem::untrusted_gate_key);

    auto other_bundle = base_grant("vector-wrong-bundle-0012");
    other_bundle.bundle_id = "autre-histoire";
    add("wrong-bundle", "Issued for bundle autre-histoire, presented for les-veilleurs.",
        issue(other_bundle, k.device_a, k.gate_a), token_problem::wrong_bundle);

    auto newer = base_grant("vector-version-too-new-0013");
    newer.bundle_version = manifest_version + 1;
    add("version-too-new", "Issued for version 4; the host has only verified version 3 of the manifest.",
        issue(newer, k.device_a, k.gate_a), token_problem::version_too_new);

    add("other-device", "Sealed to device B and naming it; presented to device A.",
        issue(base_grant("vector-other-device-0014"), k.device_b, k.gate_a), token_problem::wrong_device);

    auto expired = base_grant("vector-expired-0015");
    expired.expires_at = at("2026-05-31T09:30:00Z");
    add("expired", "Expired the day before the host's now.", issue(expired, k.device_a, k.gate_a),
        token_problem::expired);

    auto early = base_grant("vector-not-yet-valid-0016");
    early.issued_at = at(now_text) + std::chrono::hours{1};
    add("not-yet-valid", "Issued an hour after the host's now: beyond the 5 minutes allowed for clock skew.",
        issue(early, k.device_a, k.gate_a), token_problem::not_yet_valid);

    auto twice = base_grant("vector-duplicate-item-0017");
    twice.items.emplace_back(twice.items.front().first, key_for("another key"));
    add("duplicate-item", "The same item path twice, with two different keys.",
        issue(twice, k.device_a, k.gate_a), token_problem::duplicate_item);

    auto misdirected = seal_unlock_grant(base_grant("vector-unopenable-0018"), k.device_b.public_key);
    misdirected.device = k.device_a.public_key;
    add("unopenable-key", "Names device A but the keys are sealed to device B: a broken gate.",
        issue_unlock_token(misdirected, k.gate_a), token_problem::sealed_key_unopenable);

    add("bad-base64", "The payload holds a character outside base64.",
        tampered(good,
                 [](nlohmann::json& e) {
                     auto payload = e["payload"].get<std::string>();
                     payload[8] = '!';
                     e["payload"] = payload;
                 }),
        token_problem::malformed);

    add("unknown-member-envelope", "The envelope has a member the format does not define.",
        tampered(good, [](nlohmann::json& e) { e["comment"] = "hello"; }), token_problem::malformed);

    auto body = nlohmann::json::parse(encode_token_body(
        seal_unlock_grant(base_grant("vector-unknown-member-0019"), k.device_a.public_key)));
    body["admin"] = true;
    add("unknown-member-body", "The signed body has a member the format does not define.",
        sign_unlock_token(dump_compact(body), k.gate_a), token_problem::malformed);

    add("wrong-format", "Format sluice-unlock/2, which this version does not read.",
        tampered(good, [](nlohmann::json& e) { e["format"] = "sluice-unlock/2"; }), token_problem::malformed);

    add("truncated", "The token cut in half: not JSON.", good.substr(0, good.size() / 2),
        token_problem::malformed);

    add("oversized", "Well signed, but over the 65536-byte limit (a gate must split such a grant).",
        oversized_token(k), token_problem::malformed);
    return out;
}

ordered_json inputs(keys const& k) {
    return {
        {"gateKeys", {encode_public_key("ed25519", k.gate_a.public_key)}},
        {"bundleId", std::string(bundle_id)},
        {"manifestVersion", manifest_version},
        {"deviceSecretKey", hex(k.device_a.secret_key)},
        {"now", std::string(now_text)},
    };
}

ordered_json keys_file(keys const& k) {
    auto const gate = [](std::string_view seed, signing_keypair const& p) {
        return ordered_json{{"seed", hex(seed)},
                            {"seedText", std::string(seed)},
                            {"publicKey", encode_public_key("ed25519", p.public_key)}};
    };
    auto const device = [](std::string_view secret, box_keypair const& p) {
        return ordered_json{{"secretKey", hex(secret)},
                            {"secretKeyText", std::string(secret)},
                            {"publicKey", encode_public_key("x25519", p.public_key)}};
    };
    return {
        {"description",
         "TEST-ONLY keys of the vectors in this folder, published on purpose: never use them for "
         "anything else. Gates: Ed25519 from the seed (crypto_sign_seed_keypair). Devices: X25519, "
         "the public key is crypto_scalarmult_base(secretKey). Item keys: SHA-256 of itemKeyPrefix "
         "followed by the item path. Gate A is the one the vectors' manifest trusts; device A is "
         "the host verifying them."},
        {"gates", {{"a", gate(gate_a_seed, k.gate_a)}, {"b", gate(gate_b_seed, k.gate_b)}}},
        {"devices", {{"a", device(device_a_secret, k.device_a)}, {"b", device(device_b_secret, k.device_b)}}},
        {"itemKeyPrefix", std::string(item_key_prefix)},
        {"now", std::string(now_text)},
    };
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: " << argv[0] << " <protocol/examples/tokens>\n";
        return 2;
    }
    if (sodium_init() < 0) {
        return 1;
    }
    fs::path const dir = argv[1];
    keys const k;
    auto vectors = valid_vectors(k);
    for (auto& v : invalid_vectors(k)) {
        vectors.push_back(std::move(v));
    }
    bool ok = write_json(dir / "keys.json", keys_file(k));
    for (auto const& folder : {"valid", "invalid"}) {
        fs::create_directories(dir / folder);
    }
    for (auto const& v : vectors) {
        ordered_json const file = {
            {"description", v.description},
            {"inputs", inputs(k)},
            {"token", v.token},
            {"expected", v.expected},
        };
        ok = write_json(dir / v.folder / (v.name + ".json"), file) && ok;
    }
    std::cout << "wrote " << vectors.size() << " vectors to " << dir.string() << "\n";
    return ok ? 0 : 1;
}
