#include "json_schema.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/unlock_token.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <gtest/gtest.h>
#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

namespace sluice::protocol {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

std::chrono::sys_seconds at(std::string_view text) {
    return std::chrono::sys_seconds{std::chrono::seconds{parse_utc_timestamp(text).value()}};
}

item_key key_of(unsigned char fill) {
    item_key k{};
    k.fill(fill);
    return k;
}

// One gate, one device, one bundle at version 3, and a grant of two items that passes every check.
struct token_fixture {
    signing_keypair gate = generate_signing_keypair();
    box_keypair device = generate_box_keypair();
    unlock_grant grant;
    token_expectations expect;

    token_fixture() {
        grant.token_id = generate_token_id();
        grant.bundle_id = "les-veilleurs";
        grant.bundle_version = 3;
        grant.grantee = {grantee_kind::email, "ada@example.org"};
        grant.issued_at = at("2026-05-20T09:30:00Z");
        grant.items = {{"episode-1.webm.locked", key_of(1)}, {"season/episode-2.webm.locked", key_of(2)}};

        expect.gate_keys = {generate_signing_keypair().public_key, gate.public_key};
        expect.bundle_id = "les-veilleurs";
        expect.manifest_version = 3;
        expect.device = device;
        expect.now = at("2026-06-01T12:00:00Z");
    }

    token_body body() const { return seal_unlock_grant(grant, device.public_key); }
    std::string token() const { return issue_unlock_token(body(), gate); }

    // The body as JSON, edited by `change`, then signed by the trusted gate: shapes no honest gate writes.
    std::string signed_edit(std::function<void(json&)> const& change) const {
        auto j = json::parse(encode_token_body(body()));
        change(j);
        return sign_unlock_token(dump_compact(j), gate);
    }

    unlock_token_result verify(std::string_view text) const { return verify_unlock_token(text, expect); }
};

std::string envelope_edit(std::string const& token, std::function<void(json&)> const& change) {
    auto j = json::parse(token);
    change(j);
    return dump_compact(j);
}

TEST(UnlockToken, RoundTripsEveryField) {
    token_fixture f;
    f.grant.expires_at = at("2027-05-20T09:30:00Z");
    auto const r = f.verify(f.token());
    ASSERT_TRUE(r) << r.detail;
    EXPECT_EQ(r.token.token_id, f.grant.token_id);
    EXPECT_EQ(r.token.bundle_id, "les-veilleurs");
    EXPECT_EQ(r.token.bundle_version, 3u);
    EXPECT_EQ(r.token.grantee.kind, grantee_kind::email);
    EXPECT_EQ(r.token.grantee.ref, "ada@example.org");
    EXPECT_EQ(r.token.issued_at, at("2026-05-20T09:30:00Z"));
    EXPECT_EQ(r.token.expires_at, at("2027-05-20T09:30:00Z"));
    EXPECT_EQ(r.token.gate_key, f.gate.public_key);
    ASSERT_EQ(r.token.item_keys.size(), 2u);
    EXPECT_EQ(r.token.item_keys.at("episode-1.webm.locked"), key_of(1));
    EXPECT_EQ(r.token.item_keys.at("season/episode-2.webm.locked"), key_of(2));
}

TEST(UnlockToken, ItemKeysNeverTravelInTheClear) {
    token_fixture f;
    f.grant.items = {{"a.locked", key_of(0x5a)}};
    auto const token = f.token();
    auto const body = *from_base64(json::parse(token).at("payload").get<std::string>());
    std::string const raw(32, '\x5a');
    EXPECT_EQ(body.find(raw), std::string::npos);
    EXPECT_EQ(body.find(to_base64(raw)), std::string::npos);
}

TEST(UnlockToken, TokenIdsAreFreshBase64Url) {
    auto const a = generate_token_id();
    EXPECT_EQ(a.size(), 22u);
    EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    EXPECT_NE(a, generate_token_id());
}

TEST(UnlockToken, ProblemNamesAreStable) {
    // Written out: the vectors and the logs use these names.
    EXPECT_EQ(to_string(token_problem::none), "none");
    EXPECT_EQ(to_string(token_problem::malformed), "malformed");
    EXPECT_EQ(to_string(token_problem::untrusted_gate_key), "untrusted_gate_key");
    EXPECT_EQ(to_string(token_problem::bad_signature), "bad_signature");
    EXPECT_EQ(to_string(token_problem::wrong_bundle), "wrong_bundle");
    EXPECT_EQ(to_string(token_problem::version_too_new), "version_too_new");
    EXPECT_EQ(to_string(token_problem::wrong_device), "wrong_device");
    EXPECT_EQ(to_string(token_problem::not_yet_valid), "not_yet_valid");
    EXPECT_EQ(to_string(token_problem::expired), "expired");
    EXPECT_EQ(to_string(token_problem::duplicate_item), "duplicate_item");
    EXPECT_EQ(to_string(token_problem::sealed_key_unopenable), "sealed_key_unopenable");
}

TEST(UnlockToken, RefusesAGateTheManifestDoesNotTrust) {
    token_fixture f;
    auto const stranger = generate_signing_keypair();
    auto const r = f.verify(issue_unlock_token(f.body(), stranger));
    EXPECT_EQ(r.problem, token_problem::untrusted_gate_key);
    EXPECT_NE(r.detail.find(encode_public_key("ed25519", stranger.public_key)), std::string::npos)
        << r.detail;
    f.expect.gate_keys.clear();
    EXPECT_EQ(f.verify(f.token()).problem, token_problem::untrusted_gate_key) << "no gate keys, no tokens";
}

TEST(UnlockToken, RefusesASignatureThatDoesNotCoverTheBytes) {
    token_fixture f;
    auto const token = f.token();
    auto const bent = envelope_edit(token, [](json& e) {
        auto sig = *from_base64(e.at("signature").get<std::string>());
        sig[0] = static_cast<char>(sig[0] ^ 0x80);
        e["signature"] = to_base64(sig);
    });
    EXPECT_EQ(f.verify(bent).problem, token_problem::bad_signature);

    auto const widened = envelope_edit(token, [](json& e) {
        auto body = *from_base64(e.at("payload").get<std::string>());
        e["payload"] = to_base64(body + " "); // the same JSON, one more byte
    });
    EXPECT_EQ(f.verify(widened).problem, token_problem::bad_signature);

    auto const regated = envelope_edit(
        token, [&](json& e) { e["gateKey"] = encode_public_key("ed25519", f.expect.gate_keys.front()); });
    EXPECT_EQ(f.verify(regated).problem, token_problem::bad_signature)
        << "another trusted key, same signature";
}

TEST(UnlockToken, RefusesAnotherBundle) {
    token_fixture f;
    f.grant.bundle_id = "autre-histoire";
    auto const r = f.verify(f.token());
    EXPECT_EQ(r.problem, token_problem::wrong_bundle);
    EXPECT_NE(r.detail.find("autre-histoire"), std::string::npos) << r.detail;
}

TEST(UnlockToken, HoldsForLaterManifestVersionsButNotEarlierOnes) {
    token_fixture f;
    f.grant.bundle_version = 1;
    EXPECT_TRUE(f.verify(f.token()));
    f.grant.bundle_version = 4;
    EXPECT_EQ(f.verify(f.token()).problem, token_problem::version_too_new);
}

TEST(UnlockToken, RefusesATokenForAnotherDevice) {
    token_fixture f;
    auto const other = generate_box_keypair();
    EXPECT_EQ(f.verify(issue_unlock_token(seal_unlock_grant(f.grant, other.public_key), f.gate)).problem,
              token_problem::wrong_device);
}

TEST(UnlockToken, AllowsFiveMinutesOfClockSkewAndNoMore) {
    token_fixture f;
    f.grant.issued_at = f.expect.now + 5min;
    EXPECT_TRUE(f.verify(f.token()));
    f.grant.issued_at = f.expect.now + 5min + 1s;
    EXPECT_EQ(f.verify(f.token()).problem, token_problem::not_yet_valid);
}

TEST(UnlockToken, ExpiresAtTheSecondItNames) {
    token_fixture f;
    f.grant.expires_at = f.expect.now + 1s;
    EXPECT_TRUE(f.verify(f.token()));
    f.grant.expires_at = f.expect.now;
    auto const r = f.verify(f.token());
    EXPECT_EQ(r.problem, token_problem::expired);
    EXPECT_NE(r.detail.find("2026-06-01T12:00:00Z"), std::string::npos) << r.detail;
}

TEST(UnlockToken, RefusesTheSamePathTwice) {
    token_fixture f;
    f.grant.items.emplace_back("episode-1.webm.locked", key_of(9));
    EXPECT_EQ(f.verify(f.token()).problem, token_problem::duplicate_item);
}

TEST(UnlockToken, RefusesKeysThatDoNotOpen) {
    token_fixture f;
    auto body = seal_unlock_grant(f.grant, generate_box_keypair().public_key);
    body.device = f.device.public_key; // names this device, sealed to another
    EXPECT_EQ(f.verify(issue_unlock_token(body, f.gate)).problem, token_problem::sealed_key_unopenable);
}

TEST(UnlockToken, ChecksInTheDocumentedOrder) {
    // Wrong on every count at once: the first check in the order is the one reported.
    token_fixture f;
    f.grant.bundle_id = "autre-histoire";
    f.grant.bundle_version = 9;
    f.grant.issued_at = f.expect.now + 1h;
    auto const other_device = seal_unlock_grant(f.grant, generate_box_keypair().public_key);
    EXPECT_EQ(f.verify(issue_unlock_token(other_device, generate_signing_keypair())).problem,
              token_problem::untrusted_gate_key);
    EXPECT_EQ(f.verify(issue_unlock_token(other_device, f.gate)).problem, token_problem::wrong_bundle);
    f.grant.bundle_id = "les-veilleurs";
    EXPECT_EQ(
        f.verify(issue_unlock_token(seal_unlock_grant(f.grant, generate_box_keypair().public_key), f.gate))
            .problem,
        token_problem::version_too_new);
    f.grant.bundle_version = 3;
    EXPECT_EQ(
        f.verify(issue_unlock_token(seal_unlock_grant(f.grant, generate_box_keypair().public_key), f.gate))
            .problem,
        token_problem::wrong_device);
    EXPECT_EQ(f.verify(f.token()).problem, token_problem::not_yet_valid);
}

TEST(UnlockToken, RefusesMalformedEnvelopes) {
    token_fixture f;
    auto const good = f.token();
    std::vector<std::pair<std::string, std::string>> const cases = {
        {"empty", ""},
        {"not JSON", "sluice"},
        {"an array", "[]"},
        {"not UTF-8", "{\"format\":\"\xff\"}"},
        {"too deep", std::string(9, '[') + std::string(9, ']')},
        {"cut short", good.substr(0, good.size() - 1)},
        {"oversized", good + std::string(max_unlock_token_bytes, ' ')},
        {"unknown member", envelope_edit(good, [](json& e) { e["note"] = 1; })},
        {"missing member", envelope_edit(good, [](json& e) { e.erase("gateKey"); })},
        {"another format", envelope_edit(good, [](json& e) { e["format"] = "sluice-unlock/2"; })},
        {"format not a string", envelope_edit(good, [](json& e) { e["format"] = 1; })},
        {"gate key of another kind",
         envelope_edit(good,
                       [&](json& e) { e["gateKey"] = encode_public_key("x25519", f.gate.public_key); })},
        {"payload not base64", envelope_edit(good, [](json& e) { e["payload"] = "e30=!"; })},
        {"payload unpadded", envelope_edit(good, [](json& e) { e["payload"] = "e30"; })},
        {"signature too short", envelope_edit(good, [](json& e) { e["signature"] = to_base64("short"); })},
    };
    for (auto const& [what, text] : cases) {
        auto const r = f.verify(text);
        EXPECT_EQ(r.problem, token_problem::malformed) << what;
        EXPECT_FALSE(r.detail.empty()) << what;
    }
}

TEST(UnlockToken, RefusesMalformedBodiesEvenWhenSigned) {
    token_fixture f;
    std::vector<std::pair<std::string, std::function<void(json&)>>> const cases = {
        {"unknown member", [](json& b) { b["admin"] = true; }},
        {"missing tokenId", [](json& b) { b.erase("tokenId"); }},
        {"short tokenId", [](json& b) { b["tokenId"] = "abc"; }},
        {"bundle id with capitals", [](json& b) { b["bundleId"] = "Les-Veilleurs"; }},
        {"version 0", [](json& b) { b["bundleVersion"] = 0; }},
        {"negative version", [](json& b) { b["bundleVersion"] = -3; }},
        {"fractional version", [](json& b) { b["bundleVersion"] = 3.5; }},
        {"version as text", [](json& b) { b["bundleVersion"] = "3"; }},
        {"version beyond 2^53", [](json& b) { b["bundleVersion"] = 9007199254740992ull; }},
        {"device of another kind",
         [](json& b) { b["device"] = "ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE="; }},
        {"grantee kind unknown", [](json& b) { b["grantee"]["kind"] = "friend"; }},
        {"grantee ref empty", [](json& b) { b["grantee"]["ref"] = ""; }},
        {"grantee ref too long", [](json& b) { b["grantee"]["ref"] = std::string(321, 'a'); }},
        {"grantee extra member", [](json& b) { b["grantee"]["note"] = "x"; }},
        {"grantee not an object", [](json& b) { b["grantee"] = "ada@example.org"; }},
        {"impossible date", [](json& b) { b["issuedAt"] = "2026-02-30T00:00:00Z"; }},
        {"time with offset", [](json& b) { b["issuedAt"] = "2026-05-20T09:30:00+02:00"; }},
        {"leap second", [](json& b) { b["issuedAt"] = "2026-05-20T23:59:60Z"; }},
        {"expiry before issue", [](json& b) { b["expiresAt"] = "2026-05-20T09:29:59Z"; }},
        {"expiry equal to issue", [](json& b) { b["expiresAt"] = "2026-05-20T09:30:00Z"; }},
        {"expiry null", [](json& b) { b["expiresAt"] = nullptr; }},
        {"no items", [](json& b) { b["items"] = json::array(); }},
        {"items not an array", [](json& b) { b["items"] = json::object(); }},
        {"item path escapes", [](json& b) { b["items"][0]["path"] = "../secret"; }},
        {"item path absolute", [](json& b) { b["items"][0]["path"] = "/etc/passwd"; }},
        {"item path with backslash", [](json& b) { b["items"][0]["path"] = "season\\episode"; }},
        {"item path with empty segment", [](json& b) { b["items"][0]["path"] = "season//episode"; }},
        {"item path ending in /", [](json& b) { b["items"][0]["path"] = "season/"; }},
        {"item path with a control character", [](json& b) { b["items"][0]["path"] = "a\nb"; }},
        {"item extra member", [](json& b) { b["items"][0]["size"] = 3; }},
        {"sealed key not base64", [](json& b) { b["items"][0]["sealedKey"] = "!!!!"; }},
        {"sealed key too short",
         [](json& b) { b["items"][0]["sealedKey"] = to_base64(std::string(79, 'k')); }},
    };
    for (auto const& [what, change] : cases) {
        auto const r = f.verify(f.signed_edit(change));
        EXPECT_EQ(r.problem, token_problem::malformed) << what << ": " << r.detail;
    }
    auto const not_json = f.verify(sign_unlock_token("{\"tokenId\":", f.gate));
    EXPECT_EQ(not_json.problem, token_problem::malformed);
    EXPECT_NE(not_json.detail.find("signed body"), std::string::npos) << not_json.detail;
}

// --- The known-answer vectors in protocol/examples/tokens ---

fs::path tokens_dir() {
    return fs::path(SLUICE_SOURCE_DIR) / "protocol" / "examples" / "tokens";
}

template <std::size_t N>
std::array<unsigned char, N> from_hex(std::string const& hex) {
    std::array<unsigned char, N> out{};
    std::size_t length = 0;
    EXPECT_EQ(sodium_hex2bin(out.data(), N, hex.data(), hex.size(), nullptr, &length, nullptr), 0) << hex;
    EXPECT_EQ(length, N) << hex;
    return out;
}

template <std::size_t N>
std::string to_hex(std::array<unsigned char, N> const& bytes) {
    std::string out(2 * N + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), bytes.data(), N);
    out.pop_back();
    return out;
}

token_expectations expectations_of(json const& inputs) {
    token_expectations e;
    for (auto const& key : inputs.at("gateKeys")) {
        e.gate_keys.push_back(decode_public_key("ed25519", key.get<std::string>()).value());
    }
    e.bundle_id = inputs.at("bundleId").get<std::string>();
    e.manifest_version = inputs.at("manifestVersion").get<std::uint64_t>();
    e.device.secret_key = from_hex<32>(inputs.at("deviceSecretKey").get<std::string>());
    crypto_scalarmult_base(e.device.public_key.data(), e.device.secret_key.data());
    e.now = at(inputs.at("now").get<std::string>());
    return e;
}

struct token_vector {
    std::string name;
    json file;
};

std::vector<token_vector> vectors(std::string const& folder) {
    std::vector<token_vector> out;
    for (auto const& e : fs::directory_iterator(tokens_dir() / folder)) {
        out.push_back({folder + "/" + e.path().filename().string(), testing::read_json(e.path())});
    }
    return out;
}

std::vector<token_vector> all_vectors() {
    auto out = vectors("valid");
    for (auto& v : vectors("invalid")) {
        out.push_back(std::move(v));
    }
    return out;
}

void expect_accepted(std::string const& name, unlock_token_result const& r, json const& expected) {
    ASSERT_TRUE(r) << name << ": " << to_string(r.problem) << ", " << r.detail;
    EXPECT_EQ(r.token.token_id, expected.at("tokenId")) << name;
    EXPECT_EQ(r.token.bundle_id, expected.at("bundleId")) << name;
    EXPECT_EQ(r.token.bundle_version, expected.at("bundleVersion")) << name;
    EXPECT_EQ(std::string(to_string(r.token.grantee.kind)), expected.at("grantee").at("kind")) << name;
    EXPECT_EQ(r.token.grantee.ref, expected.at("grantee").at("ref")) << name;
    EXPECT_EQ(r.token.issued_at, at(expected.at("issuedAt").get<std::string>())) << name;
    auto const& expires = expected.at("expiresAt");
    EXPECT_EQ(r.token.expires_at.has_value(), !expires.is_null()) << name;
    if (r.token.expires_at && !expires.is_null()) {
        EXPECT_EQ(*r.token.expires_at, at(expires.get<std::string>())) << name;
    }
    auto const& keys = expected.at("itemKeys");
    EXPECT_EQ(r.token.item_keys.size(), keys.size()) << name;
    for (auto const& [path, key] : r.token.item_keys) {
        ASSERT_TRUE(keys.contains(path)) << name << ": " << path;
        EXPECT_EQ(to_hex(key), keys.at(path)) << name << ": " << path;
    }
}

TEST(UnlockTokenVectors, EachHasTheExpectedOutcome) {
    auto const all = all_vectors();
    ASSERT_GE(all.size(), 16u);
    std::set<std::string> problems_seen;
    for (auto const& [name, file] : all) {
        auto const r =
            verify_unlock_token(file.at("token").get<std::string>(), expectations_of(file.at("inputs")));
        auto const& expected = file.at("expected");
        EXPECT_EQ(expected.at("accepted").get<bool>(), name.rfind("valid/", 0) == 0)
            << name << " is in the wrong folder";
        if (expected.at("accepted").get<bool>()) {
            expect_accepted(name, r, expected);
        } else {
            EXPECT_EQ(to_string(r.problem), expected.at("problem")) << name << ": " << r.detail;
            problems_seen.insert(expected.at("problem").get<std::string>());
        }
    }
    EXPECT_EQ(problems_seen.size(), 10u) << "every problem has a vector";
}

TEST(UnlockTokenVectors, KeysFileDescribesTheKeysUsed) {
    auto const keys = testing::read_json(tokens_dir() / "keys.json");
    for (auto const& [name, gate] : keys.at("gates").items()) {
        auto const seed = from_hex<32>(gate.at("seed").get<std::string>());
        EXPECT_EQ(std::string(seed.begin(), seed.end()), gate.at("seedText")) << name;
        signing_keypair k;
        crypto_sign_seed_keypair(k.public_key.data(), k.secret_key.data(), seed.data());
        EXPECT_EQ(encode_public_key("ed25519", k.public_key), gate.at("publicKey")) << name;
    }
    for (auto const& [name, device] : keys.at("devices").items()) {
        auto const secret = from_hex<32>(device.at("secretKey").get<std::string>());
        std::array<unsigned char, 32> pub{};
        crypto_scalarmult_base(pub.data(), secret.data());
        EXPECT_EQ(encode_public_key("x25519", pub), device.at("publicKey")) << name;
    }
    // The expected item keys are the documented derivation, not numbers to take on trust.
    auto const prefix = keys.at("itemKeyPrefix").get<std::string>();
    for (auto const& [name, file] : vectors("valid")) {
        for (auto const& [path, hex] : file.at("expected").at("itemKeys").items()) {
            auto const input = prefix + path;
            item_key k{};
            crypto_hash_sha256(k.data(), reinterpret_cast<unsigned char const*>(input.data()), input.size());
            EXPECT_EQ(to_hex(k), hex) << name << ": " << path;
        }
        EXPECT_EQ(file.at("inputs").at("gateKeys"), json::array({keys.at("gates").at("a").at("publicKey")}))
            << name;
    }
}

// The schema judges shape only: it rejects exactly the malformed vectors, in the envelope or in the decoded
// body, and accepts the rest, whose faults (keys, signatures, times) no schema can see.
TEST(UnlockTokenVectors, SchemaRejectsExactlyTheMalformedOnes) {
    testing::json_schema const schema(
        testing::read_json(fs::path(SLUICE_SOURCE_DIR) / "protocol" / "schema" / "unlock-token.json"));
    std::size_t checked = 0;
    for (auto const& [name, file] : all_vectors()) {
        auto const text = file.at("token").get<std::string>();
        // Refused for its size before anything reads it; and libstdc++'s std::regex recurses per character,
        // which a payload this long would turn into a stack overflow in the validator.
        if (text.size() > max_unlock_token_bytes) {
            continue;
        }
        bool const malformed = file.at("expected").value("problem", "") == "malformed";
        auto const errors = testing::signed_envelope_problems(schema, text);
        EXPECT_EQ(!errors.empty(), malformed) << name << ": " << (errors.empty() ? "valid" : errors.front());
        ++checked;
    }
    EXPECT_GE(checked, 15u);
}

TEST(UnlockTokenVectors, IssuedTokensMatchTheSchema) {
    testing::json_schema const schema(
        testing::read_json(fs::path(SLUICE_SOURCE_DIR) / "protocol" / "schema" / "unlock-token.json"));
    token_fixture f;
    f.grant.expires_at = at("2027-01-01T00:00:00Z");
    auto const envelope = json::parse(f.token());
    auto const errors = schema.validate(envelope);
    EXPECT_TRUE(errors.empty()) << errors.front();
    auto const body = json::parse(*from_base64(envelope.at("payload").get<std::string>()));
    auto const body_errors = schema.validate(body, "/$defs/body");
    EXPECT_TRUE(body_errors.empty()) << body_errors.front();
}

} // namespace
} // namespace sluice::protocol
