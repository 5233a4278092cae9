#pragma once

// What the gate-answer fuzzers share: bytes made into the reply the host would build from an HTTP answer,
// and fixed keys, so that seeds signed with them get past the signature checks to the parsers behind.

#include "gate_api/gate_answers.hpp"

#include <sodium.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace sluice::fuzzing {

struct gate_fuzz_keys {
    protocol::signing_keypair gate;
    protocol::box_keypair device;
    std::string device_text;
    std::chrono::sys_seconds now = std::chrono::sys_days{std::chrono::year{2026} / 6 / 1};

    gate_fuzz_keys() {
        if (sodium_init() < 0) {
            std::abort();
        }
        constexpr std::string_view gate_seed = "sluice fuzzing: the gate's seed.";
        constexpr std::string_view device_secret = "sluice fuzzing: the device's sk.";
        crypto_sign_seed_keypair(gate.public_key.data(), gate.secret_key.data(),
                                 reinterpret_cast<unsigned char const*>(gate_seed.data()));
        std::copy(device_secret.begin(), device_secret.end(), device.secret_key.begin());
        crypto_scalarmult_base(device.public_key.data(), device.secret_key.data());
        device_text = protocol::encode_public_key("x25519", device.public_key);
    }
};

inline gate_fuzz_keys const& fuzz_keys() {
    static gate_fuzz_keys const keys;
    return keys;
}

// `body` as a complete HTTP answer with `status`, through the host's own sorting of answers.
inline gate_api::gate_reply fuzz_reply(std::string_view body, int status) {
    net::incoming_response response;
    response.ok = true;
    response.status = status;
    response.body = std::string(body);
    auto reply = gate_api::interpret_gate_answer(response, "http://gate.example/", std::chrono::seconds(20));
    if (reply.what == gate_api::gate_reply::outcome::answered && !reply.body.is_object()) {
        std::abort(); // an answered reply is always an object
    }
    return reply;
}

} // namespace sluice::fuzzing
