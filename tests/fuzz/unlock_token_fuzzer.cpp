// libFuzzer entry point: unlock-token verification, fed what a hostile gate answer or a damaged keystore
// could hold. The first byte chooses what the rest is:
//   even: the token text itself, as it arrives;
//   odd:  a body, which the trusted gate signs before verification, so that the body parser (reachable in
//         life only behind a good signature) is explored as well.
// The keys are those of protocol/examples/tokens, so the vectors make seeds that get all the way through.

#include <sluice/protocol/unlock_token.hpp>

#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace sluice::protocol;

struct fixed_keys {
    signing_keypair gate;
    token_expectations expect;

    fixed_keys() {
        if (sodium_init() < 0) {
            std::abort();
        }
        constexpr std::string_view gate_seed = "sluice test vectors: gate A seed";
        constexpr std::string_view device_secret = "sluice test vectors: device A sk";
        crypto_sign_seed_keypair(gate.public_key.data(), gate.secret_key.data(),
                                 reinterpret_cast<unsigned char const*>(gate_seed.data()));
        std::copy(device_secret.begin(), device_secret.end(), expect.device.secret_key.begin());
        crypto_scalarmult_base(expect.device.public_key.data(), expect.device.secret_key.data());
        expect.gate_keys = {gate.public_key};
        expect.bundle_id = "les-veilleurs";
        expect.manifest_version = 3;
        expect.now = std::chrono::sys_days{std::chrono::year{2026} / 6 / 1} + std::chrono::hours{12};
    }
};

fixed_keys const& keys() {
    static fixed_keys const k;
    return k;
}

// What an accepted token promises, whatever the input was.
void check_accepted(verified_token const& t, token_expectations const& expect) {
    if (t.bundle_id != expect.bundle_id || t.bundle_version == 0 ||
        t.bundle_version > expect.manifest_version || t.item_keys.empty() ||
        t.item_keys.size() > max_unlock_token_items || t.issued_at > expect.now + unlock_token_clock_skew ||
        (t.expires_at && expect.now >= *t.expires_at) || t.gate_key != keys().gate.public_key) {
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    auto const& k = keys();
    std::string_view token(reinterpret_cast<char const*>(data) + 1, size - 1);
    std::string signed_body;
    if (data[0] & 1) {
        signed_body = sign_unlock_token(token, k.gate);
        token = signed_body;
    }
    auto const result = verify_unlock_token(token, k.expect);
    if (result) {
        check_accepted(result.token, k.expect);
    } else if (result.detail.empty()) {
        std::abort(); // every refusal says why
    }
    return 0;
}
