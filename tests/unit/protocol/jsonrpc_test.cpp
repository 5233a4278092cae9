#include <sluice/protocol/jsonrpc.hpp>

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

using nlohmann::json;

read_result read(char const* text) {
    return read_request(json::parse(text));
}

TEST(JsonRpc, ReadsARequest) {
    auto const r = read(R"({"jsonrpc":"2.0","id":5,"method":"host.hello","params":{"a":1}})");
    ASSERT_TRUE(r.request);
    EXPECT_EQ(r.request->method, "host.hello");
    EXPECT_EQ(*r.request->id, 5);
    EXPECT_EQ(r.request->params["a"], 1);
    EXPECT_FALSE(r.request->is_notification());
}

TEST(JsonRpc, MissingIdMeansNotification) {
    auto const r = read(R"({"jsonrpc":"2.0","method":"host.hello"})");
    ASSERT_TRUE(r.request);
    EXPECT_TRUE(r.request->is_notification());
    EXPECT_TRUE(r.request->params.is_object());
}

TEST(JsonRpc, StringIdsAreEchoed) {
    auto const r = read(R"({"jsonrpc":"2.0","id":"abc","method":"m.x"})");
    ASSERT_TRUE(r.request);
    EXPECT_EQ(make_result(*r.request->id, 1)["id"], "abc");
}

TEST(JsonRpc, RefusesWrongVersionWithItsId) {
    auto const r = read(R"({"jsonrpc":"1.0","id":9,"method":"m.x"})");
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, error_code::invalid_request);
    EXPECT_EQ(r.reply_id, 9);
}

TEST(JsonRpc, RefusesMissingVersion) {
    EXPECT_EQ(read(R"({"id":1,"method":"m.x"})").error->code, error_code::invalid_request);
    EXPECT_EQ(read(R"({"jsonrpc":2.0,"id":1,"method":"m.x"})").error->code, error_code::invalid_request);
}

TEST(JsonRpc, RefusesFractionalAndStructuredIdsWithNullId) {
    for (auto text :
         {R"({"jsonrpc":"2.0","id":1.5,"method":"m.x"})", R"({"jsonrpc":"2.0","id":[1],"method":"m.x"})",
          R"({"jsonrpc":"2.0","id":{},"method":"m.x"})", R"({"jsonrpc":"2.0","id":1e300,"method":"m.x"})"}) {
        auto const r = read(text);
        ASSERT_TRUE(r.error) << text;
        EXPECT_EQ(r.error->code, error_code::invalid_request);
        EXPECT_TRUE(r.reply_id.is_null());
    }
}

TEST(JsonRpc, RefusesLongStringIds) {
    json const m = {{"jsonrpc", "2.0"}, {"id", std::string(257, 'i')}, {"method", "m.x"}};
    EXPECT_TRUE(read_request(m).error);
}

TEST(JsonRpc, RefusesBadMethods) {
    EXPECT_TRUE(read(R"({"jsonrpc":"2.0","id":1})").error);
    EXPECT_TRUE(read(R"({"jsonrpc":"2.0","id":1,"method":""})").error);
    EXPECT_TRUE(read(R"({"jsonrpc":"2.0","id":1,"method":7})").error);
    json const m = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", std::string(129, 'm')}};
    EXPECT_TRUE(read_request(m).error);
}

TEST(JsonRpc, RefusesUnexpectedMembers) {
    auto const r = read(R"({"jsonrpc":"2.0","id":1,"method":"m.x","extra":true})");
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, error_code::invalid_request);
}

TEST(JsonRpc, PositionalParamsAreInvalidParams) {
    auto const r = read(R"({"jsonrpc":"2.0","id":1,"method":"m.x","params":[1,2]})");
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, error_code::invalid_params);
    EXPECT_FALSE(r.silent);
    EXPECT_TRUE(read(R"({"jsonrpc":"2.0","method":"m.x","params":3})").silent);
}

TEST(JsonRpc, RefusesBatchesAndScalars) {
    EXPECT_EQ(read(R"([{"jsonrpc":"2.0","id":1,"method":"m.x"}])").error->code, error_code::invalid_request);
    EXPECT_EQ(read("42").error->code, error_code::invalid_request);
    EXPECT_EQ(read("null").error->code, error_code::invalid_request);
}

TEST(JsonRpc, ErrorObjectsCarryCodeMessageAndData) {
    auto const e = rpc_error::make(error_code::invalid_params, "x must be a string");
    auto const j = make_error(3, e);
    EXPECT_EQ(j["jsonrpc"], "2.0");
    EXPECT_EQ(j["id"], 3);
    EXPECT_EQ(j["error"]["code"], -32602);
    EXPECT_EQ(j["error"]["message"], "Invalid params");
    EXPECT_EQ(j["error"]["data"]["detail"], "x must be a string");
    EXPECT_FALSE(make_error(3, rpc_error::make(error_code::internal_error))["error"].contains("data"));
}

} // namespace
} // namespace sluice::protocol
