#include "app/settings_methods.hpp"

#include <gtest/gtest.h>

namespace sluice::app {
namespace {

TEST(SettingsMethods, ListenPortIsReplacedInEveryInterface) {
    EXPECT_EQ(with_listen_port("0.0.0.0:6881,[::]:6881", 7000), "0.0.0.0:7000,[::]:7000");
    EXPECT_EQ(with_listen_port("127.0.0.1:0", 6881), "127.0.0.1:6881");
    EXPECT_EQ(listen_port_of("0.0.0.0:6881,[::]:6882"), 6881);
    EXPECT_EQ(listen_port_of("[::]:51413"), 51413);
    EXPECT_EQ(listen_port_of("garbage"), 0);
}

} // namespace
} // namespace sluice::app
