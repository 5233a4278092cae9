// libFuzzer entry point: the answer to a pledge (with the provider's page) or its cancellation, then the
// check of its receipt. When the first byte's high bit is set, the rest is a receipt body that the fuzzer
// signs with the gate's key and puts in an answer, so the checks behind the signature are reached as well.

#include "gate_fuzz_support.hpp"

#include <nlohmann/json.hpp>

namespace {

std::string sign_receipt(std::string_view body, sluice::protocol::signing_keypair const& key) {
    auto const sig = sluice::protocol::sign(body, key);
    return nlohmann::json{{"format", "sluice-receipt/1"},
                          {"gateKey", sluice::protocol::encode_public_key("ed25519", key.public_key)},
                          {"payload", sluice::protocol::to_base64(body)},
                          {"signature", sluice::protocol::to_base64(std::string_view(
                                            reinterpret_cast<char const*>(sig.data()), sig.size()))}}
        .dump();
}

} // namespace

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
        body = nlohmann::json{{"pledgeId", "p-1"},
                              {"checkoutUrl", "https://checkout.example/c/pay/cs_1"},
                              {"receipt", sign_receipt(rest, k.gate)}}
                   .dump();
    }
    auto const reply = fuzz_reply(body, 201);
    if (reply.what != gate_api::gate_reply::outcome::answered) {
        return 0;
    }
    if (auto const created = gate_api::read_pledge_created(reply.body, "saison-2")) {
        auto const& url = created.value.checkout_url;
        if (created.value.pledge_id.empty() || created.value.receipt.empty() || url.size() > 2048 ||
            !(url.starts_with("https://") || url.starts_with("http://"))) {
            std::abort();
        }
    } else if (created.problem.empty()) {
        std::abort(); // every refusal says why
    }
    auto const answer = gate_api::read_pledge_receipt_answer(reply.body);
    if (!answer) {
        return answer.problem.empty() ? (std::abort(), 0) : 0;
    }
    if (answer.value.pledge_id.empty() || answer.value.receipt.empty()) {
        std::abort();
    }
    gate_api::expected_receipt const expected{data[0] & 1 ? "cancellation" : "pledge", "p-1", "saison-2",
                                              k.device_text, data[0] & 2 ? 1500u : 0u};
    auto const problem = gate_api::receipt_problem(answer.value.receipt, expected, {k.gate.public_key});
    if (problem && problem->empty()) {
        std::abort(); // every refusal says why
    }
    return 0;
}
