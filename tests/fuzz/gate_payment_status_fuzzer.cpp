// libFuzzer entry point: a payment's status as a gate answers it (GET /v1/payments/{p}), and the check of
// the token a paid one carries, made before the library sees it.

#include "gate_fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace sluice;
    using namespace sluice::fuzzing;
    auto const& k = fuzz_keys();
    auto const reply = fuzz_reply(std::string_view(reinterpret_cast<char const*>(data), size), 200);
    if (reply.what != gate_api::gate_reply::outcome::answered) {
        return 0;
    }
    auto const status = gate_api::read_payment_status(reply.body, "pay-1");
    if (!status) {
        return status.problem.empty() ? (std::abort(), 0) : 0;
    }
    auto const& s = status.value;
    if (s.state != "pending" && s.state != "paid" && s.state != "failed") {
        std::abort();
    }
    if (s.state == "paid") {
        if (s.token.empty()) {
            std::abort();
        }
        auto const checked = gate_api::check_gate_token(s.token, "les-veilleurs", {}, k.device, k.now);
        if (checked && checked.token.bundle_id != "les-veilleurs") {
            std::abort();
        }
    }
    return 0;
}
