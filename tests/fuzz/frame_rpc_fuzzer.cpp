// libFuzzer entry point: native-messaging frame decoding followed by JSON-RPC parsing and dispatch, the
// whole path an untrusted browser-side byte stream takes before it reaches a handler.

#include "native_messaging/frame_decoder.hpp"
#include "native_messaging/outbound_frame.hpp"
#include "native_messaging/rpc_dispatcher.hpp"

#include <sluice/protocol/version.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

using namespace sluice::native_messaging;

rpc_dispatcher const& dispatcher() {
    static rpc_dispatcher const d = [] {
        rpc_dispatcher r;
        r.add("host.hello", [](rpc_call const& call) { call.reply({{"echo", call.params()}}); });
        r.add("test.fail",
              [](rpc_call const& call) { call.fail(sluice::protocol::error_code::invalid_params, "no"); });
        r.add("test.drop", [](rpc_call const&) {});
        return r;
    }();
    return d;
}

// Every reply the dispatcher produces must fit the outbound limit and be a frame holding valid JSON.
void check_reply(nlohmann::json const& message) {
    auto const frame = to_outbound_frame(message);
    if (frame.size() < 4 || frame.size() > 4 + sluice::protocol::max_outbound_frame_bytes) {
        std::abort();
    }
    std::uint32_t length = 0;
    std::memcpy(&length, frame.data(), 4);
    if (length + 4 != frame.size()) {
        std::abort();
    }
    auto const parsed = nlohmann::json::parse(frame.substr(4), nullptr, false);
    if (parsed.is_discarded() || !parsed.contains("jsonrpc")) {
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    // The first byte picks the chunk size, so frame boundaries fall everywhere across reads.
    std::size_t const chunk = 1 + data[0] % 64;
    ++data;
    --size;
    frame_decoder decoder(64 * 1024, [](frame_event event, std::string body, std::uint64_t) {
        if (event == frame_event::frame) {
            dispatcher().dispatch(body, check_reply);
        }
    });
    for (std::size_t off = 0; off < size; off += chunk) {
        decoder.feed(
            std::span<char const>(reinterpret_cast<char const*>(data) + off, std::min(chunk, size - off)));
    }
    decoder.finish();
    return 0;
}
