#pragma once

// What the test-vector writers share: keys made from published seeds, written in hex; signed envelopes
// changed after signing; the files they write.

#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>

namespace sluice::protocol::vectors {

inline std::string hex(std::string_view bytes) {
    std::string out(bytes.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), reinterpret_cast<unsigned char const*>(bytes.data()),
                   bytes.size());
    out.pop_back();
    return out;
}

// An Ed25519 key pair from a 32-byte seed (crypto_sign_seed_keypair), so that anyone can make it again.
inline signing_keypair signing_from_seed(std::string_view seed) {
    signing_keypair k;
    crypto_sign_seed_keypair(k.public_key.data(), k.secret_key.data(),
                             reinterpret_cast<unsigned char const*>(seed.data()));
    return k;
}

// The signed envelope `text` with `change` applied; the signature is left as it was.
inline std::string tampered(std::string const& text, std::function<void(nlohmann::json&)> const& change) {
    auto envelope = nlohmann::json::parse(text);
    change(envelope);
    return dump_compact(envelope);
}

// An envelope's base64 member (its payload, its signature), decoded.
inline std::string decoded(nlohmann::json const& envelope, char const* member) {
    return *from_base64(envelope.at(member).get<std::string>());
}

inline bool write_text(std::filesystem::path const& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return static_cast<bool>(out);
}

// A vector file as the tests read it: indented by 4, one newline at the end.
inline bool write_json(std::filesystem::path const& path, nlohmann::ordered_json const& value) {
    return write_text(path, value.dump(4) + "\n");
}

} // namespace sluice::protocol::vectors
