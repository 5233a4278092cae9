#include "sluice-gate/client_address.hpp"

#include <gtest/gtest.h>

namespace sluice::gate {
namespace {

TEST(GateClientAddress, WithoutATrustedProxyThePeerIsTheClient) {
    EXPECT_EQ(client_address("198.51.100.7", "", ""), "198.51.100.7");
    // Anyone can write the header: without a trusted proxy it changes nothing.
    EXPECT_EQ(client_address("198.51.100.7", "203.0.113.9", ""), "198.51.100.7");
}

TEST(GateClientAddress, FromTheTrustedProxyTheLastForwardedAddressIsTheClient) {
    EXPECT_EQ(client_address("127.0.0.1", "203.0.113.9", "127.0.0.1"), "203.0.113.9");
    // What came before the proxy's own entry is the client's to write, so only the last one counts.
    EXPECT_EQ(client_address("127.0.0.1", "10.0.0.1, 192.0.2.44,203.0.113.9", "127.0.0.1"), "203.0.113.9");
    EXPECT_EQ(client_address("127.0.0.1", "192.0.2.44,  203.0.113.9 \t", "127.0.0.1"), "203.0.113.9");
    EXPECT_EQ(client_address("::1", "2001:db8::5", "::1"), "2001:db8::5");
}

TEST(GateClientAddress, FromAnyOtherPeerTheHeaderIsIgnored) {
    EXPECT_EQ(client_address("198.51.100.7", "203.0.113.9", "127.0.0.1"), "198.51.100.7");
    EXPECT_EQ(client_address("127.0.0.2", "203.0.113.9", "127.0.0.1"), "127.0.0.2");
}

TEST(GateClientAddress, SeveralHeadersJoinedEndWithTheProxysEntry) {
    // The session joins every X-Forwarded-For value with commas, in order; the proxy appends to the last.
    EXPECT_EQ(client_address("127.0.0.1", "192.0.2.44,203.0.113.9", "127.0.0.1"), "203.0.113.9");
}

TEST(GateClientAddress, WithoutAUsableForwardedAddressTheProxyIsTheClient) {
    EXPECT_EQ(client_address("127.0.0.1", "", "127.0.0.1"), "127.0.0.1");
    EXPECT_EQ(client_address("127.0.0.1", "203.0.113.9,", "127.0.0.1"), "127.0.0.1");
    EXPECT_EQ(client_address("127.0.0.1", "203.0.113.9, unknown", "127.0.0.1"), "127.0.0.1");
    EXPECT_EQ(client_address("127.0.0.1", "203.0.113.9:4711", "127.0.0.1"), "127.0.0.1");
}

TEST(GateClientAddress, AnIPv4AddressMappedIntoIPv6IsOneAddress) {
    // A gate listening on [::] sees IPv4 peers this way; the proxy is named as it is usually written.
    EXPECT_EQ(client_address("::ffff:127.0.0.1", "203.0.113.9", "127.0.0.1"), "203.0.113.9");
    EXPECT_EQ(client_address("::ffff:198.51.100.7", "", ""), "198.51.100.7");
    EXPECT_EQ(client_address("127.0.0.1", "::ffff:203.0.113.9", "127.0.0.1"), "203.0.113.9");
}

TEST(GateClientAddress, APeerWithoutAnAddressIsKeptAsItIs) {
    // The session's word when the socket could not say.
    EXPECT_EQ(client_address("unknown", "203.0.113.9", "127.0.0.1"), "unknown");
}

} // namespace
} // namespace sluice::gate
