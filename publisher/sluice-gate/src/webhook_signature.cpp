#include "sluice-gate/webhook_signature.hpp"

#include <sodium.h>

#include <algorithm>

namespace sluice::gate {

namespace {

constexpr std::size_t max_signatures = 8;

std::optional<std::array<unsigned char, 32>> lower_hex_32(std::string_view text) {
    if (text.size() != 64) {
        return std::nullopt;
    }
    std::array<unsigned char, 32> out{};
    for (std::size_t i = 0; i < text.size(); ++i) {
        char const c = text[i];
        int digit = 0;
        if (c >= '0' && c <= '9') {
            digit = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            digit = c - 'a' + 10;
        } else {
            // Upper case too: the signature has one spelling, so a header has one meaning.
            return std::nullopt;
        }
        out[i / 2] = static_cast<unsigned char>(out[i / 2] << 4 | digit);
    }
    return out;
}

} // namespace

std::optional<signature_header> parse_signature_header(std::string_view text) {
    if (text.empty() || text.size() > max_signature_header_bytes) {
        return std::nullopt;
    }
    signature_header out;
    bool have_time = false;
    while (true) {
        auto const comma = text.find(',');
        auto const part = text.substr(0, comma);
        auto const equals = part.find('=');
        if (equals == std::string_view::npos || equals == 0) {
            return std::nullopt;
        }
        auto const key = part.substr(0, equals);
        auto const value = part.substr(equals + 1);
        if (key == "t") {
            if (have_time || value.empty() || value.size() > 12 ||
                !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
                return std::nullopt;
            }
            have_time = true;
            out.timestamp = std::string(value);
            out.unix_time = std::stoll(out.timestamp);
        } else if (key == "v1") {
            auto signature = lower_hex_32(value);
            if (!signature || out.v1.size() == max_signatures) {
                return std::nullopt;
            }
            out.v1.push_back(*signature);
        } else if (!std::all_of(part.begin(), part.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
            return std::nullopt;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        text.remove_prefix(comma + 1);
    }
    if (!have_time || out.v1.empty()) {
        return std::nullopt;
    }
    return out;
}

bool within_tolerance(std::int64_t signed_at, std::int64_t now) {
    // Both are at most 12 digits or a real clock: the difference cannot overflow.
    auto const skew = now - signed_at;
    return skew <= webhook_tolerance_seconds && skew >= -webhook_tolerance_seconds;
}

std::array<unsigned char, 32> webhook_hmac(std::string_view secret, std::string_view timestamp,
                                           std::string_view body) {
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<unsigned char const*>(secret.data()), secret.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<unsigned char const*>(timestamp.data()),
                                  timestamp.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<unsigned char const*>("."), 1);
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<unsigned char const*>(body.data()), body.size());
    std::array<unsigned char, 32> mac{};
    crypto_auth_hmacsha256_final(&state, mac.data());
    sodium_memzero(&state, sizeof state);
    return mac;
}

bool signature_matches(signature_header const& header, std::string_view secret, std::string_view body) {
    auto const expected = webhook_hmac(secret, header.timestamp, body);
    bool match = false;
    // Every candidate is compared, in constant time each, so the time says nothing about which came close.
    for (auto const& candidate : header.v1) {
        match |= sodium_memcmp(candidate.data(), expected.data(), expected.size()) == 0;
    }
    return match;
}

webhook_check check_webhook_signature(std::string const* header, std::string_view secret,
                                      std::string_view body, std::int64_t now) {
    if (!header) {
        return webhook_check::malformed_header;
    }
    auto const parsed = parse_signature_header(*header);
    if (!parsed) {
        return webhook_check::malformed_header;
    }
    if (!within_tolerance(parsed->unix_time, now)) {
        return webhook_check::expired;
    }
    return signature_matches(*parsed, secret, body) ? webhook_check::valid : webhook_check::bad_signature;
}

} // namespace sluice::gate
