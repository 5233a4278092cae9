// libFuzzer entry point: gate_api::interpret_gate_answer, the host's sorting of whatever came back from a
// gate. The first two bytes choose the HTTP status (or a failed exchange, with its kind), the rest is the
// body.

#include "gate_api/gate_answers.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace sluice;
    if (size < 2) {
        return 0;
    }
    net::incoming_response response;
    response.ok = (data[0] & 0x80) == 0;
    response.status = 100 + ((data[0] & 0x7f) << 8 | data[1]) % 500;
    response.what = response.ok ? net::incoming_response::failure::none
                                : static_cast<net::incoming_response::failure>(1 + data[1] % 9);
    response.body.assign(reinterpret_cast<char const*>(data) + 2, size - 2);
    response.error = response.body.substr(0, 500);
    response.location = response.body.substr(0, 300);
    auto const reply =
        gate_api::interpret_gate_answer(response, "http://gate.example/", std::chrono::seconds(20));
    if (reply.what == gate_api::gate_reply::outcome::answered) {
        if (!reply.body.is_object() || response.status < 200 || response.status >= 300) {
            std::abort();
        }
        return 0;
    }
    // Whatever is wrong is said, in printable text short enough for the extension's UI.
    if (reply.message.empty() || reply.message.size() > 1024 || reply.gate_code.size() > 64) {
        std::abort();
    }
    for (unsigned char c : reply.message) {
        if (c < 0x20) {
            std::abort();
        }
    }
    auto const error = gate_api::to_rpc_error(reply);
    (void)error;
    return 0;
}
