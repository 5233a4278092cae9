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

std::optional<gate_response> lease_checkout(gate_context& ctx, checkout_of of, std::string_view id) {
    std::error_code ec;
    auto const now = ctx.unix_now();
    if (ctx.store.take_checkout_lease(of, id, now, now + checkout_lease_seconds, ec)) {
        return std::nullopt;
    }
    if (ec) {
        return storage_failed(ec);
    }
    auto res = error_response(409, error_code::idempotency_key_in_flight,
                              "the first request with this Idempotency-Key is still being handled; send it "
                              "again in a moment");
    res.headers.emplace_back("Retry-After", "1");
    return res;
}

void end_checkout_lease(gate_context& ctx, checkout_of of, std::string_view id) {
    std::error_code ec;
    ctx.store.end_checkout_lease(of, id, ec); // if this fails too, the lease runs out by itself
}

} // namespace sluice::gate
