#include "native_messaging/outbound_frame.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace sluice::native_messaging {
namespace {

using nlohmann::json;

json body_of(std::string const& frame) {
    std::uint32_t n = 0;
    std::memcpy(&n, frame.data(), 4);
    EXPECT_EQ(n + 4, frame.size());
    return json::parse(frame.substr(4));
}

TEST(OutboundFrame, SmallRepliesPassUnchanged) {
    json const reply = {{"jsonrpc", "2.0"}, {"id", 1}, {"result", {{"a", 1}}}};
    EXPECT_EQ(body_of(to_outbound_frame(reply)), reply);
}

TEST(OutboundFrame, NeverExceedsOneMebibyte) {
    json const reply = {{"jsonrpc", "2.0"}, {"id", 8}, {"result", std::string(1024 * 1024, 'x')}};
    auto const frame = to_outbound_frame(reply);
    ASSERT_LE(frame.size(), 4u + 1024 * 1024);
    auto const body = body_of(frame);
    EXPECT_EQ(body["id"], 8);
    EXPECT_EQ(body["error"]["code"], -32002);
}

TEST(OutboundFrame, ExactlyOneMebibyteIsAllowed) {
    json reply = {{"jsonrpc", "2.0"}, {"id", 1}, {"result", ""}};
    auto const overhead = reply.dump().size();
    reply["result"] = std::string(1024 * 1024 - overhead, 'y');
    auto const frame = to_outbound_frame(reply);
    EXPECT_EQ(frame.size(), 4u + 1024 * 1024);
    EXPECT_TRUE(body_of(frame).contains("result"));
}

TEST(OutboundFrame, OversizedEventsAreDropped) {
    json const event = {
        {"jsonrpc", "2.0"}, {"method", "torrent.updated"}, {"params", {{"x", std::string(2 << 20, 'z')}}}};
    EXPECT_TRUE(to_outbound_frame(event).empty());
}

} // namespace
} // namespace sluice::native_messaging
