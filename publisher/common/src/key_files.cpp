#include "common/key_files.hpp"

#include <sluice/fileio/atomic_file.hpp>
#include <sluice/fileio/file_io.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <sodium.h>

#include <algorithm>

namespace sluice::publisher {

namespace {

using nlohmann::json;

constexpr std::size_t max_key_file_bytes = 64 * 1024;
constexpr std::size_t max_keys_file_bytes = 4 * 1024 * 1024;

// Key material passes through std::string here; wipe it before the memory goes back to the allocator.
struct wiped_string {
    std::string text;
    ~wiped_string() { sodium_memzero(text.data(), text.size()); }
};

std::string key_bytes(std::span<unsigned char const> bytes) {
    return protocol::to_base64({reinterpret_cast<char const*>(bytes.data()), bytes.size()});
}

std::optional<std::string> string_member(json const& j, char const* name) {
    auto const it = j.find(name);
    if (it == j.end() || !it->is_string()) {
        return std::nullopt;
    }
    return it->get<std::string>();
}

bool only_members(json const& j, std::initializer_list<std::string_view> allowed, std::string& unknown) {
    for (auto const& [key, _] : j.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            unknown = key.substr(0, 40);
            return false;
        }
    }
    return true;
}

} // namespace

std::string signing_key_text(protocol::signing_keypair const& keys) {
    wiped_string secret{key_bytes(keys.secret_key)};
    json const j = {{"format", std::string(signing_key_format)},
                    {"publicKey", protocol::encode_public_key("ed25519", keys.public_key)},
                    {"secretKey", secret.text}};
    auto text = j.dump(4) + "\n";
    return text;
}

result<protocol::signing_keypair> parse_signing_key(std::string_view text) {
    using failure = result<protocol::signing_keypair>;
    auto parsed = protocol::parse_untrusted_json(text, {.max_depth = 4, .max_values = 100});
    if (!parsed || !parsed.value.is_object()) {
        return failure::failure("not a key file (expected a JSON object)");
    }
    auto const& j = parsed.value;
    std::string unknown;
    if (!only_members(j, {"format", "publicKey", "secretKey"}, unknown)) {
        return failure::failure("unknown member \"" + unknown + "\" in a key file");
    }
    if (string_member(j, "format") != std::string(signing_key_format)) {
        return failure::failure("not a signing key file (\"format\" must be \"" +
                                std::string(signing_key_format) + "\")");
    }
    auto const public_text = string_member(j, "publicKey");
    auto const public_key = public_text ? protocol::decode_public_key("ed25519", *public_text) : std::nullopt;
    if (!public_key) {
        return failure::failure("\"publicKey\" must be \"ed25519:\" followed by 32 bytes in base64");
    }
    auto const secret_text = string_member(j, "secretKey");
    wiped_string secret{secret_text ? protocol::from_base64(*secret_text).value_or("") : ""};
    if (secret.text.size() != crypto_sign_SECRETKEYBYTES) {
        return failure::failure("\"secretKey\" must be 64 bytes in base64");
    }
    protocol::signing_keypair keys;
    std::copy(secret.text.begin(), secret.text.end(), keys.secret_key.begin());
    // The public half is derived again from the seed, not read from the secret key's second half: that
    // half is only a copy, and a damaged file could carry a copy that does not match.
    std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
    std::array<unsigned char, 32> derived{};
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> rederived{};
    crypto_sign_ed25519_sk_to_seed(seed.data(), keys.secret_key.data());
    crypto_sign_seed_keypair(derived.data(), rederived.data(), seed.data());
    bool const consistent = rederived == keys.secret_key;
    sodium_memzero(seed.data(), seed.size());
    sodium_memzero(rederived.data(), rederived.size());
    if (!consistent || derived != *public_key) {
        sodium_memzero(keys.secret_key.data(), keys.secret_key.size());
        return failure::failure(
            "\"publicKey\" and \"secretKey\" do not belong together (the file is damaged or "
            "was edited)");
    }
    keys.public_key = *public_key;
    return keys;
}

result<protocol::signing_keypair> load_signing_key(fs::path const& file) {
    std::error_code ec;
    wiped_string text{fileio::read_small_file(file, max_key_file_bytes, ec)};
    if (ec) {
        return result<protocol::signing_keypair>::failure(fileio::describe(file, ec));
    }
    auto keys = parse_signing_key(text.text);
    if (!keys) {
        return result<protocol::signing_keypair>::failure(file.string() + ": " + keys.error);
    }
    return keys;
}

status save_signing_key(fs::path const& file, protocol::signing_keypair const& keys, bool overwrite) {
    wiped_string text{signing_key_text(keys)};
    std::error_code ec;
    fileio::write_file_atomically(file, text.text, 0600, overwrite, ec);
    if (ec == std::errc::file_exists) {
        return status::failure(file.string() + " already exists; pass --force to replace it (the key in it "
                                               "is then lost for good)");
    }
    if (ec) {
        return status::failure(fileio::describe(file, ec));
    }
    return ok();
}

item_key_entry const* item_keys::find(std::string_view path) const {
    auto const it =
        std::find_if(items.begin(), items.end(), [&](item_key_entry const& e) { return e.path == path; });
    return it == items.end() ? nullptr : &*it;
}

std::string item_keys_text(item_keys const& keys) {
    json items = json::array();
    std::vector<wiped_string> secrets;
    secrets.reserve(keys.items.size());
    for (auto const& entry : keys.items) {
        secrets.push_back({key_bytes(entry.key)});
        items.push_back({{"path", entry.path},
                         {"key", secrets.back().text},
                         {"gate", std::string(protocol::to_string(entry.gate))}});
    }
    json const j = {{"format", std::string(item_keys_format)},
                    {"bundleId", keys.bundle_id},
                    {"version", keys.version},
                    {"items", std::move(items)}};
    return j.dump(4) + "\n";
}

result<item_keys> parse_item_keys(std::string_view text) {
    using failure = result<item_keys>;
    auto parsed = protocol::parse_untrusted_json(text, {.max_depth = 8, .max_values = 100'000});
    if (!parsed || !parsed.value.is_object()) {
        return failure::failure("not a keys file (expected a JSON object)");
    }
    auto const& j = parsed.value;
    std::string unknown;
    if (!only_members(j, {"format", "bundleId", "version", "items"}, unknown)) {
        return failure::failure("unknown member \"" + unknown + "\" in a keys file");
    }
    if (string_member(j, "format") != std::string(item_keys_format)) {
        return failure::failure("not an item keys file (\"format\" must be \"" +
                                std::string(item_keys_format) + "\")");
    }
    item_keys keys;
    keys.bundle_id = string_member(j, "bundleId").value_or("");
    if (keys.bundle_id.empty()) {
        return failure::failure("\"bundleId\" is missing");
    }
    auto const version = j.find("version");
    if (version == j.end() || !version->is_number_unsigned()) {
        return failure::failure("\"version\" must be a whole number");
    }
    keys.version = version->get<std::uint64_t>();
    auto const items = j.find("items");
    if (items == j.end() || !items->is_array()) {
        return failure::failure("\"items\" must be a list");
    }
    for (std::size_t i = 0; i < items->size(); ++i) {
        auto const& e = (*items)[i];
        auto const where = "items/" + std::to_string(i);
        if (!e.is_object() || !only_members(e, {"path", "key", "gate"}, unknown)) {
            return failure::failure(where + " must be an object with \"path\", \"key\" and \"gate\"");
        }
        item_key_entry entry;
        entry.path = string_member(e, "path").value_or("");
        if (!protocol::is_safe_item_path(entry.path)) {
            return failure::failure(where + "/path must be an item path");
        }
        auto const key_text = string_member(e, "key");
        wiped_string key{key_text ? protocol::from_base64(*key_text).value_or("") : ""};
        if (key.text.size() != entry.key.size()) {
            return failure::failure(where + "/key must be 32 bytes in base64");
        }
        std::copy(key.text.begin(), key.text.end(), entry.key.begin());
        auto const gate = protocol::parse_gate_kind(string_member(e, "gate").value_or(""));
        if (!gate) {
            return failure::failure(where + "/gate must be \"email\", \"pay\" or \"pledge\"");
        }
        entry.gate = *gate;
        if (keys.find(entry.path)) {
            return failure::failure(where + "/path is listed twice");
        }
        keys.items.push_back(std::move(entry));
    }
    return keys;
}

result<item_keys> load_item_keys(fs::path const& file) {
    std::error_code ec;
    wiped_string text{fileio::read_small_file(file, max_keys_file_bytes, ec)};
    if (ec) {
        return result<item_keys>::failure(fileio::describe(file, ec));
    }
    auto keys = parse_item_keys(text.text);
    if (!keys) {
        return result<item_keys>::failure(file.string() + ": " + keys.error);
    }
    return keys;
}

} // namespace sluice::publisher
