// libFuzzer entry point: the answer to a payment (POST /v1/bundles/{id}/unlock/pay).

#include "gate_fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace sluice;
    using namespace sluice::fuzzing;
    auto const reply = fuzz_reply(std::string_view(reinterpret_cast<char const*>(data), size), 201);
    if (reply.what != gate_api::gate_reply::outcome::answered) {
        return 0;
    }
    auto const answer = gate_api::read_payment_created(reply.body, "les-veilleurs");
    if (!answer) {
        return answer.problem.empty() ? (std::abort(), 0) : 0;
    }
    auto const& url = answer.value.checkout_url;
    // The checkout URL is opened in the viewer's browser: only http(s), and bounded.
    if (answer.value.payment_id.empty() || url.size() > 2048 ||
        !(url.starts_with("https://") || url.starts_with("http://"))) {
        std::abort();
    }
    return 0;
}
