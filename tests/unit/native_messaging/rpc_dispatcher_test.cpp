#include "native_messaging/rpc_dispatcher.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::native_messaging {
namespace {

using nlohmann::json;

struct dispatcher_fixture : ::testing::Test {
    rpc_dispatcher dispatcher;
    std::vector<json> sent;
    send_fn send = [this](json m) { sent.push_back(std::move(m)); };

    void SetUp() override {
        dispatcher.add("test.echo", [](rpc_call const& call) { call.reply(call.params()); });
        dispatcher.add("test.throw", [](rpc_call const&) { throw std::runtime_error("boom"); });
        dispatcher.add("test.forget", [](rpc_call const&) {});
        dispatcher.add("test.twice", [](rpc_call const& call) {
            call.reply(1);
            call.reply(2);
        });
    }
    int error_code_of(std::size_t i) const { return sent.at(i).at("error").at("code").get<int>(); }
};

TEST_F(dispatcher_fixture, RoutesToTheHandlerAndEchoesTheId) {
    dispatcher.dispatch(R"({"jsonrpc":"2.0","id":"x1","method":"test.echo","params":{"v":2}})", send);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0], json::parse(R"({"jsonrpc":"2.0","id":"x1","result":{"v":2}})"));
}

TEST_F(dispatcher_fixture, UnknownMethod) {
    dispatcher.dispatch(R"({"jsonrpc":"2.0","id":1,"method":"test.nope"})", send);
    EXPECT_EQ(error_code_of(0), -32601);
    EXPECT_EQ(sent[0]["id"], 1);
}

TEST_F(dispatcher_fixture, ParseErrorHasNullId) {
    dispatcher.dispatch(R"({"jsonrpc":"2.0","id":1,"method":)", send);
    EXPECT_EQ(error_code_of(0), -32700);
    EXPECT_TRUE(sent[0]["id"].is_null());
}

TEST_F(dispatcher_fixture, InvalidRequest) {
    dispatcher.dispatch(R"({"jsonrpc":"2.1","id":1,"method":"test.echo"})", send);
    EXPECT_EQ(error_code_of(0), -32600);
}

TEST_F(dispatcher_fixture, NotificationsGetNoReplyEvenOnError) {
    dispatcher.dispatch(R"({"jsonrpc":"2.0","method":"test.echo"})", send);
    dispatcher.dispatch(R"({"jsonrpc":"2.0","method":"test.nope"})", send);
    dispatcher.dispatch(R"({"jsonrpc":"2.0","method":"test.throw"})", send);
    dispatcher.dispatch(R"({"jsonrpc":"2.0","method":"test.echo","params":[1]})", send);
    EXPECT_TRUE(sent.empty());
}

TEST_F(dispatcher_fixture, AThrowingHandlerBecomesInternalError) {
    dispatcher.dispatch(R"({"jsonrpc":"2.0","id":2,"method":"test.throw"})", send);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(error_code_of(0), -32603);
}

TEST_F(dispatcher_fixture, AForgottenCallStillGetsAnAnswer) {
    dispatcher.dispatch(R"({"jsonrpc":"2.0","id":3,"method":"test.forget"})", send);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(error_code_of(0), -32603);
    EXPECT_EQ(sent[0]["id"], 3);
}

TEST_F(dispatcher_fixture, OnlyTheFirstAnswerIsSent) {
    dispatcher.dispatch(R"({"jsonrpc":"2.0","id":4,"method":"test.twice"})", send);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0]["result"], 1);
}

TEST_F(dispatcher_fixture, AnswersLaterFromAKeptCall) {
    std::optional<rpc_call> kept;
    dispatcher.add("test.later", [&](rpc_call const& call) { kept = call; });
    dispatcher.dispatch(R"({"jsonrpc":"2.0","id":5,"method":"test.later"})", send);
    EXPECT_TRUE(sent.empty());
    kept->reply("done");
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0]["result"], "done");
    kept.reset();
    EXPECT_EQ(sent.size(), 1u);
}

TEST_F(dispatcher_fixture, BadInputNeverReachesHandlers) {
    int calls = 0;
    dispatcher.add("test.count", [&](rpc_call const& call) {
        ++calls;
        call.reply(nullptr);
    });
    for (std::string const& bad :
         {std::string(100000, '['),
          std::string("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.count\",\"x\":\"\xfe\"}"),
          std::string("{\"jsonrpc\":\"2.0\",\"id\":1e999,\"method\":\"test.count\"}"),
          std::string("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.count\"}]")}) {
        dispatcher.dispatch(bad, send);
    }
    EXPECT_EQ(calls, 0);
    ASSERT_EQ(sent.size(), 4u);
    EXPECT_EQ(error_code_of(0), -32700);
    EXPECT_EQ(error_code_of(1), -32700);
    EXPECT_EQ(error_code_of(2), -32700);
    EXPECT_EQ(error_code_of(3), -32600);
}

TEST_F(dispatcher_fixture, ListsItsMethods) {
    auto const methods = dispatcher.methods();
    EXPECT_NE(std::find(methods.begin(), methods.end(), "test.echo"), methods.end());
}

} // namespace
} // namespace sluice::native_messaging
