#include "host_process.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace sluice::testing {
namespace {

using nlohmann::json;

std::string header(std::uint32_t n) {
    return std::string(reinterpret_cast<char const*>(&n), 4);
}

int error_code(std::optional<json> const& message) {
    if (!message || !message->contains("error")) {
        ADD_FAILURE() << "expected an error reply, got " << (message ? message->dump() : "nothing");
        return 0;
    }
    return (*message)["error"]["code"].get<int>();
}

// After any bad input, the same host must still answer a well-formed request.
void expect_still_serving(host_process& host) {
    auto const reply = host.call("host.hello");
    EXPECT_TRUE(reply.contains("result")) << reply.dump();
}

long vm_size_kib(long pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmSize:", 0) == 0) {
            return std::stol(line.substr(7));
        }
    }
    return -1;
}

TEST(HostBadInput, OversizedFrameIsRefusedAndTheStreamResyncs) {
    host_world world;
    host_process host(world);
    auto const big = 9u * 1024 * 1024;
    host.send_raw(header(big) + std::string(big, ' '));
    auto const reply = host.read_message();
    EXPECT_EQ(error_code(reply), -32000);
    EXPECT_TRUE((*reply)["id"].is_null());
    EXPECT_EQ((*reply)["error"]["data"]["announced"], big);
    EXPECT_EQ((*reply)["error"]["data"]["limit"], 8u * 1024 * 1024);
    expect_still_serving(host);
}

TEST(HostBadInput, HugeAnnouncedLengthAllocatesNothing) {
    host_world world;
    host_process host(world);
    expect_still_serving(host);
    auto const before = vm_size_kib(host.pid());
    host.send_raw(header(0xFFFFFFF0u));
    EXPECT_EQ(error_code(host.read_message()), -32000);
    auto const after = vm_size_kib(host.pid());
    ASSERT_GT(before, 0);
    EXPECT_LT(after - before, 64 * 1024) << "the relay grew by " << (after - before) << " KiB";
    host.close_stdin(); // the announced body never comes: end of input inside it is a clean exit
    EXPECT_EQ(host.wait_exit(), 0);
}

TEST(HostBadInput, InboundLimitIsConfigurable) {
    host_world world(R"({"nativeMessaging":{"maxInboundFrameBytes":65536}})");
    host_process host(world);
    auto const reply = host.call("host.hello");
    EXPECT_EQ(reply["result"]["limits"]["maxInboundFrameBytes"], 65536);
    host.send_frame(R"({"jsonrpc":"2.0","id":1,"method":"host.hello","params":{"client":{"name":")" +
                    std::string(70000, 'n') + "\"}}}");
    EXPECT_EQ(error_code(host.read_message()), -32000);
    expect_still_serving(host);
}

TEST(HostBadInput, ZeroLengthFrame) {
    host_world world;
    host_process host(world);
    host.send_raw(header(0));
    EXPECT_EQ(error_code(host.read_message()), -32001);
    expect_still_serving(host);
}

TEST(HostBadInput, TruncatedHeaderThenEofExitsCleanly) {
    host_world world;
    host_process host(world);
    expect_still_serving(host);
    host.send_raw(std::string("\x10\x00", 2));
    host.close_stdin();
    EXPECT_TRUE(host.stdout_ends());
    EXPECT_EQ(host.wait_exit(), 0);
}

TEST(HostBadInput, TruncatedBodyThenEofExitsCleanly) {
    host_world world;
    host_process host(world);
    expect_still_serving(host);
    host.send_raw(header(100) + R"({"jsonrpc":"2.0")");
    host.close_stdin();
    EXPECT_TRUE(host.stdout_ends());
    EXPECT_EQ(host.wait_exit(), 0);
    EXPECT_NE(host.stderr_text().find("middle of a frame"), std::string::npos);
}

TEST(HostBadInput, ImmediateEofExitsCleanly) {
    host_world world;
    host_process host(world);
    host.close_stdin();
    EXPECT_TRUE(host.stdout_ends());
    EXPECT_EQ(host.wait_exit(), 0);
}

TEST(HostBadInput, InvalidUtf8) {
    host_world world;
    host_process host(world);
    host.send_frame("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"host.hello\",\"params\":{\"client\":{"
                    "\"name\":\"\xc3\x28\"}}}");
    auto const reply = host.read_message();
    EXPECT_EQ(error_code(reply), -32700);
    EXPECT_NE((*reply)["error"]["data"]["detail"].get<std::string>().find("UTF-8"), std::string::npos);
    expect_still_serving(host);
}

TEST(HostBadInput, InvalidJson) {
    host_world world;
    host_process host(world);
    for (auto const* bad : {"{", "{\"jsonrpc\":\"2.0\",}", "nul", "\"unterminated", "{}}", "\x01"}) {
        host.send_frame(bad);
        EXPECT_EQ(error_code(host.read_message()), -32700) << bad;
    }
    expect_still_serving(host);
}

TEST(HostBadInput, JsonNestedAMillionDeep) {
    host_world world;
    host_process host(world);
    host.send_frame(std::string(1'000'000, '[') + std::string(1'000'000, ']'));
    host.send_frame(R"({"jsonrpc":"2.0","id":1,"method":"host.hello","params":{"client":)" +
                    std::string(1'000'000, '{'));
    EXPECT_EQ(error_code(host.read_message()), -32700);
    EXPECT_EQ(error_code(host.read_message()), -32700);
    expect_still_serving(host);
}

TEST(HostBadInput, HugeNumbers) {
    host_world world;
    host_process host(world);
    host.send_frame(R"({"jsonrpc":"2.0","id":1e999,"method":"host.hello"})");
    EXPECT_EQ(error_code(host.read_message()), -32700);
    host.send_frame(R"({"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"host.hello"})");
    auto const reply = host.read_message();
    EXPECT_EQ(error_code(reply), -32600);
    EXPECT_TRUE((*reply)["id"].is_null());
    host.send_frame(R"({"jsonrpc":"2.0","id":2,"method":"host.hello","params":{"protocolVersion":1e308}})");
    EXPECT_EQ(error_code(host.read_message()), -32602);
    host.send_frame("[" + std::string(200000, '9') + "]");
    EXPECT_EQ(error_code(host.read_message()), -32700);
    expect_still_serving(host);
}

TEST(HostBadInput, WrongJsonrpcValues) {
    host_world world;
    host_process host(world);
    for (auto const* bad :
         {R"({"jsonrpc":"1.0","id":5,"method":"host.hello"})",
          R"({"jsonrpc":2,"id":5,"method":"host.hello"})", R"({"id":5,"method":"host.hello"})",
          R"({"jsonrpc":"2.0 ","id":5,"method":"host.hello"})"}) {
        host.send_frame(bad);
        auto const reply = host.read_message();
        EXPECT_EQ(error_code(reply), -32600) << bad;
        EXPECT_EQ((*reply)["id"], 5) << bad;
    }
    expect_still_serving(host);
}

TEST(HostBadInput, NonObjectMessagesAndBatches) {
    host_world world;
    host_process host(world);
    for (auto const* bad :
         {"42", "\"text\"", "null", "[]", R"([{"jsonrpc":"2.0","id":1,"method":"host.hello"}])"}) {
        host.send_frame(bad);
        EXPECT_EQ(error_code(host.read_message()), -32600) << bad;
    }
    expect_still_serving(host);
}

TEST(HostBadInput, RandomBytesNeverCrashTheHost) {
    host_world world;
    host_process host(world);
    std::uint32_t x = 12345;
    for (int i = 0; i < 200; ++i) {
        std::string junk;
        auto const len = 1 + (i * 37) % 300;
        for (int j = 0; j < len; ++j) {
            x = x * 1664525u + 1013904223u;
            junk += static_cast<char>(x >> 24);
        }
        host.send_frame(junk);
        auto const reply = host.read_message();
        ASSERT_TRUE(reply) << "no answer to junk frame " << i;
        EXPECT_TRUE(reply->contains("error"));
    }
    expect_still_serving(host);
}

} // namespace
} // namespace sluice::testing
