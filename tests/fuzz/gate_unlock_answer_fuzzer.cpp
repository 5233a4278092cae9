// libFuzzer entry point: the answer to an email unlock (and its confirmation), then the check of the token it
// carries. The first byte chooses the status (200 or 202) and whether this is the confirmation; when its
// high bit is set, the rest is a token body that the fuzzer signs with the gate's key first, so the checks
// behind the signature are reached as well.

#include "gate_fuzz_support.hpp"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace sluice;
    using namespace sluice::fuzzing;
    if (size == 0) {
        return 0;
    }
    auto const& k = fuzz_keys();
    std::string_view rest(reinterpret_cast<char const*>(data) + 1, size - 1);
    std::string body(rest);
    if (data[0] & 0x80) {
        body = nlohmann::json{{"token", protocol::sign_unlock_token(rest, k.gate)}}.dump();
    }
    auto const reply = fuzz_reply(body, data[0] & 1 ? 202 : 200);
    if (reply.what != gate_api::gate_reply::outcome::answered) {
        return 0;
    }
    auto const answer = gate_api::read_email_unlock(reply, data[0] & 2);
    if (!answer) {
        if (answer.problem.empty()) {
            std::abort();
        }
        return 0;
    }
    if (answer.value.token.empty() == answer.value.request_id.empty()) {
        std::abort(); // exactly one of the two
    }
    if (!answer.value.token.empty()) {
        auto const checked = gate_api::check_gate_token(answer.value.token, "les-veilleurs",
                                                        {k.gate.public_key}, k.device, k.now);
        if (checked && checked.token.bundle_id != "les-veilleurs") {
            std::abort();
        }
        gate_api::check_gate_token(answer.value.token, "les-veilleurs", {}, k.device, k.now);
    }
    return 0;
}
