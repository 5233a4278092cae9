#pragma once

// What the test-vector writers share: keys made from published seeds, written in hex.

#include <sluice/protocol/keys.hpp>

#include <sodium.h>

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

} // namespace sluice::protocol::vectors
