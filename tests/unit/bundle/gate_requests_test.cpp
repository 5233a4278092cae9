#include "bundle/gate_requests.hpp"
#include "scripted_gate.hpp"

#include <gtest/gtest.h>

namespace sluice::bundle {
namespace {

using namespace std::chrono_literals;

TEST(GateRequests, ARequestCarriesTheDeadlineAndNoBodyUnlessGiven) {
    boost::asio::io_context io;
    testing::scripted_gate gate;
    gate_requests const requests(io, gate.call(), 7s);
    auto const get = requests.request("GET", "v1/campaigns/c");
    EXPECT_EQ(get.method, "GET");
    EXPECT_EQ(get.path, "v1/campaigns/c");
    EXPECT_TRUE(get.body.is_null());
    EXPECT_TRUE(get.headers.empty());
    EXPECT_EQ(get.timeout, 7s);
    auto const post = requests.request("POST", "v1/x", {{"a", 1}}, {{"Idempotency-Key", "k"}});
    EXPECT_EQ(post.body, nlohmann::json({{"a", 1}}));
    ASSERT_EQ(post.headers.size(), 1u);
    EXPECT_EQ(post.headers[0].second, "k");
}

TEST(GateRequests, AKeyIsBusyUntilItsReplyArrives) {
    boost::asio::io_context io;
    testing::scripted_gate gate;
    gate_requests requests(io, gate.call(), 20s);
    int replies = 0;
    requests.ask("k", "http://gate/", requests.request("GET", "v1/p"), [&](gate_api::gate_reply const& r) {
        EXPECT_EQ(r.what, gate_api::gate_reply::outcome::unavailable);
        ++replies;
    });
    EXPECT_TRUE(requests.busy("k"));
    EXPECT_FALSE(requests.busy("other"));
    ASSERT_EQ(gate.requests.size(), 1u);
    EXPECT_EQ(gate.requests[0].gate_url, "http://gate/");
    gate.reply(0, testing::unavailable());
    EXPECT_FALSE(requests.busy("k"));
    EXPECT_EQ(replies, 1);
}

TEST(GateRequests, AReadKeepsNothingBusy) {
    boost::asio::io_context io;
    testing::scripted_gate gate;
    gate_requests requests(io, gate.call(), 20s);
    bool replied = false;
    requests.read("http://gate/", requests.request("GET", "v1/campaigns/c"),
                  [&](gate_api::gate_reply const&) { replied = true; });
    EXPECT_FALSE(requests.busy("c"));
    gate.reply(0, testing::answered({}));
    EXPECT_TRUE(replied);
}

} // namespace
} // namespace sluice::bundle
