#include "sluice-gate/idempotency.hpp"

#include "sluice-gate/api_error.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <sodium.h>

#include <algorithm>
#include <array>

namespace sluice::gate {

namespace {

constexpr std::size_t max_idempotency_key = 128;

} // namespace

std::optional<std::string> idempotency_key(gate_request const& req) {
    auto const* key = req.header("idempotency-key");
    if (!key || key->empty() || key->size() > max_idempotency_key ||
        !std::all_of(key->begin(), key->end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
        return std::nullopt;
    }
    return *key;
}

gate_response idempotency_key_required() {
    return error_response(400, error_code::idempotency_key_required,
                          "an Idempotency-Key header of 1 to 128 visible ASCII characters is required");
}

std::string request_digest(std::string_view request) {
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<unsigned char const*>(request.data()), request.size());
    return protocol::to_hex(digest);
}

} // namespace sluice::gate
