// sluice-gate serving on several threads (`serve --threads N`): what its threads share. The pledges under
// load on four threads are gate_load_test.cpp's; here, the rate limits, which hold per process whichever
// thread a connection lands on, the client address a trusted proxy forwards, and the options themselves.

#include "gate_fixture.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::testing {
namespace {

// Any email unlock counts against the client's address before anything else is read: a bundle the gate does
// not have is as good as any for counting.
constexpr char const* email_unlock = "/v1/bundles/no-such-bundle/unlock/email";

class GateThreads : public gate_fixture {
protected:
    // One email unlock on a fresh connection (so the gate hands each to the next thread): its status.
    static int unlock_status(gate_server const& server, headers_t const& headers = {}) {
        return request(server.port(), "POST", email_unlock, "{}", headers).status;
    }
};

TEST_F(GateThreads, TheAddressLimitHoldsAcrossThreads) {
    auto const server = serve({"--threads", "4"});
    ASSERT_GT(server->port(), 0);
    for (int i = 0; i < 30; ++i) {
        ASSERT_NE(unlock_status(*server), 429) << "request " << i;
    }
    auto const limited = request(server->port(), "POST", email_unlock, "{}");
    EXPECT_EQ(limited.status, 429) << limited.body;
    EXPECT_EQ(limited.error_code(), "rate_limited");
    EXPECT_FALSE(limited.header("retry-after").empty());
    // Without a trusted proxy the header is the client's to write: it changes nothing.
    EXPECT_EQ(unlock_status(*server, {{"X-Forwarded-For", "203.0.113.9"}}), 429);
    EXPECT_EQ(server->stop(), 0);
}

TEST_F(GateThreads, BehindTheTrustedProxyEachForwardedClientHasItsOwnLimit) {
    auto const server = serve({"--threads", "4", "--trusted-proxy", "127.0.0.1"});
    ASSERT_GT(server->port(), 0);
    for (int i = 0; i < 30; ++i) {
        ASSERT_NE(unlock_status(*server, {{"X-Forwarded-For", "203.0.113.9"}}), 429) << "request " << i;
    }
    EXPECT_EQ(unlock_status(*server, {{"X-Forwarded-For", "203.0.113.9"}}), 429);
    // Only the proxy's own entry, the last, counts: what a client wrote before it cannot pick its address.
    EXPECT_EQ(unlock_status(*server, {{"X-Forwarded-For", "198.51.100.1, 203.0.113.9"}}), 429);
    EXPECT_NE(unlock_status(*server, {{"X-Forwarded-For", "203.0.113.9, 198.51.100.1"}}), 429);
    // The proxy's requests without the header are its own address's.
    EXPECT_NE(unlock_status(*server), 429);
    EXPECT_EQ(server->stop(), 0);
}

TEST_F(GateThreads, ThreadsAndTheTrustedProxyAreCheckedBeforeServing) {
    for (auto const* threads : {"0", "257", "four", "-1", ""}) {
        auto const r = gate_tool(serve_args({"--threads", threads}));
        EXPECT_EQ(r.exit_code, 2) << threads << ": " << r;
        EXPECT_NE(r.err.find("--threads must be a number from 1 to 256"), std::string::npos) << r;
    }
    auto const proxy = gate_tool(serve_args({"--trusted-proxy", "proxy.example.org"}));
    EXPECT_EQ(proxy.exit_code, 2) << proxy;
    EXPECT_NE(proxy.err.find("--trusted-proxy must be an IP address"), std::string::npos) << proxy;
    // The bounds themselves serve, SQLite's writers queueing behind each other.
    for (auto const* threads : {"1", "256"}) {
        auto const server = serve({"--threads", threads});
        ASSERT_GT(server->port(), 0) << threads;
        EXPECT_EQ(request(server->port(), "GET", "/v1/bundles/no-such-bundle").status, 404) << threads;
        EXPECT_EQ(server->stop(), 0) << threads;
    }
}

} // namespace
} // namespace sluice::testing
