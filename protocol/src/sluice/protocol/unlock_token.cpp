#include "unlock_token.hpp"

#include "bundle_manifest.hpp"
#include "untrusted_json.hpp"

#include <sodium.h>

#include <algorithm>
#include <initializer_list>
#include <set>
#include <utility>

namespace sluice::protocol {

namespace {

using nlohmann::json;
using namespace std::chrono;

// The envelope is one flat object and the body three levels deep; anything deeper is not a token. The value
// count allows the item limit with room to spare while keeping a hostile text from costing much.
json_limits const token_json_limits{.max_depth = 8, .max_values = 8 * 1024};

constexpr std::size_t max_ref_chars = 320;
constexpr std::uint64_t max_version = 9007199254740991; // 2^53 - 1: what JavaScript reads exactly
constexpr std::size_t sealed_key_bytes = sizeof(item_key) + crypto_box_SEALBYTES;

constexpr std::array<std::pair<grantee_kind, std::string_view>, 4> grantee_kinds{{
    {grantee_kind::email, "email"},
    {grantee_kind::payment, "payment"},
    {grantee_kind::pledge, "pledge"},
    {grantee_kind::code, "code"},
}};

grantee_kind grantee_kind_from(std::string_view name) {
    for (auto const& [k, n] : grantee_kinds) {
        if (n == name) {
            return k;
        }
    }
    return grantee_kind::invalid;
}

// Text has passed parse_untrusted_json, so it is valid UTF-8: counting lead bytes counts code points, which
// is what the schema's maxLength means.
std::size_t code_points(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_base64url(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

// ^[A-Za-z0-9_-]{16,64}$
bool is_token_id(std::string_view s) {
    return s.size() >= 16 && s.size() <= 64 && std::all_of(s.begin(), s.end(), is_base64url);
}

// Times travel as YYYY-MM-DDTHH:MM:SSZ, the manifest's one spelling of a time.
std::optional<sys_seconds> parse_time(std::string_view text) {
    auto const t = parse_utc_timestamp(text);
    return t ? std::optional(sys_seconds{seconds{*t}}) : std::nullopt;
}

std::string format_time(sys_seconds t) {
    return format_utc_timestamp(t.time_since_epoch().count());
}

template <std::size_t N>
std::optional<std::array<unsigned char, N>> fixed_bytes(std::optional<std::string> const& raw) {
    if (!raw || raw->size() != N) {
        return std::nullopt;
    }
    std::array<unsigned char, N> out{};
    std::copy(raw->begin(), raw->end(), out.begin());
    return out;
}

std::string_view as_text(std::array<unsigned char, 64> const& bytes) {
    return {reinterpret_cast<char const*>(bytes.data()), bytes.size()};
}

// Reads one JSON object of untrusted shape. The first problem found is kept and later reads return
// nothing, so a caller reads every member straight through and asks once whether all went well.
class object_reader {
public:
    object_reader(json const& value, std::string_view what, std::initializer_list<std::string_view> required,
                  std::initializer_list<std::string_view> optional)
        : value_(value), what_(what) {
        if (!value.is_object()) {
            fail("must be an object");
            return;
        }
        for (auto const& [key, member] : value.items()) {
            if (std::find(required.begin(), required.end(), key) == required.end() &&
                std::find(optional.begin(), optional.end(), key) == optional.end()) {
                fail("has an unexpected member \"" + key.substr(0, 64) + "\"");
                return;
            }
        }
        for (auto const name : required) {
            if (!value.contains(std::string(name))) {
                fail("lacks \"" + std::string(name) + "\"");
                return;
            }
        }
    }

    bool has(std::string_view name) const { return ok() && value_.contains(std::string(name)); }

    json const* member(std::string_view name) {
        if (!ok()) {
            return nullptr;
        }
        auto const it = value_.find(std::string(name));
        return it == value_.end() ? nullptr : &*it;
    }

    std::optional<std::string> text(std::string_view name) {
        auto const* m = member(name);
        if (!m) {
            return std::nullopt;
        }
        if (!m->is_string()) {
            fail(quoted(name) + " must be a string");
            return std::nullopt;
        }
        return m->get<std::string>();
    }

    // A string that `accept` likes; `rule` says what it should have been.
    template <typename Accept>
    std::optional<std::string> text(std::string_view name, Accept accept, std::string_view rule) {
        auto s = text(name);
        if (s && !accept(*s)) {
            fail(quoted(name) + " must be " + std::string(rule));
            return std::nullopt;
        }
        return s;
    }

    std::optional<std::string> base64(std::string_view name) {
        auto const s = text(name);
        if (!s) {
            return std::nullopt;
        }
        auto raw = from_base64(*s);
        if (!raw) {
            fail(quoted(name) + " is not base64");
        }
        return raw;
    }

    std::optional<sys_seconds> timestamp(std::string_view name) {
        auto const s = text(name);
        if (!s) {
            return std::nullopt;
        }
        auto t = parse_time(*s);
        if (!t) {
            fail(quoted(name) + " must be a time as YYYY-MM-DDTHH:MM:SSZ");
        }
        return t;
    }

    void fail(std::string why) {
        if (ok()) {
            detail_ = std::string(what_) + " " + std::move(why);
        }
    }

    bool ok() const { return detail_.empty(); }
    std::string const& detail() const { return detail_; }

private:
    static std::string quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

    json const& value_;
    std::string_view what_;
    std::string detail_;
};

struct envelope {
    std::array<unsigned char, 32> gate_key{};
    std::string payload; // the body's bytes, exactly as signed
    std::array<unsigned char, 64> signature{};
};

std::optional<envelope> read_envelope(json const& value, std::string& detail) {
    object_reader r(value, "the envelope", {"format", "gateKey", "payload", "signature"}, {});
    auto const format = r.text(
        "format", [](std::string_view s) { return s == unlock_token_format; },
        "\"" + std::string(unlock_token_format) + "\"");
    auto const gate_key = r.text(
        "gateKey", [](std::string_view s) { return decode_public_key("ed25519", s); },
        "an Ed25519 key as ed25519:<base64 of 32 bytes>");
    auto payload = r.base64("payload");
    auto const signature = fixed_bytes<64>(r.base64("signature"));
    if (r.ok() && !signature) {
        r.fail("\"signature\" must be 64 bytes");
    }
    if (!r.ok()) {
        detail = r.detail();
        return std::nullopt;
    }
    return envelope{*decode_public_key("ed25519", *gate_key), std::move(*payload), *signature};
}

std::optional<token_grantee> read_grantee(json const* value, std::string& detail) {
    object_reader r(*value, "the grantee", {"kind", "ref"}, {});
    auto const kind = r.text(
        "kind", [](std::string_view s) { return grantee_kind_from(s) != grantee_kind::invalid; },
        "one of email, payment, pledge, code");
    auto ref = r.text(
        "ref", [](std::string_view s) { return !s.empty() && code_points(s) <= max_ref_chars; },
        "1 to 320 characters");
    if (!r.ok()) {
        detail = r.detail();
        return std::nullopt;
    }
    return token_grantee{grantee_kind_from(*kind), std::move(*ref)};
}

std::optional<sealed_item> read_item(json const& value, std::size_t index, std::string& detail) {
    auto const what = "item " + std::to_string(index);
    object_reader r(value, what, {"path", "sealedKey"}, {});
    // The manifest's rules: a token cannot name a path that a manifest could not hold.
    auto path = r.text("path", is_safe_item_path,
                       "a relative path inside the bundle (no empty, '.' or '..' segment, no backslash)");
    auto sealed = r.base64("sealedKey");
    if (r.ok() && sealed->size() != sealed_key_bytes) {
        r.fail("\"sealedKey\" must be a sealed box of a 32-byte key (80 bytes)");
    }
    if (!r.ok()) {
        detail = r.detail();
        return std::nullopt;
    }
    return sealed_item{std::move(*path), std::move(*sealed)};
}

std::optional<std::vector<sealed_item>> read_items(json const* value, std::string& detail) {
    if (!value->is_array() || value->empty() || value->size() > max_unlock_token_items) {
        detail = "the body's \"items\" must be an array of 1 to " + std::to_string(max_unlock_token_items) +
                 " items";
        return std::nullopt;
    }
    std::vector<sealed_item> items;
    items.reserve(value->size());
    for (std::size_t i = 0; i < value->size(); ++i) {
        auto item = read_item((*value)[i], i, detail);
        if (!item) {
            return std::nullopt;
        }
        items.push_back(std::move(*item));
    }
    return items;
}

std::optional<std::uint64_t> read_version(json const* value) {
    // Integers only: "3.0" is a float to the parser, and no gate writes one.
    if (!value->is_number_unsigned()) {
        return std::nullopt;
    }
    auto const v = value->get<std::uint64_t>();
    return v >= 1 && v <= max_version ? std::optional(v) : std::nullopt;
}

std::optional<token_body> read_body(json const& value, std::string& detail) {
    object_reader r(value, "the body",
                    {"tokenId", "bundleId", "bundleVersion", "device", "grantee", "issuedAt", "items"},
                    {"expiresAt"});
    token_body body;
    auto token_id = r.text("tokenId", is_token_id, "16 to 64 characters of base64url");
    auto bundle_id = r.text("bundleId", is_bundle_slug, "a bundle id (a-z, 0-9 and '-', at most 64)");
    auto const* version = r.member("bundleVersion");
    std::optional<std::uint64_t> bundle_version;
    if (version && !(bundle_version = read_version(version))) {
        r.fail("\"bundleVersion\" must be an integer from 1 to 2^53-1");
    }
    auto const device = r.text(
        "device", [](std::string_view s) { return decode_public_key("x25519", s); },
        "an X25519 key as x25519:<base64 of 32 bytes>");
    auto const issued_at = r.timestamp("issuedAt");
    auto const expires_at = r.has("expiresAt") ? r.timestamp("expiresAt") : std::nullopt;
    if (r.ok() && expires_at && *expires_at <= *issued_at) {
        r.fail("\"expiresAt\" must come after \"issuedAt\"");
    }
    auto const* grantee = r.member("grantee");
    auto const* items = r.member("items");
    if (!r.ok()) {
        detail = r.detail();
        return std::nullopt;
    }
    auto g = read_grantee(grantee, detail);
    if (!g) {
        return std::nullopt;
    }
    auto sealed = read_items(items, detail);
    if (!sealed) {
        return std::nullopt;
    }
    body.token_id = std::move(*token_id);
    body.bundle_id = std::move(*bundle_id);
    body.bundle_version = *bundle_version;
    body.device = *decode_public_key("x25519", *device);
    body.grantee = std::move(*g);
    body.issued_at = *issued_at;
    body.expires_at = expires_at;
    body.items = std::move(*sealed);
    return body;
}

std::optional<std::string> first_duplicate_path(std::vector<sealed_item> const& items) {
    std::set<std::string_view> seen;
    for (auto const& item : items) {
        if (!seen.insert(item.path).second) {
            return item.path;
        }
    }
    return std::nullopt;
}

unlock_token_result refuse(token_problem problem, std::string detail) {
    unlock_token_result r;
    r.problem = problem;
    r.detail = std::move(detail);
    return r;
}

bool is_trusted(std::array<unsigned char, 32> const& key, token_expectations const& expect) {
    return std::find(expect.gate_keys.begin(), expect.gate_keys.end(), key) != expect.gate_keys.end();
}

// The checks that need only the signed body and what the host knows, in the documented order.
unlock_token_result check_against_expectations(token_body const& body, token_expectations const& expect) {
    if (body.bundle_id != expect.bundle_id) {
        return refuse(token_problem::wrong_bundle,
                      "the token is for bundle \"" + body.bundle_id + "\", not \"" + expect.bundle_id + "\"");
    }
    if (body.bundle_version > expect.manifest_version) {
        return refuse(token_problem::version_too_new,
                      "the token was issued for version " + std::to_string(body.bundle_version) +
                          " of the bundle, and the newest verified manifest is version " +
                          std::to_string(expect.manifest_version) + ": fetch the new manifest first");
    }
    if (body.device != expect.device.public_key) {
        return refuse(token_problem::wrong_device, "the token's keys are sealed to another device (" +
                                                       encode_public_key("x25519", body.device) + ")");
    }
    if (body.issued_at > expect.now + unlock_token_clock_skew) {
        return refuse(token_problem::not_yet_valid, "the token is issued at " + format_time(body.issued_at) +
                                                        ", later than now (" + format_time(expect.now) +
                                                        "): is this computer's clock right?");
    }
    if (body.expires_at && expect.now >= *body.expires_at) {
        return refuse(token_problem::expired, "the token expired at " + format_time(*body.expires_at));
    }
    return {};
}

} // namespace

std::string generate_token_id() {
    std::array<unsigned char, 16> random{};
    randombytes_buf(random.data(), random.size());
    std::string out(sodium_base64_ENCODED_LEN(random.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), random.data(), random.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
}

token_body seal_unlock_grant(unlock_grant const& grant, std::array<unsigned char, 32> const& device) {
    token_body body;
    body.token_id = grant.token_id;
    body.bundle_id = grant.bundle_id;
    body.bundle_version = grant.bundle_version;
    body.device = device;
    body.grantee = grant.grantee;
    body.issued_at = grant.issued_at;
    body.expires_at = grant.expires_at;
    for (auto const& [path, key] : grant.items) {
        body.items.push_back(
            {path, seal_to({reinterpret_cast<char const*>(key.data()), key.size()}, device)});
    }
    return body;
}

std::string encode_token_body(token_body const& body) {
    json items = json::array();
    for (auto const& item : body.items) {
        items.push_back({{"path", item.path}, {"sealedKey", to_base64(item.sealed_key)}});
    }
    json j = {
        {"tokenId", body.token_id},
        {"bundleId", body.bundle_id},
        {"bundleVersion", body.bundle_version},
        {"device", encode_public_key("x25519", body.device)},
        {"grantee", {{"kind", to_string(body.grantee.kind)}, {"ref", body.grantee.ref}}},
        {"issuedAt", format_time(body.issued_at)},
        {"items", std::move(items)},
    };
    if (body.expires_at) {
        j["expiresAt"] = format_time(*body.expires_at);
    }
    return dump_compact(j);
}

std::string sign_unlock_token(std::string_view body_json, signing_keypair const& gate) {
    json const j = {
        {"format", std::string(unlock_token_format)},
        {"gateKey", encode_public_key("ed25519", gate.public_key)},
        {"payload", to_base64(body_json)},
        {"signature", to_base64(as_text(sign(body_json, gate)))},
    };
    return dump_compact(j);
}

std::string issue_unlock_token(token_body const& body, signing_keypair const& gate) {
    return sign_unlock_token(encode_token_body(body), gate);
}

std::string_view to_string(grantee_kind kind) {
    for (auto const& [k, name] : grantee_kinds) {
        if (k == kind) {
            return name;
        }
    }
    return "invalid";
}

std::string_view to_string(token_problem problem) {
    switch (problem) {
    case token_problem::none:
        return "none";
    case token_problem::malformed:
        return "malformed";
    case token_problem::untrusted_gate_key:
        return "untrusted_gate_key";
    case token_problem::bad_signature:
        return "bad_signature";
    case token_problem::wrong_bundle:
        return "wrong_bundle";
    case token_problem::version_too_new:
        return "version_too_new";
    case token_problem::wrong_device:
        return "wrong_device";
    case token_problem::not_yet_valid:
        return "not_yet_valid";
    case token_problem::expired:
        return "expired";
    case token_problem::duplicate_item:
        return "duplicate_item";
    case token_problem::sealed_key_unopenable:
        return "sealed_key_unopenable";
    }
    return "unknown";
}

unlock_token_result verify_unlock_token(std::string_view text, token_expectations const& expect) {
    if (text.size() > max_unlock_token_bytes) {
        return refuse(token_problem::malformed, "the token is " + std::to_string(text.size()) +
                                                    " bytes, more than the " +
                                                    std::to_string(max_unlock_token_bytes) + " allowed");
    }
    auto const parsed = parse_untrusted_json(text, token_json_limits);
    if (!parsed) {
        return refuse(token_problem::malformed, "the token is not JSON: " + parsed.detail);
    }
    std::string detail;
    auto const env = read_envelope(parsed.value, detail);
    if (!env) {
        return refuse(token_problem::malformed, detail);
    }
    if (!is_trusted(env->gate_key, expect)) {
        return refuse(token_problem::untrusted_gate_key, "the token is signed by " +
                                                             encode_public_key("ed25519", env->gate_key) +
                                                             ", a key this bundle's manifest does not trust");
    }
    if (!verify(env->payload, env->signature, env->gate_key)) {
        return refuse(token_problem::bad_signature, "the signature does not match the token's contents");
    }

    auto const body_json = parse_untrusted_json(env->payload, token_json_limits);
    if (!body_json) {
        return refuse(token_problem::malformed, "the signed body is not JSON: " + body_json.detail);
    }
    auto body = read_body(body_json.value, detail);
    if (!body) {
        return refuse(token_problem::malformed, detail);
    }
    if (auto const dup = first_duplicate_path(body->items)) {
        return refuse(token_problem::duplicate_item, "the token names item \"" + *dup + "\" twice");
    }
    if (auto refused = check_against_expectations(*body, expect); !refused) {
        return refused;
    }

    unlock_token_result result;
    for (auto const& item : body->items) {
        auto const key = fixed_bytes<sizeof(item_key)>(open_sealed(item.sealed_key, expect.device));
        if (!key) {
            return refuse(token_problem::sealed_key_unopenable,
                          "the key of item \"" + item.path + "\" does not open with this device's key");
        }
        result.token.item_keys.emplace(item.path, *key);
    }
    result.token.token_id = std::move(body->token_id);
    result.token.bundle_id = std::move(body->bundle_id);
    result.token.bundle_version = body->bundle_version;
    result.token.grantee = std::move(body->grantee);
    result.token.issued_at = body->issued_at;
    result.token.expires_at = body->expires_at;
    result.token.gate_key = env->gate_key;
    return result;
}

} // namespace sluice::protocol
