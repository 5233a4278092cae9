#include "app/config.hpp"
#include "sandbox_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace sluice::app {
namespace {

void write(std::filesystem::path const& p, std::string const& text) {
    std::ofstream(p, std::ios::binary) << text;
}

TEST(HostConfig, MissingFileGivesSafeDefaults) {
    testing::sandbox_dir dir;
    auto const r = load_host_config(dir / "config.json");
    EXPECT_TRUE(r.warnings.empty());
    EXPECT_TRUE(r.config.session.dht);
    EXPECT_TRUE(r.config.session.lsd);
    EXPECT_TRUE(r.config.session.upnp);
    EXPECT_EQ(r.config.max_inbound_frame_bytes, 8u * 1024 * 1024);
}

TEST(HostConfig, ReadsSwitches) {
    testing::sandbox_dir dir;
    write(dir / "c.json", R"({"session":{"dht":false,"lsd":false,"upnp":false,"natpmp":false,
        "listenInterfaces":"127.0.0.1:0"},"nativeMessaging":{"maxInboundFrameBytes":65536},"idleExitSeconds":3})");
    auto const r = load_host_config(dir / "c.json");
    EXPECT_TRUE(r.warnings.empty());
    EXPECT_FALSE(r.config.session.dht);
    EXPECT_FALSE(r.config.session.upnp);
    EXPECT_EQ(r.config.session.listen_interfaces, "127.0.0.1:0");
    EXPECT_EQ(r.config.max_inbound_frame_bytes, 65536u);
    EXPECT_EQ(r.config.idle_exit_seconds, 3);
}

TEST(HostConfig, MalformedFileKeepsDefaultsAndTheFile) {
    testing::sandbox_dir dir;
    write(dir / "c.json", "{ not json");
    auto const r = load_host_config(dir / "c.json");
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_TRUE(r.config.session.dht);
    std::ifstream in(dir / "c.json");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(text, "{ not json");
}

TEST(HostConfig, WrongTypesAndRangesAreReportedOneByOne) {
    testing::sandbox_dir dir;
    write(dir / "c.json",
          R"({"session":{"dht":"yes","lsd":false},"nativeMessaging":{"maxInboundFrameBytes":1}})");
    auto const r = load_host_config(dir / "c.json");
    EXPECT_EQ(r.warnings.size(), 2u);
    EXPECT_TRUE(r.config.session.dht);
    EXPECT_FALSE(r.config.session.lsd);
    EXPECT_EQ(r.config.max_inbound_frame_bytes, 8u * 1024 * 1024);
}

TEST(HostConfig, ADownloadFolderWithAControlCharacterIsNotUsed) {
    testing::sandbox_dir dir;
    for (auto const* folder :
         {R"(/home/a\u0000/b)", R"(/home/a\nb)", R"(/home/a\u001fb)", R"(/home/a\u007fb)"}) {
        write(dir / "c.json", std::string(R"({"downloadFolder":")") + folder + "\"}");
        auto const r = load_host_config(dir / "c.json");
        ASSERT_EQ(r.warnings.size(), 1u) << folder;
        EXPECT_NE(r.warnings[0].find("downloadFolder must be an absolute path"), std::string::npos);
        EXPECT_EQ(r.config.download_folder, "") << folder;
    }
    write(dir / "c.json", R"({"downloadFolder":"/home/a/Vidéos\u00a0b"})");
    auto const r = load_host_config(dir / "c.json");
    EXPECT_TRUE(r.warnings.empty());
    EXPECT_EQ(r.config.download_folder, "/home/a/Vidéos\u00a0b");
}

TEST(HostConfig, DefaultTextRoundTrips) {
    testing::sandbox_dir dir;
    write(dir / "c.json", default_config_text());
    auto const r = load_host_config(dir / "c.json");
    EXPECT_TRUE(r.warnings.empty());
    EXPECT_EQ(r.config.session.listen_interfaces, host_config{}.session.listen_interfaces);
}

} // namespace
} // namespace sluice::app
