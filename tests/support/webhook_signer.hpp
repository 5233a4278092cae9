#pragma once

#include <cstdint>
#include <cstdio>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string>

namespace sluice::testing {

// What Stripe sends with a webhook in its Stripe-Signature header (protocol/gate-api.md, "Payment webhook"):
//     t=<t>,v1=<lower-case hex HMAC-SHA256(secret, "<t>.<body>")>
// computed with OpenSSL's HMAC, for the webhooks a test makes itself (forged, stale, replayed): the gate
// checks with libsodium's, so a test that passes has two implementations agreeing. Header-only, so that
// OpenSSL is linked by the test binaries that sign webhooks (they link it already) and not by every user of
// the support library.
inline std::string provider_signature(std::string const& secret, std::string const& body, std::int64_t t) {
    auto const message = std::to_string(t) + "." + body;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<unsigned char const*>(message.data()), message.size(), mac, &length);
    std::string hex;
    for (unsigned i = 0; i < length; ++i) {
        char buf[3];
        std::snprintf(buf, sizeof buf, "%02x", mac[i]);
        hex += buf;
    }
    return "t=" + std::to_string(t) + ",v1=" + hex;
}

} // namespace sluice::testing
