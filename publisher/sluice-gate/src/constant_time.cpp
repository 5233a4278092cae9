#include "sluice-gate/constant_time.hpp"

#include <sodium.h>

#include <array>

namespace sluice::gate {

namespace {

std::array<unsigned char, crypto_hash_sha256_BYTES> digest(std::string_view bytes) {
    std::array<unsigned char, crypto_hash_sha256_BYTES> out{};
    crypto_hash_sha256(out.data(), reinterpret_cast<unsigned char const*>(bytes.data()), bytes.size());
    return out;
}

} // namespace

bool equal_in_constant_time(std::string_view a, std::string_view b) {
    auto const da = digest(a);
    auto const db = digest(b);
    return sodium_memcmp(da.data(), db.data(), da.size()) == 0;
}

} // namespace sluice::gate
