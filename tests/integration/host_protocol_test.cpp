#include "host_process.hpp"
#include "json_schema.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace sluice::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json_schema const& schema() {
    static json_schema const s = [] {
        std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/protocol/schema/native-messaging.json");
        return json_schema(json::parse(in));
    }();
    return s;
}

std::string first_problem(std::vector<std::string> const& errors) {
    return errors.empty() ? "" : errors.front();
}

TEST(HostProtocol, HelloReportsVersionsAndMatchesTheSchema) {
    host_world world;
    host_process host(world);
    auto const reply = host.call("host.hello", {{"protocolVersion", 1}});
    ASSERT_TRUE(reply.contains("result")) << reply.dump();
    EXPECT_TRUE(schema().validate(reply).empty()) << first_problem(schema().validate(reply));
    auto const errors = schema().validate(reply["result"], "/$defs/host.hello.result");
    EXPECT_TRUE(errors.empty()) << first_problem(errors);
    auto const& r = reply["result"];
    EXPECT_EQ(r["protocolVersion"], 1);
    EXPECT_EQ(r["libtorrentVersion"].get<std::string>().substr(0, 2), "2.");
    EXPECT_EQ(r["limits"]["maxOutboundFrameBytes"], 1048576);
    EXPECT_EQ(r["limits"]["maxInboundFrameBytes"], 8388608);
    auto const caps = r["capabilities"].get<std::vector<std::string>>();
    EXPECT_NE(std::find(caps.begin(), caps.end(), "host.hello"), caps.end());
}

TEST(HostProtocol, GoldenRequestsGetRepliesThatMatchTheSchema) {
    host_world world;
    host_process host(world);
    int results = 0;
    for (auto const& entry :
         fs::directory_iterator(fs::path(SLUICE_SOURCE_DIR) / "protocol" / "examples" / "valid")) {
        std::ifstream in(entry.path());
        auto const example = json::parse(in);
        auto request = example.at("message");
        // Examples name folders of an imaginary user; the host would create them.
        if (example.at("kind") != "request" || request.value("params", json::object()).contains("savePath")) {
            continue;
        }
        host.send(request);
        auto const reply = host.read_message();
        ASSERT_TRUE(reply) << entry.path().filename();
        EXPECT_EQ((*reply)["id"], request["id"]);
        EXPECT_TRUE(schema().validate(*reply).empty()) << entry.path().filename() << ": " << reply->dump();
        if (reply->contains("result")) {
            ++results;
            auto const def = "/$defs/" + example.at("method").get<std::string>() + ".result";
            EXPECT_TRUE(schema().validate((*reply)["result"], def).empty())
                << entry.path().filename() << ": "
                << first_problem(schema().validate((*reply)["result"], def));
        }
    }
    EXPECT_GE(results, 3);
}

TEST(HostProtocol, UnknownMethodKeepsTheId) {
    host_world world;
    host_process host(world);
    auto const reply = host.call("torrent.fly");
    EXPECT_EQ(reply["error"]["code"], -32601);
    EXPECT_TRUE(schema().validate(reply).empty());
}

TEST(HostProtocol, BadParamsAreInvalidParams) {
    host_world world;
    host_process host(world);
    EXPECT_EQ(host.call("host.hello", {{"protocolVersion", "one"}})["error"]["code"], -32602);
    EXPECT_EQ(host.call("host.hello", {{"colour", "blue"}})["error"]["code"], -32602);
    host.send_frame(R"({"jsonrpc":"2.0","id":77,"method":"host.hello","params":[1]})");
    auto const reply = host.read_message();
    ASSERT_TRUE(reply);
    EXPECT_EQ((*reply)["id"], 77);
    EXPECT_EQ((*reply)["error"]["code"], -32602);
}

TEST(HostProtocol, NotificationsGetNoReply) {
    host_world world;
    host_process host(world);
    host.send_frame(R"({"jsonrpc":"2.0","method":"host.hello"})");
    host.send_frame(R"({"jsonrpc":"2.0","method":"no.such"})");
    host.send_frame(R"({"jsonrpc":"2.0","id":"after","method":"host.hello"})");
    auto const reply = host.read_message();
    ASSERT_TRUE(reply);
    EXPECT_EQ((*reply)["id"], "after");
}

TEST(HostProtocol, PipelinedRequestsAllGetTheirReplies) {
    host_world world;
    host_process host(world);
    std::string burst;
    for (int i = 0; i < 500; ++i) {
        auto const body = json{{"jsonrpc", "2.0"}, {"id", i}, {"method", "host.hello"}}.dump();
        auto const n = static_cast<std::uint32_t>(body.size());
        burst.append(reinterpret_cast<char const*>(&n), 4);
        burst += body;
    }
    host.send_raw(burst);
    std::vector<bool> seen(500, false);
    for (int i = 0; i < 500; ++i) {
        auto const reply = host.read_message();
        ASSERT_TRUE(reply) << "reply " << i << " missing";
        seen.at((*reply)["id"].get<std::size_t>()) = true;
    }
    EXPECT_EQ(std::count(seen.begin(), seen.end(), true), 500);
}

TEST(HostProtocol, ReplyIdsAreEchoedExactly) {
    host_world world;
    host_process host(world);
    for (auto const& id : {json("s-1"), json(0), json(-5), json(9007199254740993LL), json("")}) {
        host.send({{"jsonrpc", "2.0"}, {"id", id}, {"method", "host.hello"}});
        auto const reply = host.read_message();
        ASSERT_TRUE(reply);
        EXPECT_EQ((*reply)["id"], id);
    }
}

} // namespace
} // namespace sluice::testing
